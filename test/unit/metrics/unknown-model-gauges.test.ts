import { describe, expect, it } from 'vitest';
import { MAX_UNKNOWN_MODEL_LABELS, unknownModelSeries } from '../../../server/src/outputs/metrics/unknown-model-gauges.js';

describe('the model_name label of headroom_unknown_model_gpus', () => {
  it('keeps the largest names and sums the rest under `other`, so the label stays bounded', () => {
    const unknown = Array.from({ length: 12 }, (_, i) => ({ name: `Model ${i}`, gpus: 100 - i }));
    const series = unknownModelSeries(unknown);
    expect(series).toHaveLength(MAX_UNKNOWN_MODEL_LABELS + 1);
    expect(series[0]).toEqual({ modelName: 'Model 0', gpus: 100 });
    // Models 8–11: 92 + 91 + 90 + 89 = 362 GPUs.
    expect(series.at(-1)).toEqual({ modelName: 'other', gpus: 362 });
    expect(series.reduce((n, s) => n + s.gpus, 0)).toBe(unknown.reduce((n, m) => n + m.gpus, 0));
  });

  it('names GPUs that report no model `(none)`, and adds no `other` when every name fits', () => {
    expect(
      unknownModelSeries([
        { name: 'Tesla T4', gpus: 2 },
        { name: '', gpus: 1 },
      ]),
    ).toEqual([
      { modelName: 'Tesla T4', gpus: 2 },
      { modelName: '(none)', gpus: 1 },
    ]);
  });
});
