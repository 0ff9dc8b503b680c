import type { GpuModel } from '../domain/fleet/gpu-models.js';
import type { ScenarioParams } from './scenario.js';

/**
 * Board power and memory of one simulated GPU per state, from the real H100 captures
 * (fixtures/nvidia-smi and fixtures/dcgm-exporter): truly idle 66–74 W at 345 MHz with 0 MiB
 * used; held (context open, tensors allocated, no kernels) 116–145 W at 1980 MHz; busy near
 * the 700 W cap. Other models scale the H100's figures by their own idle/held/max watts.
 */
export interface PowerProfile {
  /** Per-GPU idle base draw is seeded in [idleLoW, idleHiW]; each sample adds ± idleNoiseW. */
  idleLoW: number;
  idleHiW: number;
  idleNoiseW: number;
  /** Per-GPU held base draw is seeded in [heldLoW, heldHiW]; each sample adds ± heldNoiseW. */
  heldLoW: number;
  heldHiW: number;
  heldNoiseW: number;
  /** Busy samples add ± busyNoiseW to held + duty × (max − held), capped at maxW. */
  busyNoiseW: number;
  maxW: number;
  memoryMiB: number;
}

/**
 * For an H100 (idle 70 W, held 120 W, 700 W cap): idle base 67–73 W ± 1 W (samples 66–74 W),
 * held base 120–140 W ± 4 W (samples 116–144 W), busy noise ± 8 W.
 */
export function powerProfileOf(model: GpuModel): PowerProfile {
  const idle = model.idleWatts;
  const held = model.heldWatts;
  return {
    idleLoW: idle * (67 / 70),
    idleHiW: idle * (73 / 70),
    idleNoiseW: idle / 70,
    heldLoW: held,
    heldHiW: held * (140 / 120),
    heldNoiseW: held / 30,
    busyNoiseW: model.maxWatts * (8 / 700),
    maxW: model.maxWatts,
    memoryMiB: model.memoryMiB,
  };
}

/**
 * Draw of a busy GPU: its held draw plus the duty's share of the way to the cap, plus noise,
 * capped. At duty 0.3 an H100 draws ≥ 116 + 0.3 × 584 − 8 ≈ 283 W, a power share of ≈ 0.34,
 * so a sample whose utilization aliases to 0 % still has activity ≈ 0.17 ≥ BUSY_ACTIVITY (0.12).
 */
export function busyPowerWatts(heldWatts: number, duty: number, noiseWatts: number, profile: PowerProfile): number {
  return Math.min(profile.maxW, heldWatts + duty * (profile.maxW - heldWatts) + noiseWatts);
}

/** Mean idle draw of a GPU of this profile (over the seeded per-GPU bases). */
export function meanIdleWatts(profile: PowerProfile): number {
  return (profile.idleLoW + profile.idleHiW) / 2;
}

/** Mean held draw of a GPU of this profile. */
export function meanHeldWatts(profile: PowerProfile): number {
  return (profile.heldLoW + profile.heldHiW) / 2;
}

/** Mean draw of a busy GPU at this duty (ignoring the rare clip at the cap). */
export function meanBusyWatts(duty: number, profile: PowerProfile): number {
  const held = meanHeldWatts(profile);
  return held + duty * (profile.maxW - held);
}

/**
 * Utilization sample of a busy GPU at duty d: `utilization.gpu` is the share of the last
 * sample period with a kernel running, so against on/off work it aliases — it reads ~100 %
 * with probability d and ~0 % otherwise (test/fixtures/nvidia-smi/README.md).
 */
export const UTIL_HIGH_MIN = 97;
export const UTIL_HIGH_SPREAD = 4;
export const UTIL_LOW_VALUES: readonly number[] = [0, 0, 1, 2];

/** Mean utilization reading (%) of a busy GPU at duty d. */
export function meanBusyUtilPercent(duty: number): number {
  const high = UTIL_HIGH_MIN + (UTIL_HIGH_SPREAD - 1) / 2;
  const low = UTIL_LOW_VALUES.reduce((a, b) => a + b, 0) / UTIL_LOW_VALUES.length;
  return duty * high + (1 - duty) * low;
}

/**
 * A serving node's duty this tick, bursty: in a burst (probability servingBurstShare) it is in
 * the top 30 % of [servingDutyMin, servingDutyMax], otherwise in the bottom 60 %. Never below
 * servingDutyMin.
 *
 * @param burstDraw uniform [0, 1) deciding burst or calm
 * @param levelDraw uniform [0, 1) placing the duty in its band
 */
export function servingDuty(params: ScenarioParams, burstDraw: number, levelDraw: number): number {
  const lo = params.servingDutyMin;
  const span = params.servingDutyMax - lo;
  if (burstDraw < params.servingBurstShare) return lo + span * (0.7 + 0.3 * levelDraw);
  return lo + span * 0.6 * levelDraw;
}

/** Expected value of servingDuty over its draws. */
export function meanServingDuty(params: ScenarioParams): number {
  const lo = params.servingDutyMin;
  const span = params.servingDutyMax - lo;
  const burst = params.servingBurstShare;
  return lo + span * (burst * 0.85 + (1 - burst) * 0.3);
}
