import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlertRules } from '../../../server/src/domain/alerts/rule.js';
import { parseContract } from '../../../server/src/domain/contracts/contract.js';
import { parsePriceBook } from '../../../server/src/domain/contracts/price-book.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { parseJsonPush } from '../../../server/src/pipeline/ingest/json-push.js';
import { parseNvidiaSmiCsv } from '../../../server/src/pipeline/ingest/nvidia-smi-csv.js';
import { fixture } from '../../integration/helpers/harness.js';
import { alertRulesBody, contractBody, FUZZ_RUNS, FUZZ_SEED, fuzzSummary, jsonPushBody, mangled, priceBookBody } from './arbitraries.js';

/**
 * Property: every parser either returns a whole result or throws a DomainError (which the HTTP
 * layer answers with a 4xx naming the problem) — never anything else, whatever the input.
 */
function refusesOnlyCleanly(parse: () => unknown): 'accepted' | 'invalid' | 'too_large' {
  try {
    parse();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof DomainError)) throw new Error(`threw ${String(error)} instead of a DomainError`, { cause: error });
    expect(['invalid', 'too_large']).toContain(error.code);
    expect(error.message.length).toBeGreaterThan(0);
    return error.code as 'invalid' | 'too_large';
  }
}

/** Runs FUZZ_RUNS cases of `input` through `parse` and prints the count, the outcomes and the time. */
function fuzz<T>(what: string, input: fc.Arbitrary<T>, parse: (value: T) => unknown): void {
  const outcomes = { accepted: 0, invalid: 0, too_large: 0 };
  const started = performance.now();
  fc.assert(
    fc.property(input, (value) => {
      outcomes[refusesOnlyCleanly(() => parse(value))]++;
    }),
    { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
  );
  const ms = performance.now() - started;
  console.log(
    fuzzSummary(what, FUZZ_RUNS, ms, `${outcomes.accepted} accepted, ${outcomes.invalid} invalid, ${outcomes.too_large} too_large`),
  );
}

const dcgm = fixture('dcgm-exporter/h100-node-sampled.txt');
const smi = fixture('nvidia-smi/h100-query-nounits.csv');
// Small limits, so the too_large paths are reached as well as the syntax errors.
const LIMITS = { maxLines: 200, maxLabelLength: 48 };

describe('fuzz: ingest parsers', () => {
  it('dcgm-exporter text: arbitrary strings and mangled real payloads', () => {
    fuzz('parser dcgm-text', fc.oneof(fc.string({ maxLength: 2000 }), mangled(dcgm)), (text) =>
      parseDcgmText(text, { defaultHost: 'fuzz', maxSeries: 150, ...LIMITS }),
    );
  });

  it('nvidia-smi CSV: arbitrary strings and mangled real output', () => {
    fuzz('parser nvidia-smi-csv', fc.oneof(fc.string({ maxLength: 2000 }), mangled(smi)), (text) =>
      parseNvidiaSmiCsv(text, { host: 'fuzz', ...LIMITS }),
    );
  });

  it('JSON push: arbitrary JSON values and near-valid batches', () => {
    fuzz('parser json-push', fc.oneof(fc.jsonValue(), jsonPushBody()), (body) =>
      parseJsonPush(body, { maxSamples: 3, maxLabelLength: LIMITS.maxLabelLength }),
    );
  });
});

describe('fuzz: JSON bodies of the contract, price-book and alert-rule endpoints', () => {
  const site = { pods: 6, gpus: 384, facilityWatts: 585_938 };

  it('contracts', () => {
    fuzz('parser contract', fc.oneof(fc.jsonValue(), contractBody()), (body) => parseContract(body, site));
  });

  it('price book', () => {
    fuzz('parser price-book', fc.oneof(fc.jsonValue(), priceBookBody()), (body) => parsePriceBook(body));
  });

  it('alert rules', () => {
    fuzz('parser alert-rules', fc.oneof(fc.jsonValue(), alertRulesBody()), (body) => parseAlertRules(body));
  });
});
