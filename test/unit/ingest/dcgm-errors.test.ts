import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { domainErrorOf, gpuLabels, lines, readFixture, series, without } from './builders.js';

const good = series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 10);

/** A scrape whose line 3 is `bad`, after a comment and a good series. */
function withBadThirdLine(bad: string): string {
  return lines('# TYPE DCGM_FI_DEV_GPU_UTIL gauge', good, bad, series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 20));
}

describe('parseDcgmText rejects malformed text, naming the line', () => {
  it.each([
    ['a line that does not start with a metric name', '{gpu="0"} 1', /line 3: expected a metric name/],
    ['a name followed by junk', 'DCGM_FI_DEV_GPU_UTIL-1 5', /line 3: unexpected character after the metric name/],
    ['a series without a value', series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2), ''), /line 3: missing value/],
    ['a bad number', series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2), '12,5'), /line 3: bad number "12,5"/],
    ['a word for a value', series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(2), 'high'), /line 3: bad number "high"/],
    ['a bad timestamp', `${series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2), 1)} 12:00`, /line 3: bad timestamp "12:00"/],
    [
      'text after the timestamp',
      `${series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2), 1)} 17 extra`,
      /line 3: unexpected text after the timestamp/,
    ],
    ['an unterminated label value', 'DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-2} 5', /line 3: unterminated label value for UUID/],
    [
      'an unterminated label value ending in a backslash',
      'DCGM_FI_DEV_GPU_UTIL{UUID="GPU-2\\',
      /line 3: unterminated label value for UUID/,
    ],
    ['an unknown escape', 'DCGM_FI_DEV_GPU_UTIL{UUID="GPU-\\x2",Hostname="h"} 5', /line 3: invalid escape "\\x" in label UUID/],
    ['an unterminated label set', 'DCGM_FI_DEV_GPU_UTIL{UUID="GPU-2",Hostname="h" 5', /line 3: expected "," or "}" after label Hostname/],
    ['a label without a value', 'DCGM_FI_DEV_GPU_UTIL{UUID} 5', /line 3: expected "=" after label UUID/],
    ['an unquoted label value', 'DCGM_FI_DEV_GPU_UTIL{UUID=GPU-2} 5', /line 3: expected a quoted value for label UUID/],
    ['a label name starting with a digit', 'DCGM_FI_DEV_GPU_UTIL{0gpu="1"} 5', /line 3: expected a label name/],
    ['a label given twice', 'DCGM_FI_DEV_GPU_UTIL{UUID="a",UUID="b",Hostname="h"} 5', /line 3: label UUID appears twice/],
  ])('rejects %s', (_what, bad, message) => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine(bad)));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(error.detail).toMatchObject({ line: 3 });
  });

  it('counts CRLF lines like LF lines in the line number', () => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine('oops!').replace(/\n/g, '\r\n')));
    expect(error.detail).toMatchObject({ line: 3 });
  });

  it('names the line in the real fixture when one value there is corrupted', () => {
    const text = readFixture('dcgm-exporter/h100-node-sampled.txt').replace('} 110.786000', '} 110.78.6');
    const error = domainErrorOf(() => parseDcgmText(text));
    expect(error.message).toMatch(/^line 11: bad number "110\.78\.6"/);
  });
});

describe('parseDcgmText rejects duplicate series', () => {
  it('names the line of the second occurrence and of the first', () => {
    const text = lines(good, series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), 100), good);
    const error = domainErrorOf(() => parseDcgmText(text));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/^line 3: duplicate series DCGM_FI_DEV_GPU_UTIL\{.*\} \(first at line 1\)/);
    expect(error.detail).toEqual({ line: 3, firstLine: 1 });
  });

  it('sees the same label set in another order as a duplicate', () => {
    const labels = gpuLabels(0);
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    const text = lines(series('DCGM_FI_DEV_GPU_UTIL', labels, 1), series('DCGM_FI_DEV_GPU_UTIL', reversed, 2, ', '));
    expect(domainErrorOf(() => parseDcgmText(text)).detail).toEqual({ line: 2, firstLine: 1 });
  });

  it('sees a third copy after a per-pod copy as a duplicate of the right line', () => {
    const podA = gpuLabels(0, { namespace: 'ns', pod: 'a' });
    const podB = gpuLabels(0, { namespace: 'ns', pod: 'b' });
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', podA, 1),
      series('DCGM_FI_DEV_GPU_UTIL', podB, 1),
      series('DCGM_FI_DEV_GPU_UTIL', podB, 1),
    );
    expect(domainErrorOf(() => parseDcgmText(text)).detail).toEqual({ line: 3, firstLine: 2 });
  });

  it('allows one series per MIG instance of a GPU', () => {
    const text = lines(
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0, { GPU_I_ID: '1' }), 1),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0, { GPU_I_ID: '2' }), 2),
    );
    expect(parseDcgmText(text).samples[0]?.memUsedMiB).toBe(3);
  });
});

