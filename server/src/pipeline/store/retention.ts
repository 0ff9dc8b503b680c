import { setImmediate as nextTurn } from 'node:timers/promises';
import { DomainError } from '../../domain/errors.js';
import type { GpuHistoryStore } from './gpu-history-store.js';
import type { RollupStore } from './rollup-store.js';

export interface RetentionStores {
  rollups: Pick<RollupStore, 'pruneSome'>;
  gpuHistory: Pick<GpuHistoryStore, 'pruneSome'>;
}

export interface RetentionPolicy {
  /** The current time, unix seconds (the store reads no clock). */
  nowS: number;
  /** Scope rollups (1m and 5m) older than this are deleted. */
  retentionDays: number;
  /** Per-GPU hourly history older than this is deleted. */
  gpuRetentionDays: number;
}

export interface PruneReport {
  rollup1m: number;
  rollup5m: number;
  gpuHourly: number;
}

/** Default rows per delete transaction. */
export const RETENTION_BATCH_ROWS = 10_000;

const DAY_S = 86_400;

/**
 * Deletes history older than the policy allows, in transactions of at most `batchRows` rows,
 * yielding to the event loop between them so a large first prune (after an outage, or a
 * shortened retention) never stalls ingest. Returns the rows deleted per table.
 * @throws DomainError('invalid') when a retention is not a positive number of days.
 */
export async function pruneHistory(
  stores: RetentionStores,
  policy: RetentionPolicy,
  batchRows: number = RETENTION_BATCH_ROWS,
): Promise<PruneReport> {
  for (const [name, days] of [
    ['retentionDays', policy.retentionDays],
    ['gpuRetentionDays', policy.gpuRetentionDays],
  ] as const) {
    if (!Number.isFinite(days) || days <= 0) throw new DomainError('invalid', `${name} must be > 0, got ${days}`);
  }
  if (!Number.isSafeInteger(batchRows) || batchRows <= 0) throw new DomainError('invalid', 'batchRows must be > 0');
  const rollupBeforeS = Math.floor(policy.nowS - policy.retentionDays * DAY_S);
  const gpuBeforeS = Math.floor(policy.nowS - policy.gpuRetentionDays * DAY_S);

  const drain = async (pruneSome: (maxRows: number) => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const deleted = pruneSome(batchRows);
      total += deleted;
      if (deleted < batchRows) return total;
      await nextTurn();
    }
  };

  return {
    rollup1m: await drain((n) => stores.rollups.pruneSome('1m', rollupBeforeS, n)),
    rollup5m: await drain((n) => stores.rollups.pruneSome('5m', rollupBeforeS, n)),
    gpuHourly: await drain((n) => stores.gpuHistory.pruneSome(gpuBeforeS, n)),
  };
}
