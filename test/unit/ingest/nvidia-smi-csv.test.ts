import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from '../../../server/src/pipeline/ingest/nvidia-smi-csv.js';
import { domainErrorOf, lines, readFixture } from './builders.js';

const UUID = 'GPU-02df41d3-4f7b-58e5-cf54-f1b3e4402795';
const HEADER =
  'timestamp, index, uuid, name, pci.bus_id, driver_version, pstate, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], power.draw [W], power.limit [W], enforced.power.limit [W], temperature.gpu, clocks.current.sm [MHz], clocks.max.sm [MHz]';

interface RowValues {
  time: string;
  index: string;
  uuid: string;
  util: string;
  memUsed: string;
  memTotal: string;
  power: string;
}

/** A row of the default 17 columns, with units as `--format=csv` prints them. */
function row(overrides: Partial<RowValues> = {}): string {
  const v: RowValues = {
    time: '2026/11/27 00:37:46.886',
    index: '0',
    uuid: UUID,
    util: '0 %',
    memUsed: '0 MiB',
    memTotal: '81559 MiB',
    power: '119.32 W',
    ...overrides,
  };
  return [
    v.time,
    v.index,
    v.uuid,
    'NVIDIA H100 80GB HBM3',
    '00000000:00:06.0',
    '580.159.04',
    'P0',
    v.util,
    '0 %',
    v.memUsed,
    v.memTotal,
    v.power,
    '700.00 W',
    '700.00 W',
    '34',
    '1980 MHz',
    '1980 MHz',
  ].join(', ');
}

const opts = { host: 'gpu-node-1' };

describe('parseNvidiaSmiCsv on the real nvidia-smi fixtures', () => {
  it('reads the nounits query as one sample: 0 %, 119.29 W, 0 of 81559 MiB', () => {
    const batch = parseNvidiaSmiCsv(readFixture('nvidia-smi/h100-query-nounits.csv'), opts);
    expect(batch).toEqual({
      samples: [
        {
          uuid: UUID,
          host: 'gpu-node-1',
          index: 0,
          modelName: 'NVIDIA H100 80GB HBM3',
          utilPercent: 0,
          powerWatts: 119.29,
          // The nounits fixture carries power.limit and enforced.power.limit, both 700 W.
          powerLimitWatts: 700,
          memUsedMiB: 0,
          memTotalMiB: 81559,
          xid: null,
          offsetMs: 0,
        },
      ],
      nodes: [],
      meters: [],
    });
  });

  describe('the -lms 500 trace with a header line', () => {
    const samples = parseNvidiaSmiCsv(readFixture('nvidia-smi/h100-trace-idle-then-full.csv'), opts).samples;

    it('gives 86 samples of the one GPU', () => {
      expect(samples).toHaveLength(86);
      expect(new Set(samples.map((s) => s.uuid))).toEqual(new Set([UUID]));
    });

    it('has offsets rising to 0 at the last row, 42.903 s after the first', () => {
      const offsets = samples.map((s) => s.offsetMs);
      for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1] as number);
      expect(offsets.at(-1)).toBe(0);
      expect(offsets[0]).toBe(-42_903); // 00:37:46.886 → 00:38:29.789
      expect(offsets[1]).toBe(-42_393); // 00:37:47.396
    });

    it('reads the first row: idle-ish at 119.32 W, 0 %, 0 of 81559 MiB', () => {
      expect(samples[0]).toMatchObject({
        index: 0,
        utilPercent: 0,
        powerWatts: 119.32,
        memUsedMiB: 0,
        memTotalMiB: 81559,
        modelName: 'NVIDIA H100 80GB HBM3',
      });
    });

    it('reads the last row: busy at 99 %, 699.88 W, 1011 MiB', () => {
      expect(samples.at(-1)).toMatchObject({ utilPercent: 99, powerWatts: 699.88, memUsedMiB: 1011, memTotalMiB: 81559 });
    });

    it('shows the three phases: idle at 0 MiB, held at 785 MiB and 0 %, busy near the 700 W cap', () => {
      expect(samples.some((s) => s.memUsedMiB === 0 && (s.powerWatts ?? 0) < 75)).toBe(true);
      expect(samples.some((s) => s.memUsedMiB === 785 && s.utilPercent === 0)).toBe(true);
      expect(samples.some((s) => (s.utilPercent ?? 0) >= 97 && (s.powerWatts ?? 0) > 690)).toBe(true);
    });
  });
});

