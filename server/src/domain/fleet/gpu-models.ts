/**
 * Board power by GPU model. dcgm-exporter exports no power limit by default, so the
 * power-based utilization estimate needs these figures from the model name.
 *
 * Sources: DESIGN.md reference figures — H100/H200 SXM 700 W cap, ≈70 W idle, ≈116–145 W
 * held (fixtures/nvidia-smi, real H100); A100 SXM 400 W; B200 1,000 W (vendor datasheets).
 * Idle and held figures for models we have no capture of are scaled from the H100's
 * ratios (idle ≈ 10 % of cap, held ≈ 17 %) and say so.
 */
export interface GpuModel {
  key: string;
  /** Matched against dcgm `modelName` / nvidia-smi `name`. */
  pattern: RegExp;
  maxWatts: number;
  /** Truly idle: no CUDA context. */
  idleWatts: number;
  /** Context open and memory allocated, no kernels running. */
  heldWatts: number;
  memoryMiB: number;
}

export const GPU_MODELS: readonly GpuModel[] = [
  { key: 'H100-SXM', pattern: /H100 80GB HBM3|H100 SXM/i, maxWatts: 700, idleWatts: 70, heldWatts: 120, memoryMiB: 81559 },
  { key: 'H200-SXM', pattern: /H200/i, maxWatts: 700, idleWatts: 70, heldWatts: 120, memoryMiB: 143771 },
  { key: 'H100-PCIE', pattern: /H100 PCIe/i, maxWatts: 350, idleWatts: 35, heldWatts: 60, memoryMiB: 81559 },
  { key: 'GB200', pattern: /GB200/i, maxWatts: 1200, idleWatts: 120, heldWatts: 205, memoryMiB: 189471 },
  { key: 'B200', pattern: /B200/i, maxWatts: 1000, idleWatts: 100, heldWatts: 170, memoryMiB: 183359 },
  { key: 'A100-SXM', pattern: /A100/i, maxWatts: 400, idleWatts: 50, heldWatts: 70, memoryMiB: 81920 },
  { key: 'L40S', pattern: /L40S/i, maxWatts: 350, idleWatts: 35, heldWatts: 60, memoryMiB: 46068 },
];

/** Used when a model name matches nothing: an H100-class part, the common case in this market. */
export const DEFAULT_GPU_MODEL_INDEX = 0;

/** Index into GPU_MODELS for a reported model name (default when unknown or absent). */
export function findGpuModelIndex(modelName: string | undefined): number {
  if (!modelName) return DEFAULT_GPU_MODEL_INDEX;
  const found = GPU_MODELS.findIndex((m) => m.pattern.test(modelName));
  return found === -1 ? DEFAULT_GPU_MODEL_INDEX : found;
}

export function gpuModelAt(index: number): GpuModel {
  const model = GPU_MODELS[index] ?? GPU_MODELS[DEFAULT_GPU_MODEL_INDEX];
  if (!model) throw new Error('GPU_MODELS is empty');
  return model;
}
