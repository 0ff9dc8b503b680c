import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { gpuReport } from '../../../server/src/domain/fleet/fleet-report.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { gpuModelIndexByKey, UNKNOWN_MODEL_INDEX } from '../../../server/src/domain/fleet/gpu-models.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { modelCensus, unknownModelGpus } from '../../../server/src/domain/fleet/model-census.js';
import type { GpuSample } from '../../../server/src/domain/fleet/readings.js';
import { batch, sample, tinyTopology, uuidFor } from './builders.js';

const PLACED = 'h01-p001-n01';
const STALE_MS = 30_000;

/** Applies the same readings three rounds 10 s apart and classifies: a settled verdict. */
function settle(samples: GpuSample[]) {
  const state = createFleetState(tinyTopology());
  for (let round = 1; round <= 3; round++) applyBatch(state, batch(samples), round * 10_000);
  classifyFleet(state, 30_000, STALE_MS);
  const slotOf = (uuid: string): number => state.slotByUuid.get(uuid) ?? -1;
  return { state, slotOf };
}

describe('GPUs of models the table lacks', () => {
  it('reads a V100 at 290 W of its 300 W limit as busy on its own scale, and lists it as an unknown model', () => {
    const uuid = uuidFor('v100-node', 0);
    const v100 = sample({
      uuid,
      host: 'v100-node',
      index: 0,
      modelName: 'Tesla V100-SXM2-16GB',
      utilPercent: 95,
      powerWatts: 290,
      powerLimitWatts: 300,
      memUsedMiB: 15_000,
      memTotalMiB: 16_160,
    });
    const { state, slotOf } = settle([v100]);
    const slot = slotOf(uuid);
    expect(state.modelIndex[slot]).toBe(UNKNOWN_MODEL_INDEX);
    expect(state.state[slot]).toBe(GpuState.busy);
    expect(state.utilization[slot]).toBeCloseTo((0.95 + 260 / 270) / 2, 6);
    expect(modelCensus(state).unknownModels).toEqual([{ name: 'Tesla V100-SXM2-16GB', gpus: 1 }]);
    expect(gpuReport(state, uuid)?.model).toBe('unknown model "Tesla V100-SXM2-16GB"');
  });

  it('reads an unknown model with no limit on utilization alone: 250 W at 0 % with no memory in use is idle', () => {
    const uuid = uuidFor('a10g-node', 0);
    const a10g = sample({ uuid, host: 'a10g-node', index: 0, modelName: 'NVIDIA A10G', utilPercent: 0, powerWatts: 250, memUsedMiB: 0 });
    const { state, slotOf } = settle([a10g]);
    // On an H100's scale 250 W would be (250 − 70) / 630 = 0.29 power share: busy by a guess.
    expect(state.state[slotOf(uuid)]).toBe(GpuState.idle);
    expect(state.utilization[slotOf(uuid)]).toBe(0);
  });

  it("gives a GPU reporting no name on a placed node its node's model, and on an unplaced node an unknown one", () => {
    const placed = sample({ uuid: uuidFor(PLACED, 0), host: PLACED, index: 0, modelName: null });
    const stray = sample({ uuid: uuidFor('stray', 0), host: 'stray', index: 0, modelName: null, utilPercent: 50 });
    const { state, slotOf } = settle([placed, stray]);
    expect(state.modelIndex[slotOf(placed.uuid)]).toBe(gpuModelIndexByKey('H100-SXM'));
    expect(state.modelIndex[slotOf(stray.uuid)]).toBe(UNKNOWN_MODEL_INDEX);
    expect(state.state[slotOf(stray.uuid)]).toBe(GpuState.busy);
    expect(modelCensus(state).unknownModels).toEqual([{ name: '', gpus: 1 }]);
    expect(gpuReport(state, stray.uuid)?.model).toBe('unknown model ""');
  });

  it("uses telemetry's model where it contradicts the topology's, and counts the mismatch", () => {
    // The tiny site's nodes are H100 SXM by its preset; this one reports H200s (same scale) and a B200.
    const h200 = sample({ uuid: uuidFor(PLACED, 0), host: PLACED, index: 0, modelName: 'NVIDIA H200' });
    const b200 = sample({ uuid: uuidFor(PLACED, 1), host: PLACED, index: 1, modelName: 'NVIDIA B200', utilPercent: 0, powerWatts: 600 });
    const { state, slotOf } = settle([h200, b200]);
    expect(state.modelIndex[slotOf(b200.uuid)]).toBe(gpuModelIndexByKey('B200'));
    // 600 W on a B200 (100–1,000 W) is 500 / 900 = 0.56 power share, 0.28 activity: busy.
    expect(state.utilization[slotOf(b200.uuid)]).toBeCloseTo(500 / 900 / 2, 6);
    expect(modelCensus(state)).toEqual({ unknownModels: [], mismatchGpus: 2 });
  });

  it('counts unknown models by name, most GPUs first', () => {
    const gpus = [
      ...[0, 1].map((i) => sample({ uuid: uuidFor('t4', i), host: 't4', index: i, modelName: 'Tesla T4' })),
      ...[0, 1, 2].map((i) => sample({ uuid: uuidFor('v100', i), host: 'v100', index: i, modelName: 'Tesla V100-SXM2-32GB' })),
    ];
    const { state } = settle(gpus);
    expect(modelCensus(state).unknownModels).toEqual([
      { name: 'Tesla V100-SXM2-32GB', gpus: 3 },
      { name: 'Tesla T4', gpus: 2 },
    ]);
  });

  it('forgets the old card’s model when a swapped-in card reports a known one', () => {
    const old = sample({ uuid: 'GPU-old', host: PLACED, index: 3, modelName: 'Tesla V100-SXM2-16GB' });
    const { state, slotOf } = settle([old]);
    const slot = slotOf('GPU-old');
    applyBatch(state, batch([sample({ uuid: 'GPU-new', host: PLACED, index: 3 })]), 40_000);
    expect(state.slotByUuid.get('GPU-new')).toBe(slot);
    expect(state.modelIndex[slot]).toBe(gpuModelIndexByKey('H100-SXM'));
    expect(modelCensus(state).unknownModels).toEqual([]);
  });
});

describe('the unknown-model count', () => {
  it('counts a GPU while it reports, and drops it once its samples go stale', () => {
    const uuid = uuidFor('t4', 0);
    const { state } = settle([sample({ uuid, host: 't4', index: 0, modelName: 'Tesla T4' })]);
    expect(unknownModelGpus(state)).toBe(1);
    classifyFleet(state, 30_000 + STALE_MS + 10_001, STALE_MS);
    expect(unknownModelGpus(state)).toBe(0);
    expect(modelCensus(state).unknownModels).toEqual([]);
  });
});