describe('parseNvidiaSmiCsv columns', () => {
  it('reads values with units and no header in the default order', () => {
    expect(parseNvidiaSmiCsv(lines(row({ util: '37 %', power: '402.5 W' })), opts).samples[0]).toMatchObject({
      utilPercent: 37,
      powerWatts: 402.5,
    });
  });

  it('maps columns by header name whatever their order, units stripped from the names', () => {
    const text = lines(
      'power.draw [W], uuid, utilization.gpu [%], memory.total [MiB], memory.used [MiB]',
      `250.00 W, ${UUID}, 55 %, 81559 MiB, 1024 MiB`,
    );
    expect(parseNvidiaSmiCsv(text, opts).samples[0]).toMatchObject({
      uuid: UUID,
      index: -1,
      modelName: null,
      utilPercent: 55,
      powerWatts: 250,
      memUsedMiB: 1024,
      memTotalMiB: 81559,
    });
  });

  it('reads a header with nounits values', () => {
    const text = lines('uuid, utilization.gpu [%], power.draw [W]', `${UUID}, 12, 300.25`);
    expect(parseNvidiaSmiCsv(text, opts).samples[0]).toMatchObject({ utilPercent: 12, powerWatts: 300.25 });
  });

  it('takes the column order from opts.fields and understands query aliases', () => {
    const text = lines(`${UUID}, 1980, 88, 650.00`);
    const batch = parseNvidiaSmiCsv(text, { host: 'h', fields: ['gpu_uuid', 'clocks.sm', 'utilization.gpu', 'power.draw'] });
    expect(batch.samples[0]).toMatchObject({ uuid: UUID, utilPercent: 88, powerWatts: 650, offsetMs: 0 });
  });

  it('detects the header the trace fixture prints, clocks.current.sm included', () => {
    const text = lines(HEADER, row());
    expect(parseNvidiaSmiCsv(text, opts).samples).toHaveLength(1);
  });

  it('uses power.draw.instant when power.draw is not queried', () => {
    const text = lines('uuid, power.draw.instant [W]', `${UUID}, 640.00 W`);
    expect(parseNvidiaSmiCsv(text, opts).samples[0]?.powerWatts).toBe(640);
  });

  it.each(['[N/A]', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', 'N/A'])('reads %s as no reading', (token) => {
    const text = lines(row({ util: token, power: token, memUsed: token, memTotal: token, index: token }));
    expect(parseNvidiaSmiCsv(text, opts).samples[0]).toMatchObject({
      index: -1,
      utilPercent: null,
      powerWatts: null,
      memUsedMiB: null,
      memTotalMiB: null,
    });
  });

  it('accepts CRLF line endings and blank lines', () => {
    const text = `${HEADER}\r\n${row()}\r\n\r\n`;
    expect(parseNvidiaSmiCsv(text, opts).samples[0]).toMatchObject({ powerWatts: 119.32, offsetMs: 0 });
  });

  it('returns an empty batch for empty output', () => {
    expect(parseNvidiaSmiCsv('', opts)).toEqual({ samples: [], nodes: [], meters: [] });
    expect(parseNvidiaSmiCsv(`${HEADER}\n`, opts)).toEqual({ samples: [], nodes: [], meters: [] });
  });
});

describe('parseNvidiaSmiCsv traces of several GPUs', () => {
  const other = 'GPU-11111111-2222-3333-4444-555555555555';

  it('keeps each GPU oldest first with offsets from the newest row of the batch', () => {
    const text = lines(
      row({ time: '2026/11/27 23:59:59.500', util: '10 %' }),
      row({ time: '2026/11/27 23:59:59.510', uuid: other, index: '1', util: '20 %' }),
      row({ time: '2026/11/28 00:00:00.000', util: '30 %' }),
      row({ time: '2026/11/28 00:00:00.020', uuid: other, index: '1', util: '40 %' }),
    );
    const samples = parseNvidiaSmiCsv(text, opts).samples;
    expect(samples.map((s) => [s.index, s.utilPercent, s.offsetMs])).toEqual([
      [0, 10, -520],
      [1, 20, -510],
      [0, 30, -20],
      [1, 40, 0],
    ]);
  });

  it('puts rows that arrive out of order back in time order', () => {
    const text = lines(row({ time: '2026/11/27 00:00:02.000', util: '2 %' }), row({ time: '2026/11/27 00:00:01.000', util: '1 %' }));
    expect(parseNvidiaSmiCsv(text, opts).samples.map((s) => [s.utilPercent, s.offsetMs])).toEqual([
      [1, -1000],
      [2, 0],
    ]);
  });
});

