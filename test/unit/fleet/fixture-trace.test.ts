import { describe, expect, it } from 'vitest';
import { estimateUtilization } from '../../../server/src/domain/fleet/classify.js';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import type { GpuSample } from '../../../server/src/domain/fleet/readings.js';
import { classifySample, SampleClass } from '../../../server/src/domain/fleet/utilization.js';
import { parseNvidiaSmiCsv } from '../../../server/src/pipeline/ingest/nvidia-smi-csv.js';
import { fixture } from '../../fixtures/index.js';

/**
 * The real H100 trace (test/fixtures/nvidia-smi): truly idle (0 MiB), then a context holding
 * 785 MiB with no kernels (held), then a bf16 matmul loop at 1011 MiB (busy). The parts are
 * told apart by memory in use, which is how the capture was made.
 */
const trace = parseNvidiaSmiCsv(fixture('nvidia-smi/h100-trace-idle-then-full.csv'), { host: 'h100' }).samples;
const part = (test: (mem: number) => boolean): GpuSample[] => trace.filter((s) => test(s.memUsedMiB ?? -1));
const idle = part((m) => m < 256);
const held = part((m) => m === 785);
const busy = part((m) => m === 1011);
const H100 = 0;

describe('utilization estimate on the real H100 trace', () => {
  it('splits the trace into its three parts', () => {
    expect([idle.length, held.length, busy.length]).toEqual([15, 20, 51]);
  });

  it('reads the busy part at ≥ 0.9', () => {
    expect(estimateUtilization(busy, H100)).toBeGreaterThanOrEqual(0.9);
  });

  it('reads the idle and held parts at ≤ 0.1', () => {
    expect(estimateUtilization(idle, H100)).toBeLessThanOrEqual(0.1);
    expect(estimateUtilization(held, H100)).toBeLessThanOrEqual(0.1);
  });

  it('classifies every single sample of each part as that part', () => {
    const classes = (samples: GpuSample[]) =>
      samples.map((s) => classifySample(s.utilPercent ?? NaN, s.powerWatts ?? NaN, s.memUsedMiB ?? NaN, gpuModelAt(H100)));
    expect(classes(idle).every((c) => c === SampleClass.idle)).toBe(true);
    expect(classes(held).every((c) => c === SampleClass.held)).toBe(true);
    expect(classes(busy).every((c) => c === SampleClass.busy)).toBe(true);
  });
});
