import type { HistoryMetric, ScopeRollup } from '../../domain/fleet/rollup.js';

/**
 * How a ScopeRollup is stored: compact integers that SQLite writes in 0–4 bytes each.
 * - utilization: per-mille, 0..1000 (0.1 % resolution is finer than any chart shows);
 * - it / facility watts: whole watts;
 * - GPU counts: centi-GPUs (count × 100) — bucket means are fractional when states changed
 *   within a bucket, and two decimals keep them exact enough while staying integers
 *   (REAL would take 8 bytes whenever the value is not whole).
 * A non-finite value is stored as NULL ("not reported") and left out of means.
 */
export const ROLLUP_COLUMNS = [
  'scope_id',
  'ts',
  'util_pm',
  'it_w',
  'fac_w',
  'busy_c',
  'held_c',
  'idle_c',
  'sold_c',
  'down_c',
  'unknown_c',
] as const;

/** Stored column of each history metric and the divisor turning its mean back into the metric's unit. */
export const METRIC_COLUMN: Record<HistoryMetric, { column: (typeof ROLLUP_COLUMNS)[number]; divisor: number }> = {
  utilization: { column: 'util_pm', divisor: 1000 },
  power_watts: { column: 'it_w', divisor: 1 },
  facility_watts: { column: 'fac_w', divisor: 1 },
  gpus_busy: { column: 'busy_c', divisor: 100 },
  gpus_held: { column: 'held_c', divisor: 100 },
  gpus_idle: { column: 'idle_c', divisor: 100 },
  gpus_sold: { column: 'sold_c', divisor: 100 },
  gpus_down: { column: 'down_c', divisor: 100 },
  gpus_unknown: { column: 'unknown_c', divisor: 100 },
};

/** Writes `row`'s stored columns (in ROLLUP_COLUMNS order) into `params` from `offset`. */
export function fillRollupParams(params: Array<number | null>, offset: number, scopeId: number, row: ScopeRollup): void {
  const c = row.counts;
  params[offset] = scopeId;
  params[offset + 1] = row.ts;
  params[offset + 2] = Number.isFinite(row.utilization) ? Math.round(Math.min(1, Math.max(0, row.utilization)) * 1000) : null;
  params[offset + 3] = whole(row.itWatts);
  params[offset + 4] = whole(row.facilityWatts);
  params[offset + 5] = centi(c.busy);
  params[offset + 6] = centi(c.held);
  params[offset + 7] = centi(c.idle);
  params[offset + 8] = centi(c.sold);
  params[offset + 9] = centi(c.down);
  params[offset + 10] = centi(c.unknown);
}

function whole(watts: number): number | null {
  return Number.isFinite(watts) ? Math.round(watts) : null;
}

function centi(count: number): number | null {
  return Number.isFinite(count) ? Math.round(count * 100) : null;
}
