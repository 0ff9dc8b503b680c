import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlertRules } from '../../../server/src/domain/alerts/rule.js';
import { parseContract } from '../../../server/src/domain/contracts/contract.js';
import { parsePriceBook } from '../../../server/src/domain/contracts/price-book.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { parseDcgmText } from '../../../server/src/ingest/dcgm-text.js';
import { parseJsonPush } from '../../../server/src/ingest/json-push.js';
import { parseNvidiaSmiCsv } from '../../../server/src/ingest/nvidia-smi-csv.js';
import { fixture } from '../../integration/helpers/harness.js';

/**
 * Property: every parser either returns a whole result or throws a DomainError (which the HTTP
 * layer answers with a 4xx naming the problem) — never anything else, whatever the input.
 */
function refusesOnlyCleanly(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof DomainError)) throw new Error(`threw ${String(error)} instead of a DomainError`, { cause: error });
    expect(['invalid', 'too_large']).toContain(error.code);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

const RUNS = { numRuns: 500 };
const dcgm = fixture('dcgm-exporter/h100-node-sampled.txt');
const smi = fixture('nvidia-smi/h100-query-nounits.csv');

/** Real text, cut and spliced at random places, with random bytes dropped in: near-misses of the format. */
const mangled = (real: string) =>
  fc
    .tuple(fc.nat({ max: real.length }), fc.nat({ max: real.length }), fc.string({ maxLength: 40 }), fc.constantFrom('', '\n', '\r\n', '{', '"', '}', ' ', '\u0000', 'NaN', '1e309', '-0'))
    .map(([a, b, junk, token]) => real.slice(0, Math.min(a, b)) + junk + token + real.slice(Math.max(a, b)));

describe('fuzz: ingest parsers', () => {
  it('dcgm-exporter text: arbitrary strings and mangled real payloads', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 2000 }), mangled(dcgm)), (text) => refusesOnlyCleanly(() => parseDcgmText(text, { defaultHost: 'fuzz', maxLines: 10_000, maxSeries: 10_000 }))), RUNS);
  });

  it('nvidia-smi CSV: arbitrary strings and mangled real output', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 2000 }), mangled(smi)), (text) => refusesOnlyCleanly(() => parseNvidiaSmiCsv(text, { host: 'fuzz', maxLines: 10_000 }))), RUNS);
  });

  it('JSON push: arbitrary JSON values and near-valid batches', () => {
    const gpu = fc.record(
      { uuid: fc.oneof(fc.string(), fc.constant('GPU-1')), host: fc.oneof(fc.string(), fc.constant('node-1')), index: fc.oneof(fc.integer(), fc.double()), powerWatts: fc.oneof(fc.double(), fc.string()), utilizationPercent: fc.double(), memoryUsedMiB: fc.double(), xid: fc.integer() },
      { requiredKeys: [] },
    );
    const batch = fc.record({ gpus: fc.array(gpu, { maxLength: 5 }), nodes: fc.anything(), meters: fc.anything() }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), batch), (body) => refusesOnlyCleanly(() => parseJsonPush(body, { maxSamples: 10_000 }))), RUNS);
  });
});

describe('fuzz: JSON bodies of the contract, price-book and alert-rule endpoints', () => {
  const site = { pods: 6, gpus: 384, facilityWatts: 585_938 };
  const date = fc.oneof(fc.constantFrom('2026-06-01', '2029-05-31', '2024-02-29', '2025-02-29', ''), fc.string({ maxLength: 12 }));
  const contract = fc.record(
    {
      customer: fc.string(),
      capacity: fc.oneof(fc.record({ pods: fc.oneof(fc.integer(), fc.double()) }), fc.record({ gpus: fc.integer() }), fc.record({ watts: fc.double() }), fc.anything()),
      start: date,
      end: date,
      monthlyPriceUsd: fc.oneof(fc.double(), fc.integer(), fc.string()),
      ramp: fc.array(fc.record({ months: fc.integer(), factor: fc.double() }), { maxLength: 3 }),
      noticeDays: fc.integer(),
      status: fc.constantFrom('active', 'ended', 'terminated', 'unknown'),
    },
    { requiredKeys: [] },
  );

  it('contracts', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), contract), (body) => refusesOnlyCleanly(() => parseContract(body, site))), RUNS);
  });

  it('price book', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => refusesOnlyCleanly(() => parsePriceBook(body))), RUNS);
  });

  it('alert rules', () => {
    const rule = fc.record(
      {
        name: fc.string(),
        figure: fc.constantFrom('sellable_watts', 'oversold', 'telemetry_age_seconds', 'nope'),
        op: fc.constantFrom('>', '<', '==', '=>'),
        threshold: fc.oneof(fc.double(), fc.record({ figure: fc.string() })),
        for: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()),
        severity: fc.constantFrom('info', 'warning', 'critical', 'fatal'),
        annotations: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constantFrom('{{ value | usd }}', '{{ value | nope }}', '{{ ', '{{ figures.x }}'))),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.array(rule, { maxLength: 4 })), (body) => refusesOnlyCleanly(() => parseAlertRules(body))), RUNS);
  });
});
