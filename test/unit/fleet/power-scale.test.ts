import { describe, expect, it } from 'vitest';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import {
  classifySample,
  powerScaleOf,
  SampleClass,
  sampleActivity,
  type PowerScale,
} from '../../../server/src/domain/fleet/utilization.js';

const h100 = gpuModelAt(0);
const scale = (model: PowerScale | null, limitWatts: number): PowerScale =>
  powerScaleOf(model, limitWatts, { idleWatts: 0, heldWatts: 0, maxWatts: 0 });

describe('a GPU read on its own power scale', () => {
  it('reads an H100 capped at 400 W and drawing 390 W as busy, ≥ 0.9 (not half busy)', () => {
    const capped = scale(h100, 400);
    expect(capped).toEqual({ idleWatts: 70, heldWatts: 120, maxWatts: 400 });
    // (390 − 70) / (400 − 70) = 320 / 330 = 0.9697; with utilization at 100 %: (1 + 0.9697) / 2 = 0.9848.
    expect(sampleActivity(Number.NaN, 390, capped)).toBeCloseTo(320 / 330, 12);
    expect(sampleActivity(100, 390, capped)).toBeCloseTo((1 + 320 / 330) / 2, 12);
    expect(classifySample(100, 390, 30_000, capped)).toBe(SampleClass.busy);
    // On the board cap alone the same reading is (390 − 70) / 630 = 0.508: the guess this replaces.
    expect(sampleActivity(Number.NaN, 390, h100)).toBeCloseTo(320 / 630, 12);
  });

  it('ignores a limit at or above the board cap, or one not above the held draw', () => {
    expect(scale(h100, 700).maxWatts).toBe(700);
    expect(scale(h100, 750).maxWatts).toBe(700);
    expect(scale(h100, 100).maxWatts).toBe(700);
    expect(scale(h100, Number.NaN).maxWatts).toBe(700);
  });

  it("gives an unknown model with a limit the limit as its cap and the H100's idle and held shares of it", () => {
    const v100 = scale(null, 300);
    expect(v100.maxWatts).toBe(300);
    expect(v100.idleWatts).toBeCloseTo(30, 12);
    expect(v100.heldWatts).toBeCloseTo((120 / 700) * 300, 12);
    // 290 W of 300 W at 95 %: power share (290 − 30) / 270 = 0.963, activity (0.95 + 0.963) / 2 = 0.956.
    expect(sampleActivity(95, 290, v100)).toBeCloseTo((0.95 + 260 / 270) / 2, 12);
    expect(classifySample(95, 290, 15_000, v100)).toBe(SampleClass.busy);
  });

  it('reads an unknown model without a limit on utilization alone: power decides nothing', () => {
    const blind = scale(null, Number.NaN);
    expect(blind.maxWatts).toBeNaN();
    // 250 W at 0 %: were power read on an H100's scale this would be busy; here it is not.
    expect(sampleActivity(0, 250, blind)).toBe(0);
    expect(sampleActivity(60, 250, blind)).toBeCloseTo(0.6, 12);
    expect(sampleActivity(Number.NaN, 250, blind)).toBeNaN();
    expect(classifySample(60, 250, 0, blind)).toBe(SampleClass.busy);
  });

  it('lets memory tell held from idle on an unknown model, and never power', () => {
    const blind = scale(null, Number.NaN);
    expect(classifySample(0, 250, 785, blind)).toBe(SampleClass.held);
    expect(classifySample(0, 250, 0, blind)).toBe(SampleClass.idle);
    // No memory reported and no held draw known: idle is all that can be said (not held by power).
    expect(classifySample(0, 250, Number.NaN, blind)).toBe(SampleClass.idle);
  });
});
