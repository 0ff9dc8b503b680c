import type { Database } from './db.js';

/**
 * A write transaction that takes the write lock at BEGIN (IMMEDIATE). A deferred transaction
 * that reads first and then writes cannot wait for another connection's write lock in WAL
 * mode: SQLite answers SQLITE_BUSY at once. Taking the lock up front lets busy_timeout wait —
 * the start-up backfill writes from a worker thread's own connection.
 */
export function writeTransaction<A extends unknown[], R>(db: Database, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A) => tx.immediate(...args);
}
