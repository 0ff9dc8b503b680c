/**
 * The order to insert rollup rows in: by key (scope id, ts), stable, so of two rows for one
 * (scope, ts) the later one is written last and wins.
 *
 * Why it matters: callers produce rows time-major (every scope at one ts) while the tables are
 * scope-major. In key order a transaction touches each leaf page once and covers a few scopes'
 * long runs, instead of rewriting a page of every scope into the WAL per transaction (≈ 2–3×
 * faster backfills, most of it fsync'd WAL bytes saved).
 *
 * Scope ids are small interned integers, so this is a counting sort by id (linear); a scope's
 * run is then sorted by ts only when it is not already ascending — callers write in time order.
 *
 * @param scopeIdOf scope id of each row (≥ 0)
 * @param tsOf ts of each row
 * @returns row indexes in key order
 */
export function rollupKeyOrder(scopeIdOf: Int32Array, tsOf: Float64Array): Uint32Array {
  const n = scopeIdOf.length;
  let maxId = 0;
  for (let i = 0; i < n; i++) maxId = Math.max(maxId, scopeIdOf[i] ?? 0);

  const start = new Uint32Array(maxId + 2);
  for (let i = 0; i < n; i++) {
    const id = scopeIdOf[i] ?? 0;
    start[id + 1] = (start[id + 1] ?? 0) + 1;
  }
  for (let id = 1; id < start.length; id++) start[id] = (start[id] ?? 0) + (start[id - 1] ?? 0);

  const order = new Uint32Array(n);
  const next = start.slice(0, maxId + 1);
  for (let i = 0; i < n; i++) {
    const id = scopeIdOf[i] ?? 0;
    const at = next[id] ?? 0;
    order[at] = i;
    next[id] = at + 1;
  }

  for (let id = 0; id <= maxId; id++) {
    const run = order.subarray(start[id] ?? 0, start[id + 1] ?? 0);
    let ascending = true;
    for (let k = 1; k < run.length && ascending; k++) {
      ascending = (tsOf[run[k - 1] ?? 0] ?? 0) <= (tsOf[run[k] ?? 0] ?? 0);
    }
    if (!ascending) {
      const sorted = Array.from(run).sort((a, b) => (tsOf[a] ?? 0) - (tsOf[b] ?? 0) || a - b);
      run.set(sorted);
    }
  }
  return order;
}