describe('parseDcgmText rejects readings outside their physical range', () => {
  it.each([
    ['DCGM_FI_DEV_GPU_UTIL', '101', /GPU_UTIL value 101 is out of range \(must be 0–100 %\)/],
    ['DCGM_FI_DEV_GPU_UTIL', '-1', /GPU_UTIL value -1 is out of range/],
    ['DCGM_FI_DEV_GPU_UTIL', '+Inf', /GPU_UTIL value Infinity is out of range/],
    ['DCGM_FI_DEV_GPU_UTIL', '2147483631', /GPU_UTIL value 2147483631 is out of range/],
    ['DCGM_FI_DEV_POWER_USAGE', '-0.5', /POWER_USAGE value -0.5 is out of range \(must be 0–5000 W\)/],
    ['DCGM_FI_DEV_POWER_USAGE', '5000.1', /POWER_USAGE value 5000.1 is out of range/],
    ['DCGM_FI_DEV_FB_USED', '-5', /FB_USED value -5 is out of range \(must be ≥ 0 MiB\)/],
    ['DCGM_FI_DEV_FB_FREE', '-Inf', /FB_FREE value -Infinity is out of range/],
    ['DCGM_FI_DEV_FB_RESERVED', '-1', /FB_RESERVED value -1 is out of range/],
    ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', '1.2', /GR_ENGINE_ACTIVE value 1.2 is out of range \(must be a ratio 0–1\)/],
    ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', '-0.1', /GR_ENGINE_ACTIVE value -0.1 is out of range/],
    ['DCGM_FI_DEV_XID_ERRORS', '1.5', /XID_ERRORS value 1.5 is out of range \(must be an integer ≥ 0\)/],
  ])('rejects %s = %s', (family, value, message) => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine(series(family, gpuLabels(2), value))));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/^line 3: /);
    expect(error.message).toMatch(message);
    expect(error.detail).toEqual({ line: 3 });
  });

  it('accepts the edges of each range', () => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 100),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), 5000),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0), 0),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', gpuLabels(1), 1),
    );
    expect(parseDcgmText(text).samples.map((s) => [s.utilPercent, s.powerWatts, s.memUsedMiB])).toEqual([
      [100, 5000, 0],
      [100, null, null],
    ]);
  });
});

describe('parseDcgmText rejects series it cannot place', () => {
  it('rejects a used family without a UUID label', () => {
    const error = domainErrorOf(() =>
      parseDcgmText(withBadThirdLine(series('DCGM_FI_DEV_POWER_USAGE', without(gpuLabels(2), 'UUID'), 70))),
    );
    expect(error.message).toMatch(/^line 3: DCGM_FI_DEV_POWER_USAGE has no UUID label/);
    expect(error.detail).toEqual({ line: 3 });
  });

  it('rejects an ignored DCGM_FI_ family without a UUID label', () => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine(series('DCGM_FI_DEV_GPU_TEMP', without(gpuLabels(2), 'UUID'), 30))));
    expect(error.message).toMatch(/^line 3: DCGM_FI_DEV_GPU_TEMP has no UUID label/);
  });

  it('rejects a series without a host label when no default host is given', () => {
    const error = domainErrorOf(() =>
      parseDcgmText(withBadThirdLine(series('DCGM_FI_DEV_GPU_UTIL', without(gpuLabels(2), 'Hostname'), 1))),
    );
    expect(error.message).toMatch(/^line 3: no Hostname\/hostname label and no default host/);
    expect(error.detail).toEqual({ line: 3 });
  });

  it('rejects an empty UUID', () => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2, { UUID: '' }), 1))));
    expect(error.message).toMatch(/^line 3: empty UUID label/);
  });

  it('rejects a gpu label that is not an integer', () => {
    const error = domainErrorOf(() => parseDcgmText(withBadThirdLine(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2, { gpu: 'two' }), 1))));
    expect(error.message).toMatch(/^line 3: bad gpu label "two"/);
  });

  it('rejects a GPU whose host changes between lines', () => {
    const text = lines(good, series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0, { Hostname: 'node-z' }), 100));
    const error = domainErrorOf(() => parseDcgmText(text));
    expect(error.message).toMatch(/^line 2: GPU GPU-00000000-.* has host "node-z" here but "node-a" at line 1/);
  });

  it('rejects a GPU whose index changes between lines', () => {
    const text = lines(good, series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0, { gpu: '5' }), 100));
    expect(domainErrorOf(() => parseDcgmText(text)).message).toMatch(/^line 2: .* has gpu="5" here but gpu="0" at line 1/);
  });
});

describe('parseDcgmText size limits', () => {
  const text = lines('# HELP x y', good, series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 2), series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(2), 3));

  it('rejects more lines than maxLines with code too_large and the first line past it', () => {
    const error = domainErrorOf(() => parseDcgmText(text, { maxLines: 3 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/^line 4: more than 3 lines/);
    expect(error.detail).toMatchObject({ line: 4 });
  });

  it('rejects more series than maxSeries with code too_large', () => {
    const error = domainErrorOf(() => parseDcgmText(text, { maxSeries: 2 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/^line 4: more than 2 series/);
    expect(error.detail).toMatchObject({ line: 4 });
  });

  it('accepts a text exactly at both limits', () => {
    expect(parseDcgmText(text, { maxLines: 4, maxSeries: 3 }).samples).toHaveLength(3);
  });
});

describe('parseDcgmText is all or nothing', () => {
  it('throws for a long good batch with one bad last line instead of returning the good part', () => {
    const rows = Array.from({ length: 8 }, (_, i) => series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(i), 100 + i));
    let result: unknown = 'nothing returned';
    expect(() => {
      result = parseDcgmText(lines(...rows, series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(7), 101)));
    }).toThrow(/^line 9: /);
    expect(result).toBe('nothing returned');
  });
});
