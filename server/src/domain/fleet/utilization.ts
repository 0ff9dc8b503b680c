import type { GpuModel } from './gpu-models.js';

/**
 * Per-sample signals and the window verdict for one GPU.
 *
 * `utilization.gpu` is the share of the last sample period in which any kernel ran, so
 * against work that is on and off every second it aliases: a GPU busy half of each second
 * reads 0 % and 99 % on alternate samples. `power.draw` on Ampere and newer is a 1-second
 * average and does not alias. So each sample's activity blends the two, and no single sample
 * decides a GPU's state.
 */

/** Activity at or above this share of a sample is compute, not merely a loaded context. */
export const BUSY_ACTIVITY = 0.12;

/**
 * Memory in use at or above this means a process holds the GPU. An idle H100 with no
 * context reports 0 MiB; a context with tensors allocated, 785 MiB (fixtures/nvidia-smi).
 */
export const HELD_MEMORY_MIB = 256;

/** Samples a verdict needs: one sample is never the verdict. */
export const MIN_SAMPLES_FOR_VERDICT = 2;

/** Samples the state verdict looks back over (majority vote). */
export const VERDICT_SAMPLES = 3;

export const SampleClass = { busy: 0, held: 1, idle: 2, invalid: 3 } as const;
export type SampleClassCode = (typeof SampleClass)[keyof typeof SampleClass];

/**
 * The power figures one GPU's samples are read against: its model's, its enforced power limit's
 * when that is below the board cap, or, for an unknown model, what its telemetry reports. A GpuModel
 * is one. NaN `maxWatts` means no power scale is known (an unknown model reporting no limit):
 * power then decides nothing. NaN `heldWatts` means held draw is unknown: only memory tells held.
 */
export type PowerScale = Pick<GpuModel, 'idleWatts' | 'heldWatts' | 'maxWatts'>;

/** Idle and held draw as shares of the cap, the H100's measured ratios (70 W, 120 W of 700 W). */
export const IDLE_SHARE_OF_CAP = 0.1;
export const HELD_SHARE_OF_CAP = 120 / 700;

/**
 * Writes into `out` the power scale of a GPU of `model` (null: unknown model) whose telemetry
 * reports `limitWatts` (NaN: no limit reported), and returns it.
 *
 * - Known model, limit below its board cap (a site that power-caps its GPUs): the cap becomes the
 *   limit, so a GPU at its cap reads busy, not half busy. A limit at or above the board cap, or
 *   one not above the idle draw (nonsense), leaves the model's figures.
 * - Unknown model with a limit: the limit is the cap, idle and held draw are the H100's shares of it.
 * - Unknown model without a limit: NaN throughout (utilization alone decides; memory tells held).
 *
 * Fills a caller's object so the classifier allocates nothing per GPU.
 */
export function powerScaleOf(model: PowerScale | null, limitWatts: number, out: PowerScale): PowerScale {
  if (model !== null) {
    out.idleWatts = model.idleWatts;
    out.heldWatts = model.heldWatts;
    out.maxWatts = limitWatts < model.maxWatts && limitWatts > model.heldWatts ? limitWatts : model.maxWatts;
  } else if (limitWatts > 0) {
    out.idleWatts = IDLE_SHARE_OF_CAP * limitWatts;
    out.heldWatts = HELD_SHARE_OF_CAP * limitWatts;
    out.maxWatts = limitWatts;
  } else {
    out.idleWatts = Number.NaN;
    out.heldWatts = Number.NaN;
    out.maxWatts = Number.NaN;
  }
  return out;
}

/**
 * Power-based busy share, `(P − P_idle) / (P_max − P_idle)` clamped to [0, 1]; NaN when the
 * scale is unknown. A held GPU (≈120 W on an H100) reads ≈ 0.08: drawing, not computing.
 */
export function powerActivity(powerWatts: number, model: PowerScale): number {
  const share = (powerWatts - model.idleWatts) / (model.maxWatts - model.idleWatts);
  return Math.min(1, Math.max(0, share));
}

/**
 * One sample's activity in [0, 1]: the mean of utilization and power share when both are
 * present (they err in opposite directions under aliasing), else whichever is present;
 * NaN when neither is. Power counts only where the scale is known.
 */
export function sampleActivity(utilPercent: number, powerWatts: number, model: PowerScale): number {
  const hasUtil = Number.isFinite(utilPercent);
  const hasPower = Number.isFinite(powerWatts) && Number.isFinite(model.maxWatts);
  const util = Math.min(1, Math.max(0, utilPercent / 100));
  if (hasUtil && hasPower) return (util + powerActivity(powerWatts, model)) / 2;
  if (hasPower) return powerActivity(powerWatts, model);
  if (hasUtil) return util;
  return Number.NaN;
}

/**
 * Classifies one sample. Held is memory in use (or, where memory is not reported, power
 * above the midpoint between idle and held draw, where those are known) without compute. NaN
 * marks a field that was not reported.
 */
export function classifySample(utilPercent: number, powerWatts: number, memUsedMiB: number, model: PowerScale): SampleClassCode {
  const activity = sampleActivity(utilPercent, powerWatts, model);
  if (Number.isNaN(activity)) return SampleClass.invalid;
  if (activity >= BUSY_ACTIVITY) return SampleClass.busy;
  if (Number.isFinite(memUsedMiB)) return memUsedMiB >= HELD_MEMORY_MIB ? SampleClass.held : SampleClass.idle;
  if (Number.isFinite(powerWatts) && Number.isFinite(model.heldWatts)) {
    return powerWatts >= (model.idleWatts + model.heldWatts) / 2 ? SampleClass.held : SampleClass.idle;
  }
  return SampleClass.idle;
}
