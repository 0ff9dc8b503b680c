import { describe, expect, it } from 'vitest';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { classifySample, powerActivity, SampleClass, sampleActivity } from '../../../server/src/domain/fleet/utilization.js';

const h100 = gpuModelAt(0);

describe('per-sample utilization signals', () => {
  it('maps H100 power linearly from 70 W idle to 700 W cap', () => {
    expect(powerActivity(70, h100)).toBe(0);
    expect(powerActivity(700, h100)).toBe(1);
    expect(powerActivity(385, h100)).toBeCloseTo(0.5, 10);
    expect(powerActivity(40, h100)).toBe(0);
    expect(powerActivity(750, h100)).toBe(1);
  });

  it('blends utilization and power equally when both are present', () => {
    expect(sampleActivity(100, 385, h100)).toBeCloseTo(0.75, 10);
    expect(sampleActivity(0, 385, h100)).toBeCloseTo(0.25, 10);
  });

  it('uses whichever signal is present, and NaN when neither is', () => {
    expect(sampleActivity(Number.NaN, 385, h100)).toBeCloseTo(0.5, 10);
    expect(sampleActivity(40, Number.NaN, h100)).toBeCloseTo(0.4, 10);
    expect(sampleActivity(Number.NaN, Number.NaN, h100)).toBeNaN();
  });

  it('reads a GPU half busy each second as busy even on a sample that aliased to 0 %', () => {
    expect(classifySample(0, 450, 30_000, h100)).toBe(SampleClass.busy);
  });

  it('reads a loaded context with no kernels (785 MiB, 116 W, 0 %) as held, not idle', () => {
    expect(classifySample(0, 116, 785, h100)).toBe(SampleClass.held);
  });

  it('reads a GPU with no context (0 MiB, 70 W) as idle', () => {
    expect(classifySample(0, 70, 0, h100)).toBe(SampleClass.idle);
  });

  it('falls back to power for held when memory is not reported', () => {
    expect(classifySample(0, 110.8, Number.NaN, h100)).toBe(SampleClass.held);
    expect(classifySample(0, 67.4, Number.NaN, h100)).toBe(SampleClass.idle);
  });

  it('marks a sample with neither utilization nor power invalid', () => {
    expect(classifySample(Number.NaN, Number.NaN, 0, h100)).toBe(SampleClass.invalid);
  });
});
