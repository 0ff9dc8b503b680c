import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { gpuLabels, gpuUuid, lines, readFixture, series, without } from './builders.js';

const FIXTURE_HOST = 'ip-100-64-147-149.ec2.internal';

/** The real fixture with HELP/TYPE before each family, as a full scrape prints it. */
function withHelpAndType(text: string): string {
  const out: string[] = [];
  let family = '';
  for (const line of text.split('\n')) {
    const name = line.slice(0, line.indexOf('{'));
    if (line !== '' && name !== family) {
      family = name;
      out.push(`# HELP ${name} Help text for ${name}.`, `# TYPE ${name} gauge`);
    }
    out.push(line);
  }
  return out.join('\n');
}

describe('parseDcgmText on the real dcgm-exporter fixture', () => {
  const text = readFixture('dcgm-exporter/h100-node-sampled.txt');

  it('gives one sample per GPU, 8 GPUs on the fixture host in index order', () => {
    const batch = parseDcgmText(text);
    expect(batch.samples).toHaveLength(8);
    expect(batch.samples.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(batch.samples.map((s) => s.host))).toEqual(new Set([FIXTURE_HOST]));
    expect(batch.nodes).toEqual([]);
    expect(batch.meters).toEqual([]);
  });

  it('reads GPU 0 at 67.433 W and 0 % with its UUID and model', () => {
    const gpu0 = parseDcgmText(text).samples[0];
    expect(gpu0).toEqual({
      uuid: 'GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138',
      host: FIXTURE_HOST,
      index: 0,
      modelName: 'NVIDIA H100 80GB HBM3',
      utilPercent: 0,
      powerWatts: 67.433,
      powerLimitWatts: null,
      memUsedMiB: null,
      memTotalMiB: null,
      xid: null,
      offsetMs: 0,
    });
  });

  it('reads GPU 2, the one running a pod with an empty pod_uid, at 110.786 W and 0 %', () => {
    const gpu2 = parseDcgmText(text).samples.find((s) => s.index === 2);
    expect(gpu2?.uuid).toBe('GPU-8d76cfcf-a144-5e43-876b-a4b71f2aecd1');
    expect(gpu2?.powerWatts).toBe(110.786);
    expect(gpu2?.utilPercent).toBe(0);
  });

  it('reads every GPU power the fixture lists', () => {
    const watts = parseDcgmText(text).samples.map((s) => s.powerWatts);
    expect(watts).toEqual([67.433, 70.849, 110.786, 67.933, 69.14, 67.033, 67.156, 68.495]);
  });

  it('parses the same with CRLF line endings', () => {
    expect(parseDcgmText(text.replace(/\n/g, '\r\n'))).toEqual(parseDcgmText(text));
  });

  it('parses the same with HELP and TYPE before each family', () => {
    expect(parseDcgmText(withHelpAndType(text))).toEqual(parseDcgmText(text));
  });

  it('parses the same without a final newline', () => {
    expect(parseDcgmText(text.trimEnd())).toEqual(parseDcgmText(text));
  });
});