describe('parseNvidiaSmiCsv rejects bad output, naming line and column', () => {
  it.each([
    ['a row with a column missing', row().replace(', P0', ''), /^line 2: expected 17 columns, found 16/, undefined],
    ['a bad number', row({ power: 'lots W' }), /^line 2, column power\.draw \(12\): bad number "lots W"/, 'power.draw'],
    ['kW on the power column', row({ power: '119 kW' }), /^line 2, column power\.draw \(12\): unit "kW" where W is expected/, 'power.draw'],
    [
      'MiB on a % column',
      row({ util: '5 MiB' }),
      /^line 2, column utilization\.gpu \(8\): unit "MiB" where % is expected/,
      'utilization.gpu',
    ],
    ['a timestamp that is not one', row({ time: 'yesterday' }), /^line 2, column timestamp \(1\): bad timestamp "yesterday"/, 'timestamp'],
    ['a 13th month', row({ time: '2026/13/01 00:00:00.000' }), /^line 2, column timestamp \(1\): bad timestamp/, 'timestamp'],
    ['a 30th of February', row({ time: '2026/02/30 00:00:00.000' }), /^line 2, column timestamp \(1\): bad timestamp/, 'timestamp'],
    ['a missing timestamp', row({ time: '[N/A]' }), /^line 2, column timestamp \(1\): bad timestamp/, 'timestamp'],
    [
      'utilization over 100 %',
      row({ util: '101 %' }),
      /^line 2, column utilization\.gpu \(8\): 101 % is out of range \(must be 0–100 %\)/,
      'utilization.gpu',
    ],
    ['negative power', row({ power: '-1 W' }), /^line 2, column power\.draw \(12\): -1 W is out of range/, 'power.draw'],
    [
      'power over 5000 W',
      row({ power: '5001 W' }),
      /^line 2, column power\.draw \(12\): 5001 W is out of range \(must be 0–5000 W\)/,
      'power.draw',
    ],
    [
      'negative memory',
      row({ memUsed: '-3 MiB' }),
      /^line 2, column memory\.used \(10\): -3 MiB is out of range \(must be ≥ 0 MiB\)/,
      'memory.used',
    ],
    ['a missing uuid', row({ uuid: '[N/A]' }), /^line 2, column uuid \(3\): missing uuid/, 'uuid'],
    ['a bad index', row({ index: 'first' }), /^line 2, column index \(2\): bad index "first"/, 'index'],
  ])('rejects %s', (_what, bad, message, column) => {
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines(row(), bad, row({ time: '2026/11/27 00:37:48.000' })), opts));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(error.detail).toEqual(column === undefined ? { line: 2 } : { line: 2, column });
  });

  it('rejects a header whose unit is wrong for the column', () => {
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines('uuid, power.draw [kW]', `${UUID}, 0.5`), opts));
    expect(error.message).toMatch(/^line 1, column power\.draw \(2\): header unit \[kW\] where \[W\] is expected/);
  });

  it('rejects fields without a uuid column', () => {
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines('0, 50'), { host: 'h', fields: ['index', 'utilization.gpu'] }));
    expect(error.message).toMatch(/no uuid column/);
  });

  it('rejects fields with neither utilization.gpu nor power.draw', () => {
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines(`${UUID}, 1024`), { host: 'h', fields: ['uuid', 'memory.used'] }));
    expect(error.message).toMatch(/needs a utilization\.gpu or power\.draw column/);
  });

  it('rejects two rows for one GPU at the same instant', () => {
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines(HEADER, row(), row()), opts));
    expect(error.message).toMatch(/^line 3: duplicate row for GPU GPU-02df41d3-.* \(first at line 2\)/);
    expect(error.detail).toEqual({ line: 3, firstLine: 2 });
  });

  it('rejects two rows for one GPU when there is no timestamp column', () => {
    const fields = ['uuid', 'utilization.gpu'];
    const error = domainErrorOf(() => parseNvidiaSmiCsv(lines(`${UUID}, 1`, `GPU-other, 2`, `${UUID}, 3`), { host: 'h', fields }));
    expect(error.message).toMatch(/^line 3: duplicate row for GPU GPU-02df41d3-.* \(first at line 1\)/);
  });

  it('rejects more lines than maxLines with code too_large', () => {
    const error = domainErrorOf(() =>
      parseNvidiaSmiCsv(readFixture('nvidia-smi/h100-trace-idle-then-full.csv'), { host: 'h', maxLines: 50 }),
    );
    expect(error.code).toBe('too_large');
    expect(error.detail).toMatchObject({ line: 51 });
  });

  it('rejects an empty host', () => {
    expect(domainErrorOf(() => parseNvidiaSmiCsv(lines(row()), { host: ' ' })).code).toBe('invalid');
  });

  it('throws for the whole trace when its last row is bad, returning nothing partial', () => {
    const text = `${readFixture('nvidia-smi/h100-trace-idle-then-full.csv').trimEnd()}\n${row({ time: '2026/11/27 00:38:30.000', power: '119 kW' })}\n`;
    let result: unknown = 'nothing returned';
    expect(() => {
      result = parseNvidiaSmiCsv(text, opts);
    }).toThrow(/^line 88, column power\.draw/);
    expect(result).toBe('nothing returned');
  });
});
