import type { StateCounts } from './gpu-state.js';

/**
 * One stored point of a scope's history: the mean over a bucket of the per-tick figures.
 * Scopes are `site`, `hall:<hallId>` and `pod:<podId>`.
 */
export interface ScopeRollup {
  scope: string;
  /** Bucket start, unix seconds. */
  ts: number;
  /** Mean utilization estimate of the scope's GPUs with a verdict, 0–1. */
  utilization: number;
  /** IT draw: GPU board power plus node overhead, watts. */
  itWatts: number;
  /** Facility draw (meters, or IT × PUE where no meter reports), watts. */
  facilityWatts: number;
  /** Mean GPU count per state over the bucket (fractional when states changed within it). */
  counts: StateCounts;
}

/** Series the history API serves; each maps to a column of ScopeRollup. */
export const HISTORY_METRICS = [
  'utilization',
  'power_watts',
  'facility_watts',
  'gpus_busy',
  'gpus_held',
  'gpus_idle',
  'gpus_sold',
  'gpus_down',
  'gpus_unknown',
] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** The metrics recorded per GPU (hourly means). */
export const GPU_HISTORY_METRICS = ['utilization', 'power_watts'] as const satisfies readonly HistoryMetric[];
