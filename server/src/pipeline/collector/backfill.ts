import type { ScopeRollup } from '../../domain/fleet/rollup.js';
import type { RollupPort, TransactionPort } from './ports.js';

/**
 * Where an interrupted backfill resumes (a meta key): the start of the first span not yet
 * written whole. Absent when no backfill is under way; app/backfill-runner.ts reads it at start.
 */
export const BACKFILL_RESUME_KEY = 'backfill_resume_from_s';

/** Records, inside the backfill's own transactions, where a restart must resume. */
export interface BackfillResumePort {
  /** History from fromS on may be incomplete: a restart backfills from there. */
  mark(fromS: number): void;
  /** The backfill reached its end: nothing to resume. */
  clear(): void;
}

/**
 * What to backfill at start: from the newest stored pod bucket (or `days` ago) to the last whole
 * bucket before now — or from an earlier start's resume mark when its backfill was interrupted
 * (pods' buckets past the mark may be stored for some pods and not others). A mark that is not
 * a number is ignored.
 */
export function backfillRange(at: { latestS: number | null; resumeMark: string | null; nowS: number; days: number; stepS: number }): {
  fromS: number;
  toS: number;
} {
  const resumeS = at.resumeMark === null ? null : Number(at.resumeMark);
  const afterS = resumeS !== null && Number.isFinite(resumeS) ? resumeS : at.latestS === null ? 0 : at.latestS + at.stepS;
  return { fromS: Math.max(at.nowS - at.days * 86_400, afterS), toS: at.nowS - at.stepS };
}

export interface BackfillOptions {
  rollups: RollupPort;
  transaction: TransactionPort;
  resume: BackfillResumePort;
  /** Rollups of every scope for the bucket starting at tMs (the simulator knows its past). */
  aggregateAt: (tMs: number) => ScopeRollup[];
  fromS: number;
  toS: number;
  stepS: number;
  /** Pods get one bucket in this many (pod history is 3 × coarser where backfilled). */
  podEvery: number;
  /** Rows per write transaction at most (default BACKFILL_TRANSACTION_ROWS). */
  transactionRows?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Buckets per span. The pod table is keyed scope-major, so a span's rows of one pod sit on one
 * or two leaf pages: 12 hours a span writes each page about once (1-hour spans rewrote every
 * pod's page 12 × as often: 43 % of the plain-insert ceiling at 10M rows, against ≈ 110 %).
 */
const BUCKETS_PER_SPAN = 144;

/**
 * Rows per write transaction at most. A span is written as several transactions, each holding
 * whole pods' rows (pages written once, as above) and few enough of them to hold the write lock
 * for ≈ 10 ms at 10M rows: the server's main thread waits for at most one of them (write-gate.ts).
 */
export const BACKFILL_TRANSACTION_ROWS = 2_048;

/**
 * Fills history between fromS and toS at stepS (5 min), so trends and charts have data at
 * start. Site and hall rows go to the 1-minute table at 5-minute spacing; pod rows to the
 * 5-minute table at `podEvery` × stepS spacing — 768 pods are 96 % of the rows, and thinning
 * them is what keeps a 14-day Colossus backfill inside the start-up budget. Yields between
 * transactions.
 *
 * Interrupted (a kill, a crash), it leaves no hole: rows are written INSERT OR REPLACE, the first
 * transaction marks fromS as where to resume, and the last transaction of each span moves the
 * mark past it (or clears it after the last span) — so the mark only ever passes spans written
 * whole, while the newest stored bucket may already lie inside an unfinished span.
 * @returns rows written.
 */
export async function backfillHistory(opts: BackfillOptions): Promise<number> {
  const first = Math.ceil(opts.fromS / opts.stepS) * opts.stepS;
  const total = Math.max(0, Math.floor((opts.toS - first) / opts.stepS));
  const maxRows = opts.transactionRows ?? BACKFILL_TRANSACTION_ROWS;
  let written = 0;
  let marked = false;
  for (let i = 0; i < total; i += BUCKETS_PER_SPAN) {
    const end = Math.min(total, i + BUCKETS_PER_SPAN);
    const coarse: ScopeRollup[] = [];
    const fine: ScopeRollup[] = [];
    for (let k = i; k < end; k++) {
      const withPods = k % opts.podEvery === 0;
      for (const row of opts.aggregateAt((first + k * opts.stepS) * 1000)) {
        if (!row.scope.startsWith('pod:')) fine.push(row);
        else if (withPods) coarse.push(row);
      }
    }
    const writes: Array<['1m' | '5m', ScopeRollup[]]> = [
      ...slicesByScope(fine, maxRows).map((rows): ['1m', ScopeRollup[]] => ['1m', rows]),
      ...slicesByScope(coarse, maxRows).map((rows): ['5m', ScopeRollup[]] => ['5m', rows]),
    ];
    // A span with no rows still moves the mark.
    if (writes.length === 0) writes.push(['1m', []]);
    for (let w = 0; w < writes.length; w++) {
      const [resolution, rows] = writes[w] ?? ['1m', []];
      const lastOfSpan = w === writes.length - 1;
      opts.transaction(() => {
        if (!marked) opts.resume.mark(first);
        opts.rollups.write(resolution, rows);
        if (lastOfSpan && end < total) opts.resume.mark(first + end * opts.stepS);
        else if (lastOfSpan) opts.resume.clear();
      });
      marked = true;
      written += rows.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    opts.onProgress?.(end, total);
  }
  return written;
}

/**
 * `rows` grouped by scope (in order of first appearance) and cut into slices of at most
 * `maxRows`, a scope's rows kept in one slice unless they alone exceed `maxRows`.
 */
export function slicesByScope(rows: readonly ScopeRollup[], maxRows: number): ScopeRollup[][] {
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new RangeError(`transactionRows must be a whole number ≥ 1, got ${maxRows}`);
  const byScope = new Map<string, ScopeRollup[]>();
  for (const row of rows) {
    const list = byScope.get(row.scope);
    if (list) list.push(row);
    else byScope.set(row.scope, [row]);
  }
  const slices: ScopeRollup[][] = [];
  let current: ScopeRollup[] = [];
  for (const list of byScope.values()) {
    if (current.length > 0 && current.length + list.length > maxRows) {
      slices.push(current);
      current = [];
    }
    for (const row of list) {
      if (current.length === maxRows) {
        slices.push(current);
        current = [];
      }
      current.push(row);
    }
  }
  if (current.length > 0) slices.push(current);
  return slices;
}
