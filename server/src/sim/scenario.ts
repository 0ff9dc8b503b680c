import { DomainError } from '../domain/errors.js';

/**
 * The simulator's scenarios and their parameters. All of them tell the reference deal's story
 * from the owner's side: an AI lab overbuilt, its own product is losing users, internal demand
 * declines and the owner resells what sits idle.
 *
 * - `decline` (default): internal demand starts at 85 % of the site 60 days before the anchor
 *   (2026-10-02) and eases down to 45 % over 90 days (until 2026-12-31), so November and
 *   December 2026 are mid-decline (65 % around 2026-11-16).
 * - `flat`: a steady 70 %.
 * - `rebound`: the decline, until `reboundAtMs` (default: the anchor, 2026-12-01, where the
 *   decline has reached 55 %), then internal demand comes back to 85 % within two days.
 * - `failures`: like `flat`, plus a wave at `failureWaveAtMs` (default: the anchor) that takes
 *   5 % of the nodes down for 4–8 hours each.
 *
 * On every scenario the level is shaped by a daily curve (peak 15:00, trough 03:00 site
 * time), lower weekends and slow noise; see demand.ts.
 */
export const SCENARIOS = ['decline', 'flat', 'rebound', 'failures'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** 2026-12-01T00:00:00Z: the reference moment the scenarios are placed around. */
export const ANCHOR_MS = Date.UTC(2026, 11, 1);

export interface ScenarioParams {
  /** Reference moment the default dates hang from, unix ms. */
  anchorMs: number;
  /** Site local time = UTC + this; the reference site is Memphis (US Central, UTC−6). */
  utcOffsetHours: number;

  /** `decline`/`rebound`: level before the decline, share of the site's GPUs. */
  startLevel: number;
  /** `decline`/`rebound`: level the decline eases down to. */
  endLevel: number;
  /** Start of the decline, unix ms (default: anchor − 60 days). */
  declineStartMs: number;
  /** Length of the decline (cosine ease from startLevel to endLevel), ms. */
  declineDurationMs: number;

  /** `flat`/`failures`: the steady level. */
  flatLevel: number;

  /** `rebound`: when internal demand starts coming back, unix ms (default: anchor). */
  reboundAtMs: number;
  /** `rebound`: level it comes back to. */
  reboundLevel: number;
  /** `rebound`: how long the come-back takes, ms ("sharply": two days). */
  reboundRampMs: number;

  /** `failures`: when the failure wave starts, unix ms (default: anchor). */
  failureWaveAtMs: number;
  /** `failures`: share of nodes the wave takes down. */
  failureWaveShare: number;
  /** `failures`: per-node repair time range of the wave, ms. */
  failureWaveMinMs: number;
  failureWaveMaxMs: number;

  /** Local hour of the daily peak; the trough is 12 h later. */
  peakHourLocal: number;
  /** Daily swing: the level is multiplied by 1 ± this. */
  dailyAmplitude: number;
  /** Saturdays and Sundays (site time) multiply the level by this. */
  weekendFactor: number;
  /** Slow noise added to the level, ± this (smoothly interpolated between knots). */
  noiseAmplitude: number;
  noiseKnotMs: number;

  /** Share of pods that serve inference (node by node); the rest run training jobs whole-pod. */
  inferencePodShare: number;
  /** Training job slots per pod, ms (each pod has its own phase). */
  trainingSlotMinMs: number;
  trainingSlotMaxMs: number;
  /** A training job's data-loading phase (memory allocated, no kernels → `held`), ms. */
  loadingMinMs: number;
  loadingMaxMs: number;
  /** Share of training jobs stuck `held` for their whole slot — the waste ops want to see. */
  stuckJobShare: number;
  /** Share of stuck jobs whose process is gone (no memory either): held by allocation, idle to telemetry. */
  noProcessShare: number;
  /** Share of unallocated nodes where a process outside any job holds memory, per 6-hour block. */
  orphanNodeShare: number;
  /** Duty cycle range of a running training job. */
  trainingDutyMin: number;
  trainingDutyMax: number;

  /** Inference slots per node, ms. */
  inferenceSlotMinMs: number;
  inferenceSlotMaxMs: number;
  /** Share of allocated inference nodes with a model loaded but no traffic (`held`). */
  standbyShare: number;
  /** A serving node's duty is bursty per tick within this range (never below the minimum). */
  servingDutyMin: number;
  servingDutyMax: number;
  /** Share of ticks a serving node is in a burst (duty in the top of the range). */
  servingBurstShare: number;

  /** Duty of a GPU sold to a customer (the customer's work). */
  soldDuty: number;

  /** Random node failures, per node per day (≈ 0.1 %/day); all GPUs of the node go down. */
  nodeFailuresPerDay: number;
  repairMinMs: number;
  repairMaxMs: number;
  /** Pods are drained for maintenance about once per this interval, for maintenanceMs. */
  maintenanceEveryMs: number;
  maintenanceMs: number;
}

export const DEFAULT_SCENARIO_PARAMS: Readonly<ScenarioParams> = Object.freeze({
  anchorMs: ANCHOR_MS,
  utcOffsetHours: -6,
  startLevel: 0.85,
  endLevel: 0.45,
  declineStartMs: ANCHOR_MS - 60 * DAY_MS,
  declineDurationMs: 90 * DAY_MS,
  flatLevel: 0.7,
  reboundAtMs: ANCHOR_MS,
  reboundLevel: 0.85,
  reboundRampMs: 2 * DAY_MS,
  failureWaveAtMs: ANCHOR_MS,
  failureWaveShare: 0.05,
  failureWaveMinMs: 4 * HOUR_MS,
  failureWaveMaxMs: 8 * HOUR_MS,
  peakHourLocal: 15,
  dailyAmplitude: 0.1,
  weekendFactor: 0.85,
  noiseAmplitude: 0.03,
  noiseKnotMs: 6 * HOUR_MS,
  inferencePodShare: 0.3,
  trainingSlotMinMs: 2 * HOUR_MS,
  trainingSlotMaxMs: 12 * HOUR_MS,
  loadingMinMs: 8 * MINUTE_MS,
  loadingMaxMs: 12 * MINUTE_MS,
  stuckJobShare: 0.03,
  noProcessShare: 0.5,
  orphanNodeShare: 0.002,
  trainingDutyMin: 0.9,
  trainingDutyMax: 1,
  inferenceSlotMinMs: HOUR_MS,
  inferenceSlotMaxMs: 2 * HOUR_MS,
  standbyShare: 0.1,
  servingDutyMin: 0.3,
  servingDutyMax: 0.95,
  servingBurstShare: 0.35,
  soldDuty: 0.8,
  nodeFailuresPerDay: 0.001,
  repairMinMs: 2 * HOUR_MS,
  repairMaxMs: 24 * HOUR_MS,
  maintenanceEveryMs: 60 * DAY_MS,
  maintenanceMs: 4 * HOUR_MS,
});

const SHARES: ReadonlyArray<keyof ScenarioParams> = [
  'startLevel',
  'endLevel',
  'flatLevel',
  'reboundLevel',
  'failureWaveShare',
  'inferencePodShare',
  'stuckJobShare',
  'noProcessShare',
  'orphanNodeShare',
  'trainingDutyMin',
  'trainingDutyMax',
  'standbyShare',
  'servingDutyMin',
  'servingDutyMax',
  'servingBurstShare',
  'soldDuty',
  'weekendFactor',
];

/**
 * Fills in defaults and checks the parameters. Throws DomainError('invalid') on a share
 * outside [0, 1], a non-finite number, or a slot range the timeline cannot cut
 * (a slot maximum must be 2–16 times its minimum).
 */
export function resolveScenarioParams(overrides: Partial<ScenarioParams> = {}): ScenarioParams {
  const params: ScenarioParams = { ...DEFAULT_SCENARIO_PARAMS, ...overrides };
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DomainError('invalid', `scenario parameter ${key} must be a finite number`);
    }
  }
  for (const key of SHARES) {
    const value = params[key];
    if (value < 0 || value > 1) throw new DomainError('invalid', `scenario parameter ${key} must be in [0, 1]`);
  }
  const ranges: Array<[keyof ScenarioParams, keyof ScenarioParams]> = [
    ['trainingSlotMinMs', 'trainingSlotMaxMs'],
    ['inferenceSlotMinMs', 'inferenceSlotMaxMs'],
  ];
  for (const [minKey, maxKey] of ranges) {
    if (params[minKey] <= 0 || params[maxKey] < 2 * params[minKey] || params[maxKey] > 16 * params[minKey]) {
      throw new DomainError('invalid', `${maxKey} must be 2–16 times ${minKey}, and both positive`);
    }
  }
  if (params.servingDutyMin > params.servingDutyMax || params.trainingDutyMin > params.trainingDutyMax) {
    throw new DomainError('invalid', 'a duty minimum exceeds its maximum');
  }
  if (params.loadingMinMs > params.loadingMaxMs || params.repairMinMs > params.repairMaxMs) {
    throw new DomainError('invalid', 'a duration minimum exceeds its maximum');
  }
  if (params.failureWaveMinMs > params.failureWaveMaxMs) {
    throw new DomainError('invalid', 'failureWaveMinMs exceeds failureWaveMaxMs');
  }
  if (params.maintenanceMs <= 0 || params.maintenanceEveryMs < 4 * params.maintenanceMs) {
    throw new DomainError('invalid', 'maintenanceEveryMs must be at least four maintenance windows');
  }
  if (params.repairMaxMs > DAY_MS) {
    // Random failures are drawn per node-day and only the previous day is looked back at.
    throw new DomainError('invalid', 'repairMaxMs must not exceed one day');
  }
  if (params.noiseKnotMs <= 0 || params.declineDurationMs <= 0 || params.reboundRampMs <= 0) {
    throw new DomainError('invalid', 'durations must be positive');
  }
  return params;
}
