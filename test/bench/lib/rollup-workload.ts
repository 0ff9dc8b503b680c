/**
 * Benchmark 4's rows and both sides of it. Rows are the simulator's own rollups (site, 12 halls,
 * 768 pods) at every 5 minutes, as the collector and the backfill produce them: time-major.
 *
 * Ours: backfillHistory (collector/backfill.ts) into the rollup store through the start-up
 * backfill's ports and connection (backfill-target.ts) — the path large rollup writes take — with
 * the server's checkpoint worker running beside it, as in the server; its transactions timed.
 * Ceiling: better-sqlite3 with one prepared plain INSERT per table, every row in one
 * transaction, the same tables, pragmas and encoded values (encoding done before timing).
 */
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import type { Simulator } from '../../../server/src/sim/simulator.js';
import { backfillHistory } from '../../../server/src/pipeline/collector/backfill.js';
import type { Database } from '../../../server/src/pipeline/store/db.js';
import { fillRollupParams, ROLLUP_COLUMNS } from '../../../server/src/pipeline/store/rollup-columns.js';
import { createWriteGateBuffer } from '../../../server/src/pipeline/store/write-gate.js';
import { backfillTarget, openBackfillConnection } from '../../../server/src/pipeline/store/backfill-target.js';
import { startCheckpointer } from '../../../server/src/pipeline/store/checkpointer.js';

export const STEP_S = 300;

/** Where the prepared 10M-row history ends (prepare/rollup-10m-db.ts) and benchmark 4 writes on. */
export const BIG_END_TS = Date.parse('2026-11-20T00:00:00Z') / 1000;

export interface DayRows {
  fromS: number;
  byTs: Map<number, ScopeRollup[]>;
  count: number;
}

/** The simulator's rollups every 5 minutes over [fromS, fromS + days). */
export function simRows(sim: Simulator, fromS: number, days: number): DayRows {
  const byTs = new Map<number, ScopeRollup[]>();
  let count = 0;
  for (let ts = fromS; ts < fromS + days * 86_400; ts += STEP_S) {
    const rows = sim.aggregateAt(ts * 1000);
    byTs.set(ts, rows);
    count += rows.length;
  }
  return { fromS, byTs, count };
}

export interface OursWrite {
  rows: number;
  ms: number;
  transactionsMs: number[];
}

/**
 * Ours: the backfill path over `rows` into `db` — the start-up backfill's ports (backfill-target.ts:
 * sliced transactions, each through the write gate `gate`; a fresh gate when none is given, so
 * no one else writes) — with every transaction timed from BEGIN to COMMIT.
 */
export async function oursBackfill(db: Database, rows: DayRows, gate: SharedArrayBuffer = createWriteGateBuffer()): Promise<OursWrite> {
  const transactionsMs: number[] = [];
  const target = backfillTarget(db, gate, { onTransaction: (ms) => transactionsMs.push(ms) });
  const started = performance.now();
  const written = await backfillHistory({
    ...target,
    aggregateAt: (tMs) => rows.byTs.get(tMs / 1000) ?? [],
    fromS: rows.fromS,
    toS: rows.fromS + rows.byTs.size * STEP_S,
    stepS: STEP_S,
    podEvery: 1,
  });
  return { rows: written, ms: performance.now() - started, transactionsMs };
}

/**
 * Ours as the server runs it, beside the server's connection `serverDb`: the checkpoint worker
 * started on it (store/checkpointer.ts, PASSIVE only while a backfill runs), ours on a connection of its own with the backfill
 * worker's pragmas (openBackfillConnection: synchronous=NORMAL, checkpoints left to that worker).
 * Afterwards, untimed, the WAL is checkpointed and truncated, so the ceiling's commit (which
 * checkpoints inline) does not copy ours' pages.
 */
export async function oursBackfillAsServer(serverDb: Database, rows: DayRows): Promise<OursWrite> {
  const checkpointer = startCheckpointer(serverDb, 1_000, { error: () => {} });
  checkpointer.passiveOnly(true);
  const own = openBackfillConnection(serverDb.name);
  try {
    return await oursBackfill(own, rows);
  } finally {
    own.close();
    await checkpointer.stop();
    serverDb.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/** Ceiling: the same rows, one prepared INSERT per table, one transaction. */
export function ceilingInsert(db: Database, rows: DayRows): { rows: number; ms: number } {
  const ensureScope = db.prepare<[string]>('INSERT OR IGNORE INTO scopes (key) VALUES (?)');
  const idOf = db.prepare<[string], number>('SELECT id FROM scopes WHERE key = ?').pluck();
  const ids = new Map<string, number>();
  for (const r of rows.byTs.values().next().value ?? []) {
    ensureScope.run(r.scope);
    ids.set(r.scope, idOf.get(r.scope) ?? 0);
  }
  const sql = (table: string): string =>
    `INSERT INTO ${table} (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})`;
  const insert1m = db.prepare<Array<number | null>>(sql('rollup_1m'));
  const insert5m = db.prepare<Array<number | null>>(sql('rollup_5m'));
  // Encoded before the clock starts: the ceiling is SQLite's and the binding's cost only.
  const params: Array<{ pod: boolean; values: Array<number | null> }> = [];
  for (const list of rows.byTs.values()) {
    for (const r of list) {
      const values = new Array<number | null>(ROLLUP_COLUMNS.length);
      fillRollupParams(values, 0, ids.get(r.scope) ?? 0, r);
      params.push({ pod: r.scope.startsWith('pod:'), values });
    }
  }
  const started = performance.now();
  db.transaction(() => {
    for (const p of params) (p.pod ? insert5m : insert1m).run(...p.values);
  })();
  return { rows: params.length, ms: performance.now() - started };
}
