import type { Database } from './db.js';
import type { PriorityWriter } from './write-gate.js';

/**
 * Gates attached to connections (attachWriteGate). Keyed by the connection, so it is the
 * connection's own setting, as a pragma would be: every store writes through writeTransaction
 * with the connection it was made with, and none of them needs to know about the gate.
 */
const gates = new WeakMap<Database, PriorityWriter>();

/**
 * Until the returned function is called, every write transaction on `db` (writeTransaction)
 * passes `gate` first (write-gate.ts: the start-up backfill's worker yields to it). Attach
 * while a background writer runs; detach when it is done.
 */
export function attachWriteGate(db: Database, gate: PriorityWriter): () => void {
  gates.set(db, gate);
  return () => {
    if (gates.get(db) === gate) gates.delete(db);
  };
}

/**
 * A write transaction that takes the write lock at BEGIN (IMMEDIATE). A deferred transaction
 * that reads first and then writes cannot wait for another connection's write lock in WAL
 * mode: SQLite answers SQLITE_BUSY at once. Taking the lock up front lets busy_timeout wait.
 * With a write gate attached to `db`, the outermost transaction passes the gate first, so it
 * never waits in SQLite's busy handler for the start-up backfill's worker (write-gate.ts);
 * a nested one (a savepoint) already holds the lock.
 */
export function writeTransaction<A extends unknown[], R>(db: Database, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A) => {
    const gate = gates.get(db);
    if (gate === undefined || db.inTransaction) return tx.immediate(...args);
    gate.enter();
    try {
      return tx.immediate(...args);
    } finally {
      gate.leave();
    }
  };
}
