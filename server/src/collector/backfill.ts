import type { ScopeRollup } from '../domain/fleet/rollup.js';
import type { RollupPort, TransactionPort } from './ports.js';

export interface BackfillOptions {
  rollups: RollupPort;
  transaction: TransactionPort;
  /** Rollups of every scope for the bucket starting at tMs (the simulator knows its past). */
  aggregateAt: (tMs: number) => ScopeRollup[];
  fromS: number;
  toS: number;
  stepS: number;
  /** Pods get one bucket in this many (pod history is 3 × coarser where backfilled). */
  podEvery: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Buckets per transaction. The pod table is keyed scope-major, so each transaction rewrites a
 * leaf page of every pod: 12 hours a transaction writes each page about once (a 2× faster
 * backfill than 2 hours) and holds the event loop ≈ 0.2 s, during start-up only.
 */
const BUCKETS_PER_TRANSACTION = 144;

/**
 * Fills history between fromS and toS at stepS (5 min), so trends and charts have data at
 * start. Site and hall rows go to the 1-minute table at 5-minute spacing; pod rows to the
 * 5-minute table at `podEvery` × stepS spacing — 768 pods are 96 % of the rows, and thinning
 * them is what keeps a 14-day Colossus backfill inside the start-up budget. Yields between
 * transactions so the server answers meanwhile.
 */
export async function backfillHistory(opts: BackfillOptions): Promise<number> {
  const first = Math.ceil(opts.fromS / opts.stepS) * opts.stepS;
  const total = Math.max(0, Math.floor((opts.toS - first) / opts.stepS));
  let written = 0;
  for (let i = 0; i < total; i += BUCKETS_PER_TRANSACTION) {
    const coarse: ScopeRollup[] = [];
    const fine: ScopeRollup[] = [];
    for (let k = i; k < Math.min(total, i + BUCKETS_PER_TRANSACTION); k++) {
      const withPods = k % opts.podEvery === 0;
      for (const row of opts.aggregateAt((first + k * opts.stepS) * 1000)) {
        if (!row.scope.startsWith('pod:')) fine.push(row);
        else if (withPods) coarse.push(row);
      }
    }
    opts.transaction(() => {
      opts.rollups.write('1m', fine);
      opts.rollups.write('5m', coarse);
    });
    written += fine.length + coarse.length;
    opts.onProgress?.(Math.min(total, i + BUCKETS_PER_TRANSACTION), total);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return written;
}
