import { describe, expect, it } from 'vitest';
import {
  findGpuModelIndex,
  GPU_MODELS,
  gpuModelAt,
  gpuModelIndexByKey,
  modelLabel,
  UNKNOWN_MODEL_INDEX,
} from '../../../server/src/domain/fleet/gpu-models.js';

const keyOf = (name: string | null): string | null => {
  const index = findGpuModelIndex(name);
  return index === UNKNOWN_MODEL_INDEX ? null : gpuModelAt(index).key;
};

/**
 * Names as real nvidia-smi / dcgm-exporter print them, with the key each must read as. Sources:
 * fixtures/nvidia-smi (H100 SXM), public dcgm-exporter texts (GB200 `modelName="NVIDIA GB200"`,
 * H20 `modelName="NVIDIA H20"`, a MIG A100 `NVIDIA A100-SXM4-40GB, MIG 1g.5gb`), a B300 box's
 * `NVIDIA B300 SXM6 AC`, and NVIDIA's product names for the rest.
 */
const REAL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['NVIDIA H100 80GB HBM3', 'H100-SXM'],
  ['NVIDIA H100 PCIe', 'H100-PCIE'],
  ['NVIDIA H100 NVL', 'H100-NVL'],
  ['NVIDIA H200', 'H200-SXM'],
  ['NVIDIA H200 NVL', 'H200-NVL'],
  ['NVIDIA H20', 'H20'],
  ['NVIDIA A100-SXM4-80GB', 'A100-80GB'],
  ['NVIDIA A100-SXM-80GB', 'A100-80GB'],
  ['NVIDIA A100-SXM4-40GB', 'A100-40GB'],
  ['NVIDIA A100-PCIE-40GB', 'A100-40GB-PCIE'],
  ['NVIDIA A100 80GB PCIe', 'A100-80GB-PCIE'],
  ['NVIDIA A100-SXM4-40GB, MIG 1g.5gb', 'A100-40GB'],
  ['NVIDIA A800-SXM4-80GB', 'A800'],
  ['NVIDIA A800 80GB PCIe', 'A800-PCIE'],
  ['NVIDIA L40S', 'L40S'],
  ['NVIDIA L4', 'L4'],
  ['NVIDIA B200', 'B200'],
  ['NVIDIA B300 SXM6 AC', 'B300'],
  ['NVIDIA GB200', 'GB200'],
  ['NVIDIA GB300', 'GB300'],
  // Without the vendor prefix, in other case, with stray spaces: the patterns still find them.
  ['H100 80GB HBM3', 'H100-SXM'],
  ['nvidia h100 nvl', 'H100-NVL'],
  ['  NVIDIA GB200  ', 'GB200'],
];

/** Real names of models the table lacks: each must stay unknown, never read as a near neighbour. */
const UNKNOWN_NAMES = [
  'Tesla V100-SXM2-16GB',
  'Tesla V100-SXM2-32GB',
  'Tesla T4',
  'NVIDIA A10G',
  'NVIDIA RTX 6000 Ada Generation',
  'NVIDIA RTX A6000',
  'NVIDIA GB10',
  'NVIDIA L40',
  'NVIDIA A40',
  'NVIDIA H800',
];

describe('the GPU model table', () => {
  it.each(REAL_NAMES)('reads %s as %s', (name, key) => {
    expect(keyOf(name)).toBe(key);
  });

  it('reads every name a model lists as that model', () => {
    for (const model of GPU_MODELS) for (const name of model.reportedNames) expect(keyOf(name)).toBe(model.key);
  });

  it.each(UNKNOWN_NAMES)('never takes %s for another model', (name) => {
    expect(findGpuModelIndex(name)).toBe(UNKNOWN_MODEL_INDEX);
  });

  it('reads an absent or empty name as unknown, never as an H100', () => {
    expect(findGpuModelIndex(null)).toBe(UNKNOWN_MODEL_INDEX);
    expect(findGpuModelIndex(undefined)).toBe(UNKNOWN_MODEL_INDEX);
    expect(findGpuModelIndex('')).toBe(UNKNOWN_MODEL_INDEX);
  });

  it('keeps the keys other parts rely on at their indexes', () => {
    expect(GPU_MODELS.slice(0, 7).map((m) => m.key)).toEqual(['H100-SXM', 'H200-SXM', 'H100-PCIE', 'GB200', 'B200', 'A100-80GB', 'L40S']);
    expect(gpuModelIndexByKey('GB300')).not.toBeNull();
    expect(gpuModelIndexByKey('A100-SXM')).toBeNull();
  });

  it('has unique keys, idle below held below the cap, and fits the per-slot Uint8Array below the unknown index', () => {
    expect(new Set(GPU_MODELS.map((m) => m.key)).size).toBe(GPU_MODELS.length);
    for (const m of GPU_MODELS) expect(0 < m.idleWatts && m.idleWatts < m.heldWatts && m.heldWatts < m.maxWatts).toBe(true);
    expect(GPU_MODELS.length).toBeLessThan(UNKNOWN_MODEL_INDEX);
  });

  it('refuses to hand out a model for the unknown index', () => {
    expect(() => gpuModelAt(UNKNOWN_MODEL_INDEX)).toThrow(/unknown model/);
  });

  it('labels a known model by its key and an unknown one by what it reported', () => {
    expect(modelLabel(0, null)).toBe('H100-SXM');
    expect(modelLabel(UNKNOWN_MODEL_INDEX, 'Tesla V100-SXM2-16GB')).toBe('unknown model "Tesla V100-SXM2-16GB"');
    expect(modelLabel(UNKNOWN_MODEL_INDEX, null)).toBe('unknown model ""');
  });
});
