import { setImmediate as nextTurn } from 'node:timers/promises';
import { DomainError } from '../../domain/errors.js';
import type { HistoryMetric, ScopeRollup } from '../../domain/fleet/rollup.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';
import { fillRollupParams, METRIC_COLUMN, ROLLUP_COLUMNS } from './rollup-columns.js';
import { rollupKeyOrder } from './rollup-order.js';
import { createScopeIds } from './scope-ids.js';

/** `1m` holds the site and hall scopes, `5m` the pod scopes. */
export type RollupResolution = '1m' | '5m';
export const ROLLUP_RESOLUTIONS = ['1m', '5m'] as const satisfies readonly RollupResolution[];

/**
 * Default rows per write transaction: small enough that one transaction holds the event loop
 * for tens of milliseconds, large enough that commits (each an fsync) stay a minor cost.
 * Figures in test/integration/store/rollup-speed.manual.ts.
 */
export const ROLLUP_WRITE_BATCH_ROWS = 10_000;
/** Default rows deleted per prune transaction. */
export const ROLLUP_PRUNE_BATCH_ROWS = 20_000;

export interface RollupStoreOptions {
  /** Rows per write transaction (default ROLLUP_WRITE_BATCH_ROWS). */
  writeBatchRows?: number;
  /** Rows per prune transaction (default ROLLUP_PRUNE_BATCH_ROWS). */
  pruneBatchRows?: number;
}

const COLUMN_COUNT = ROLLUP_COLUMNS.length;
/** Rows bound per multi-row INSERT. */
const MULTI_ROWS = 32;

/** Rows to write, their scope ids, and the order to insert them in. */
interface WritePlan {
  rows: readonly ScopeRollup[];
  scopeIdOf: Int32Array;
  order: Uint32Array;
}

const TABLE: Record<RollupResolution, string> = { '1m': 'rollup_1m', '5m': 'rollup_5m' };

/** Which table a scope's history lives in; null for a key that is not a scope. */
export function resolutionOfScope(scope: string): RollupResolution | null {
  if (scope === 'site' || (scope.startsWith('hall:') && scope.length > 5) || (scope.startsWith('model:') && scope.length > 6)) return '1m';
  if (scope.startsWith('pod:') && scope.length > 4) return '5m';
  return null;
}

export interface RollupStore {
  /**
   * Stores `rows` (all of `resolution`'s scopes), replacing any row already stored for the same
   * (scope, ts). Commits in transactions of at most `writeBatchRows` rows: a call up to that
   * size is atomic; a larger one (a backfill) may stop part-way on error, and re-running it is safe.
   * Returns the number of rows written.
   * @throws DomainError('invalid') before writing anything if a row's scope belongs to the other
   *   resolution or its ts is not a non-negative whole number of seconds.
   */
  write(resolution: RollupResolution, rows: readonly ScopeRollup[]): number;
  /** As `write`, but yields to the event loop between transactions; for backfills. */
  writeYielding(resolution: RollupResolution, rows: readonly ScopeRollup[]): Promise<number>;
  /**
   * A scope's history of `metric` over [fromS, toS) in buckets of `stepS` seconds aligned to
   * multiples of stepS: `[bucketStartS, mean of the stored rows in the bucket]`, ascending.
   * Buckets with no row (or only rows without that value) are omitted. A scope never written
   * yields []. The first bucket may start before fromS; only rows at or after fromS count.
   * @throws DomainError('invalid') for a key that is not a scope or a stepS that is not a
   *   positive whole number.
   */
  query(scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]>;
  /** Newest bucket start stored at `resolution`, or null when the table is empty. */
  latestTs(resolution: RollupResolution): number | null;
  /** Deletes every row with ts < beforeS, in bounded transactions. Returns rows deleted. */
  prune(resolution: RollupResolution, beforeS: number): number;
  /** Deletes at most `maxRows` rows with ts < beforeS in one transaction. Returns rows deleted. */
  pruneSome(resolution: RollupResolution, beforeS: number, maxRows: number): number;
  /** Whether `scope` was ever written (its history may since have been pruned). */
  hasScope(scope: string): boolean;
}