describe('parseDcgmText layouts and labels', () => {
  it('accepts the older layout: every HELP/TYPE first, samples after, ", " between labels', () => {
    const text = lines(
      '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).',
      '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
      '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
      '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
      '',
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 42, ', '),
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 7, ', '),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), '512.250000', ', '),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(1), '131.000000', ', '),
    );
    const [a, b] = parseDcgmText(text).samples;
    expect(a).toMatchObject({ uuid: gpuUuid(0), index: 0, utilPercent: 42, powerWatts: 512.25, host: 'node-a' });
    expect(b).toMatchObject({ uuid: gpuUuid(1), index: 1, utilPercent: 7, powerWatts: 131 });
  });

  it('accepts GPU-major order (all families of GPU 0, then GPU 1)', () => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 10),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), 100),
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 20),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(1), 200),
    );
    expect(parseDcgmText(text).samples.map((s) => [s.utilPercent, s.powerWatts])).toEqual([
      [10, 100],
      [20, 200],
    ]);
  });

  it('takes the host from a lowercase hostname label as newer exporters print it', () => {
    const labels = without(gpuLabels(0), 'Hostname');
    const text = lines(series('DCGM_FI_DEV_GPU_UTIL', { ...labels, hostname: 'node-b' }, 5));
    expect(parseDcgmText(text).samples[0]?.host).toBe('node-b');
  });

  it('falls back to the default host when the series carry no host label', () => {
    const text = lines(series('DCGM_FI_DEV_GPU_UTIL', without(gpuLabels(0), 'Hostname'), 5));
    expect(parseDcgmText(text, { defaultHost: '10.0.0.7:9400' }).samples[0]?.host).toBe('10.0.0.7:9400');
  });

  it('prefers the series host label over the default host', () => {
    const text = lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 5));
    expect(parseDcgmText(text, { defaultHost: 'target' }).samples[0]?.host).toBe('node-a');
  });

  it('reports index -1 and no model when the gpu and modelName labels are missing', () => {
    const text = lines(series('DCGM_FI_DEV_POWER_USAGE', without(gpuLabels(3), 'gpu', 'modelName'), 70));
    expect(parseDcgmText(text).samples[0]).toMatchObject({ index: -1, modelName: null, powerWatts: 70 });
  });

  it('unescapes \\\\, \\" and \\n in the label values it keeps', () => {
    const text = lines(`DCGM_FI_DEV_GPU_UTIL{UUID="GPU-x",modelName="A \\"quoted\\" \\\\ name\\nline2",Hostname="h"} 1`);
    expect(parseDcgmText(text).samples[0]?.modelName).toBe('A "quoted" \\ name\nline2');
  });

  it('accepts escapes, spaces, commas and braces inside label values it ignores', () => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0, { pod_uid: 'a, b {c} = \\"d\\"', vgpu: '' }), 9),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0, { pod_uid: 'a, b {c} = \\"d\\"', vgpu: '' }), 90),
    );
    expect(parseDcgmText(text).samples[0]).toMatchObject({ utilPercent: 9, powerWatts: 90 });
  });

  it('accepts a timestamp after the value, a trailing comma in the label set and spaces around tokens', () => {
    const text = lines(
      `DCGM_FI_DEV_GPU_UTIL{UUID="GPU-a", Hostname = "h",} 12 1732665466886`,
      `DCGM_FI_DEV_POWER_USAGE {UUID="GPU-a",Hostname="h"}\t300.5\t-5`,
    );
    expect(parseDcgmText(text).samples[0]).toMatchObject({ utilPercent: 12, powerWatts: 300.5 });
  });

  it('reads values in exponent form', () => {
    const text = lines(series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), '6.5e2'), series('DCGM_FI_DEV_FB_USED', gpuLabels(0), '1.2E+03'));
    expect(parseDcgmText(text).samples[0]).toMatchObject({ powerWatts: 650, memUsedMiB: 1200 });
  });

  it('syntax-checks and ignores other families, including ones with Inf, NaN and no labels', () => {
    const text = lines(
      '# HELP go_goroutines Number of goroutines.',
      '# TYPE go_goroutines gauge',
      'go_goroutines 12',
      'process_cpu_seconds_total 1.5e3',
      'promhttp_metric_handler_requests_total{code="200"} +Inf',
      series('DCGM_FI_DEV_GPU_TEMP', gpuLabels(0), 'NaN'),
      series('DCGM_FI_DEV_SM_CLOCK', gpuLabels(0), '-Inf'),
      series('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', gpuLabels(0), '319159391'),
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 3),
    );
    const batch = parseDcgmText(text);
    expect(batch.samples).toHaveLength(1);
    expect(batch.samples[0]?.utilPercent).toBe(3);
  });

  it('accepts NVSwitch series, which carry no UUID', () => {
    const text = lines(
      'DCGM_FI_DEV_NVSWITCH_FATAL_ERRORS{nvswitch="0",Hostname="node-a"} 0',
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 3),
    );
    expect(parseDcgmText(text).samples).toHaveLength(1);
  });

  it('gives no sample for a GPU seen only in families it ignores', () => {
    const text = lines(series('DCGM_FI_DEV_GPU_TEMP', gpuLabels(0), 30), series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 3));
    expect(parseDcgmText(text).samples.map((s) => s.uuid)).toEqual([gpuUuid(1)]);
  });

  it('returns an empty batch for an empty scrape', () => {
    expect(parseDcgmText('')).toEqual({ samples: [], nodes: [], meters: [] });
    expect(parseDcgmText('# HELP x y\n\n')).toEqual({ samples: [], nodes: [], meters: [] });
  });
});

describe('parseDcgmText readings', () => {
  it('adds FB_FREE, FB_USED and FB_RESERVED into the total memory', () => {
    const text = lines(
      series('DCGM_FI_DEV_FB_FREE', gpuLabels(0), 80000),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0), 1011),
      series('DCGM_FI_DEV_FB_RESERVED', gpuLabels(0), 548),
    );
    expect(parseDcgmText(text).samples[0]).toMatchObject({ memUsedMiB: 1011, memTotalMiB: 81559 });
  });

  it('adds FB_FREE and FB_USED when FB_RESERVED is not exported', () => {
    const text = lines(series('DCGM_FI_DEV_FB_FREE', gpuLabels(0), 80548), series('DCGM_FI_DEV_FB_USED', gpuLabels(0), 1011));
    expect(parseDcgmText(text).samples[0]).toMatchObject({ memUsedMiB: 1011, memTotalMiB: 81559 });
  });

  it('leaves the total unknown when FB_USED is missing', () => {
    const text = lines(series('DCGM_FI_DEV_FB_FREE', gpuLabels(0), 80548));
    expect(parseDcgmText(text).samples[0]).toMatchObject({ memUsedMiB: null, memTotalMiB: null });
  });

  it('uses GR_ENGINE_ACTIVE × 100 as utilization only when GPU_UTIL is absent', () => {
    const withBoth = lines(series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 40), series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', gpuLabels(0), '0.9'));
    const ratioOnly = lines(series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', gpuLabels(0), '0.25'));
    expect(parseDcgmText(withBoth).samples[0]?.utilPercent).toBe(40);
    expect(parseDcgmText(ratioOnly).samples[0]?.utilPercent).toBe(25);
  });

  it('reads the last XID error code', () => {
    const text = lines(series('DCGM_FI_DEV_XID_ERRORS', gpuLabels(0), 79), series('DCGM_FI_DEV_XID_ERRORS', gpuLabels(1), 0));
    expect(parseDcgmText(text).samples.map((s) => s.xid)).toEqual([79, 0]);
  });

  it('keeps the first reading of a shared GPU repeated per pod with other labels', () => {
    const text = lines(
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0, { pod: 'a', namespace: 'ns' }), 300),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0, { pod: 'b', namespace: 'ns' }), 300),
    );
    expect(parseDcgmText(text).samples).toHaveLength(1);
    expect(parseDcgmText(text).samples[0]?.powerWatts).toBe(300);
  });
});
