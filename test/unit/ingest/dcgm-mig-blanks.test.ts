import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { gpuLabels, gpuUuid, lines, series, type Labels } from './builders.js';

/** GPU 0 of an A100 in MIG mode: one series per GPU instance. */
function instance(id: number, profile: string): Labels {
  return gpuLabels(0, { modelName: 'NVIDIA A100-SXM4-40GB', GPU_I_PROFILE: profile, GPU_I_ID: String(id) });
}

describe('parseDcgmText MIG folding', () => {
  const a = instance(1, '3g.20gb');
  const b = instance(13, '1g.5gb');

  it('folds the instances of one UUID into one sample', () => {
    const text = lines(
      series('DCGM_FI_DEV_POWER_USAGE', a, '250.5'),
      series('DCGM_FI_DEV_POWER_USAGE', b, '250.5'),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', a, '0.5'),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', b, '1'),
      series('DCGM_FI_DEV_FB_USED', a, 1000),
      series('DCGM_FI_DEV_FB_USED', b, 200),
      series('DCGM_FI_DEV_FB_FREE', a, 19000),
      series('DCGM_FI_DEV_FB_FREE', b, 4600),
    );
    const samples = parseDcgmText(text).samples;
    expect(samples).toHaveLength(1);
    expect(samples[0]).toEqual({
      uuid: gpuUuid(0),
      host: 'node-a',
      index: 0,
      modelName: 'NVIDIA A100-SXM4-40GB',
      utilPercent: 75,
      powerWatts: 250.5,
      powerLimitWatts: null,
      memUsedMiB: 1200,
      memTotalMiB: 24800,
      xid: null,
      offsetMs: 0,
    });
  });

  it('takes the highest power when the instances disagree', () => {
    const text = lines(series('DCGM_FI_DEV_POWER_USAGE', a, 240), series('DCGM_FI_DEV_POWER_USAGE', b, 260));
    expect(parseDcgmText(text).samples[0]?.powerWatts).toBe(260);
  });

  it('does not count the whole-GPU series on top of its instances', () => {
    // dcgm-exporter prints the whole GPU (no GPU_I_ID) as well as each instance.
    const whole = gpuLabels(0, { modelName: 'NVIDIA A100-SXM4-40GB' });
    const text = lines(
      series('DCGM_FI_DEV_POWER_USAGE', whole, 409.692),
      series('DCGM_FI_DEV_FB_USED', whole, 4845),
      series('DCGM_FI_DEV_FB_FREE', whole, 35690),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', whole, 0.99563),
      series('DCGM_FI_DEV_XID_ERRORS', b, 0),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', b, 0.5),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', a, 0.25),
      series('DCGM_FI_DEV_FB_USED', a, 100),
      series('DCGM_FI_DEV_FB_FREE', a, 900),
      series('DCGM_FI_DEV_FB_USED', b, 10),
      series('DCGM_FI_DEV_FB_FREE', b, 90),
    );
    const sample = parseDcgmText(text).samples[0];
    expect(sample).toMatchObject({ powerWatts: 409.692, utilPercent: 37.5, memUsedMiB: 110, memTotalMiB: 1100, xid: 0 });
  });

  it('uses the whole-GPU memory when no instance reports memory', () => {
    const whole = gpuLabels(0);
    const text = lines(
      series('DCGM_FI_DEV_FB_USED', whole, 4845),
      series('DCGM_FI_DEV_FB_FREE', whole, 35690),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', a, 0.5),
    );
    expect(parseDcgmText(text).samples[0]).toMatchObject({ memUsedMiB: 4845, memTotalMiB: 40535, utilPercent: 50 });
  });

  it('keeps GPUs with and without MIG apart', () => {
    const text = lines(
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', a, 0.5),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', b, 0.7),
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(1), 88),
    );
    const samples = parseDcgmText(text).samples;
    expect(samples.map((s) => s.uuid)).toEqual([gpuUuid(0), gpuUuid(1)]);
    expect(samples[0]?.utilPercent).toBeCloseTo(60, 10);
    expect(samples[1]?.utilPercent).toBe(88);
  });
});

describe('parseDcgmText DCGM blank sentinels', () => {
  it.each([
    ['DCGM_INT32_BLANK', '2147483632'],
    ['DCGM_INT32_NOT_SUPPORTED', '2147483634'],
    ['DCGM_INT64_BLANK', '9223372036854775792'],
    ['an INT64 sentinel seen in the wild', '9223372036854775794'],
    ['DCGM_FP64_BLANK', '140737488355328'],
    ['DCGM_FP64_BLANK in exponent form', '1.40737488355328e+14'],
    ['NaN', 'NaN'],
  ])('reads %s as no reading, not as an error', (_label, raw) => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), raw),
      series('DCGM_FI_DEV_POWER_USAGE', gpuLabels(0), raw),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0), raw),
      series('DCGM_FI_DEV_FB_FREE', gpuLabels(0), raw),
      series('DCGM_FI_DEV_XID_ERRORS', gpuLabels(0), raw),
    );
    expect(parseDcgmText(text).samples[0]).toMatchObject({
      utilPercent: null,
      powerWatts: null,
      memUsedMiB: null,
      memTotalMiB: null,
      xid: null,
    });
  });

  it('falls back to GR_ENGINE_ACTIVE when GPU_UTIL is blank', () => {
    const text = lines(
      series('DCGM_FI_DEV_GPU_UTIL', gpuLabels(0), 2147483632),
      series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', gpuLabels(0), 0.4),
    );
    expect(parseDcgmText(text).samples[0]?.utilPercent).toBeCloseTo(40, 10);
  });

  it('reads a blank GR_ENGINE_ACTIVE as unknown utilization', () => {
    const text = lines(series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', gpuLabels(0), 140737488355328));
    expect(parseDcgmText(text).samples[0]?.utilPercent).toBeNull();
  });

  it('leaves memory unknown when one MIG instance is blank', () => {
    const text = lines(
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0, { GPU_I_ID: '1' }), 100),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0, { GPU_I_ID: '2' }), 2147483647),
    );
    expect(parseDcgmText(text).samples[0]?.memUsedMiB).toBeNull();
  });

  it('leaves out a blank FB_RESERVED from the total rather than losing the total', () => {
    const text = lines(
      series('DCGM_FI_DEV_FB_FREE', gpuLabels(0), 80548),
      series('DCGM_FI_DEV_FB_USED', gpuLabels(0), 1011),
      series('DCGM_FI_DEV_FB_RESERVED', gpuLabels(0), 2147483632),
    );
    expect(parseDcgmText(text).samples[0]?.memTotalMiB).toBe(81559);
  });
});