export function createRollupStore(db: Database, options: RollupStoreOptions = {}): RollupStore {
  const scopeIds = createScopeIds(db);
  const writeBatchRows = positiveInt(options.writeBatchRows ?? ROLLUP_WRITE_BATCH_ROWS, 'writeBatchRows');
  const pruneBatchRows = positiveInt(options.pruneBatchRows ?? ROLLUP_PRUNE_BATCH_ROWS, 'pruneBatchRows');

  const columns = `(${ROLLUP_COLUMNS.join(', ')})`;
  const tuple = `(${new Array(COLUMN_COUNT).fill('?').join(', ')})`;
  const insertOne = perResolution((table) =>
    db.prepare<[Array<number | null>]>(`INSERT OR REPLACE INTO ${table} ${columns} VALUES ${tuple}`),
  );
  // Rows per statement: each statement run costs about as much as the b-tree work of a row, so
  // binding MULTI_ROWS rows per run roughly doubles insert throughput. VALUES rows are inserted in
  // order, so a later duplicate still replaces an earlier one.
  const insertMany = perResolution((table) =>
    db.prepare<[Array<number | null>]>(`INSERT OR REPLACE INTO ${table} ${columns} VALUES ${new Array(MULTI_ROWS).fill(tuple).join(', ')}`),
  );
  const manyParams = new Array<number | null>(MULTI_ROWS * COLUMN_COUNT);
  const oneParams = new Array<number | null>(COLUMN_COUNT);
  const latest = perResolution((table) =>
    db.prepare<[], number | null>(`SELECT max((SELECT max(ts) FROM ${table} r WHERE r.scope_id = s.id)) FROM scopes s`).pluck(),
  );
  // Deletes a scope's oldest rows below @before, at most @limit of them: the bound is the ts of
  // the (limit+1)-th oldest such row, or @before when there are no more than @limit.
  const deleteOldest = perResolution((table) =>
    db.prepare<{ scope: number; before: number; limit: number }>(
      `DELETE FROM ${table} WHERE scope_id = @scope AND ts < coalesce(
         (SELECT ts FROM ${table} WHERE scope_id = @scope AND ts < @before
          ORDER BY ts LIMIT 1 OFFSET CAST(@limit AS INTEGER)),
         @before)`,
    ),
  );

  type QueryParams = { scope: number; step: number; from: number; to: number };
  const queries = new Map<string, ReturnType<typeof prepareQuery>>();
  function prepareQuery(table: string, column: string) {
    // Integer division: numbers are bound as REAL, hence the CAST.
    return db.prepare<QueryParams, { t: number; v: number | null }>(
      `SELECT (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS t, avg(${column}) AS v
       FROM ${table} WHERE scope_id = @scope AND ts >= @from AND ts < @to
       GROUP BY t ORDER BY t`,
    );
  }

  /** Rows `order[from..to)` of `rows`, as one transaction of multi-row INSERTs. */
  const writeBatch = writeTransaction(db, (resolution: RollupResolution, plan: WritePlan, from: number, to: number) => {
    const { rows, order, scopeIdOf } = plan;
    const fill = (params: Array<number | null>, offset: number, k: number): void => {
      const index = order[k] ?? 0;
      const row = rows[index];
      if (row === undefined) throw new Error(`rollup row ${index} out of range`);
      fillRollupParams(params, offset, scopeIdOf[index] ?? 0, row);
    };
    let k = from;
    for (; k + MULTI_ROWS <= to; k += MULTI_ROWS) {
      for (let j = 0; j < MULTI_ROWS; j++) fill(manyParams, j * COLUMN_COUNT, k + j);
      insertMany[resolution].run(manyParams);
    }
    for (; k < to; k++) {
      fill(oneParams, 0, k);
      insertOne[resolution].run(oneParams);
    }
  });

  /** Validates every row (throwing before anything is written), interns the scopes, orders the rows. */
  function planWrite(resolution: RollupResolution, rows: readonly ScopeRollup[]): WritePlan {
    const scopes = new Set<string>();
    for (const row of rows) {
      if (resolutionOfScope(row.scope) !== resolution) {
        throw new DomainError('invalid', `scope ${row.scope} is not stored at resolution ${resolution}`, {
          scope: row.scope,
        });
      }
      if (!Number.isSafeInteger(row.ts) || row.ts < 0) {
        throw new DomainError('invalid', `rollup ts must be whole seconds ≥ 0, got ${row.ts}`, { scope: row.scope });
      }
      scopes.add(row.scope);
    }
    const ids = scopeIds.intern(scopes);
    const scopeIdOf = new Int32Array(rows.length);
    const tsOf = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      const id = ids.get(row.scope);
      if (id === undefined) throw new Error(`scope ${row.scope} was not interned`);
      scopeIdOf[i] = id;
      tsOf[i] = row.ts;
    });
    return { rows, scopeIdOf, order: rollupKeyOrder(scopeIdOf, tsOf) };
  }

  function pruneSome(resolution: RollupResolution, beforeS: number, maxRows: number): number {
    const stmt = deleteOldest[resolution];
    const scopes = scopeIds.list((key) => resolutionOfScope(key) === resolution);
    return writeTransaction(db, () => {
      let deleted = 0;
      for (const { id } of scopes) {
        const budget = maxRows - deleted;
        if (budget <= 0) break;
        deleted += stmt.run({ scope: id, before: beforeS, limit: budget }).changes;
      }
      return deleted;
    })();
  }

  return {
    write(resolution, rows) {
      const plan = planWrite(resolution, rows);
      for (let i = 0; i < rows.length; i += writeBatchRows) {
        writeBatch(resolution, plan, i, Math.min(rows.length, i + writeBatchRows));
      }
      return rows.length;
    },
    async writeYielding(resolution, rows) {
      const plan = planWrite(resolution, rows);
      for (let i = 0; i < rows.length; i += writeBatchRows) {
        if (i > 0) await nextTurn();
        writeBatch(resolution, plan, i, Math.min(rows.length, i + writeBatchRows));
      }
      return rows.length;
    },
    query(scope, metric, fromS, toS, stepS) {
      const resolution = resolutionOfScope(scope);
      if (resolution === null) throw new DomainError('invalid', `unknown scope ${scope}`, { scope });
      if (!Number.isSafeInteger(stepS) || stepS <= 0) {
        throw new DomainError('invalid', `step must be a positive whole number of seconds, got ${stepS}`);
      }
      const id = scopeIds.find(scope);
      if (id === null || !(toS > fromS)) return [];
      const { column, divisor } = METRIC_COLUMN[metric];
      const key = `${resolution}:${column}`;
      let stmt = queries.get(key);
      if (stmt === undefined) {
        stmt = prepareQuery(TABLE[resolution], column);
        queries.set(key, stmt);
      }
      const points: Array<[number, number]> = [];
      for (const { t, v } of stmt.all({ scope: id, step: stepS, from: fromS, to: toS })) {
        if (v !== null) points.push([t, v / divisor]);
      }
      return points;
    },
    latestTs: (resolution) => latest[resolution].get() ?? null,
    prune(resolution, beforeS) {
      let total = 0;
      for (;;) {
        const deleted = pruneSome(resolution, beforeS, pruneBatchRows);
        total += deleted;
        if (deleted < pruneBatchRows) return total;
      }
    },
    pruneSome,
    hasScope: (scope) => scopeIds.find(scope) !== null,
  };
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new DomainError('invalid', `${name} must be a positive integer`);
  return value;
}

function perResolution<T>(make: (table: string) => T): Record<RollupResolution, T> {
  return { '1m': make(TABLE['1m']), '5m': make(TABLE['5m']) };
}
