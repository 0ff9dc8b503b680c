import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { parseJsonPush } from '../../../server/src/pipeline/ingest/json-push.js';
import { longerThan } from '../../../server/src/pipeline/ingest/label-length.js';
import { parseNvidiaSmiCsv } from '../../../server/src/pipeline/ingest/nvidia-smi-csv.js';
import { domainErrorOf, gpuLabels, gpuUuid, lines, series } from './builders.js';

/** A GPU UUID is 40 characters ("GPU-" + 36): the limit these tests use, so real UUIDs sit exactly on it. */
const MAX = 40;
const UUID_AT_LIMIT = gpuUuid(0);
/** 40 characters of two UTF-16 units each (80 units), and one of them more. */
const EMOJI_AT_LIMIT = '😀'.repeat(MAX);
const EMOJI_PAST_LIMIT = '😀'.repeat(MAX + 1);
const NAMED_LIMIT = /longer than 40 characters \(MAX_LABEL_LENGTH\)$/;

describe('longerThan counts characters, not UTF-16 units or bytes', () => {
  it.each([
    ['ASCII at the limit', 'a'.repeat(16), 16, false],
    ['ASCII one past it', 'a'.repeat(17), 16, true],
    ['two-byte UTF-8 (é) at the limit', 'é'.repeat(16), 16, false],
    ['a surrogate pair per character (😀) at the limit', '😀'.repeat(16), 16, false],
    ['a surrogate pair per character one past it', '😀'.repeat(17), 16, true],
    ['lone surrogates, one character each', '\ud800'.repeat(17), 16, true],
  ])('%s', (_what, s, max, expected) => {
    expect(longerThan(s, max)).toBe(expected);
  });
});

describe('dcgm text: label values and names past maxLabelLength refuse the batch', () => {
  const parse = (text: string) => parseDcgmText(text, { maxLabelLength: MAX });
  // gpuLabels' longest label name is DCGM_FI_DRIVER_VERSION (22), within the limit.

  it('accepts a label value exactly at the limit', () => {
    expect(UUID_AT_LIMIT).toHaveLength(MAX);
    expect(parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 10))).samples[0]?.uuid).toBe(UUID_AT_LIMIT);
  });

  it('refuses a value one character past it with too_large, naming the line, the label and the limit', () => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 10),
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1, { UUID: `${gpuUuid(1)}x` }), 20),
    );
    const error = domainErrorOf(() => parse(text));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('line 2: value of label UUID longer than 40 characters (MAX_LABEL_LENGTH)');
    expect(error.detail).toEqual({ line: 2, maxLabelLength: MAX });
  });

  it('counts multi-byte characters as one each, and escapes as the character they stand for', () => {
    expect(parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { Hostname: EMOJI_AT_LIMIT }), 10))).samples[0]?.host).toBe(
      EMOJI_AT_LIMIT,
    );
    // 39 `\"` escapes are 78 characters of text but a 39-character value.
    expect(parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { pod_uid: '\\"'.repeat(MAX - 1) }), 10))).samples).toHaveLength(1);
    const error = domainErrorOf(() => parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { Hostname: EMOJI_PAST_LIMIT }), 10))));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/^line 1: value of label Hostname /);
  });

  it('refuses a label name past the limit, and accepts one at it', () => {
    expect(parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { ['n'.repeat(MAX)]: 'x' }), 10))).samples).toHaveLength(1);
    const error = domainErrorOf(() => parse(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { ['n'.repeat(MAX + 1)]: 'x' }), 10))));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/^line 1: label name n+ longer than 40 characters \(MAX_LABEL_LENGTH\)$/);
  });

  it('has no limit when the option is omitted', () => {
    expect(parseDcgmText(lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { pod_uid: 'p'.repeat(100_000) }), 10))).samples).toHaveLength(
      1,
    );
  });
});

describe('JSON push: string fields past maxLabelLength refuse the batch', () => {
  const parse = (body: unknown) => parseJsonPush(body, { maxLabelLength: MAX });
  const gpu = (fields: Record<string, unknown>) => ({ gpus: [{ uuid: UUID_AT_LIMIT, host: 'node-a', powerWatts: 70, ...fields }] });

  it('accepts uuid, host and model exactly at the limit, multi-byte characters counted as one', () => {
    const batch = parse(gpu({ host: 'h'.repeat(MAX), model: EMOJI_AT_LIMIT }));
    expect(batch.samples[0]).toMatchObject({ uuid: UUID_AT_LIMIT, host: 'h'.repeat(MAX), modelName: EMOJI_AT_LIMIT });
  });

  it.each([
    ['uuid', { uuid: `${UUID_AT_LIMIT}x` }, 'gpus[0].uuid'],
    ['host', { host: 'h'.repeat(MAX + 1) }, 'gpus[0].host'],
    ['model (multi-byte)', { model: EMOJI_PAST_LIMIT }, 'gpus[0].model'],
  ])('refuses a %s one character past it, naming the field and the limit', (_what, fields, path) => {
    const error = domainErrorOf(() => parse(gpu(fields)));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe(`${path}: value longer than 40 characters (MAX_LABEL_LENGTH)`);
    expect(error.detail).toEqual({ path, maxLabelLength: MAX });
  });

  it('checks nodes and meters too, before the schema (an otherwise bad entry still gets the 413)', () => {
    expect(domainErrorOf(() => parse({ nodes: [{ host: 'n'.repeat(MAX + 1), drained: 'yes' }] })).message).toMatch(
      /^nodes\[0\]\.host: value longer than/,
    );
    expect(domainErrorOf(() => parse({ meters: [{ id: 'm', scope: 's'.repeat(MAX + 1), watts: 1 }] })).code).toBe('too_large');
  });
});

describe('nvidia-smi CSV: cells past maxLabelLength refuse the batch', () => {
  const header = 'index, uuid, name, utilization.gpu [%], power.draw [W]';
  const row = (uuid: string, name = 'NVIDIA H100 80GB HBM3') => `0, ${uuid}, ${name}, 5 %, 119.3 W`;
  const parse = (...rows: string[]) => parseNvidiaSmiCsv(lines(...rows), { host: 'node-a', maxLabelLength: MAX });

  it('accepts cells exactly at the limit, multi-byte characters counted as one', () => {
    expect(parse(header, row(UUID_AT_LIMIT, EMOJI_AT_LIMIT)).samples[0]).toMatchObject({ uuid: UUID_AT_LIMIT, modelName: EMOJI_AT_LIMIT });
  });

  it('refuses a cell one character past it, naming line, column and the limit', () => {
    const error = domainErrorOf(() => parse(header, row(UUID_AT_LIMIT), row(`${gpuUuid(1)}x`)));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('line 3, column uuid (2): cell longer than 40 characters (MAX_LABEL_LENGTH)');
    expect(error.detail).toEqual({ line: 3, column: 'uuid', maxLabelLength: MAX });
    expect(domainErrorOf(() => parse(header, row(UUID_AT_LIMIT, EMOJI_PAST_LIMIT))).message).toMatch(NAMED_LIMIT);
  });

  it('refuses a header cell past it by position', () => {
    const error = domainErrorOf(() => parse(`${header}, ${'x'.repeat(MAX + 1)}`, row(UUID_AT_LIMIT)));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('line 1, column 6: cell longer than 40 characters (MAX_LABEL_LENGTH)');
  });
});
