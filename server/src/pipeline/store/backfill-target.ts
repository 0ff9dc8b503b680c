import type { BackfillOptions } from '../collector/backfill.js';
import { BACKFILL_RESUME_KEY } from '../collector/backfill.js';
import { openDatabase, type Database } from './db.js';
import { createMetaStore } from './meta-store.js';
import { createRollupStore } from './rollup-store.js';
import { backgroundWriter } from './write-gate.js';
import { writeTransaction } from './write-transaction.js';

/** What backfillHistory writes through. */
export type BackfillTarget = Pick<BackfillOptions, 'rollups' | 'transaction' | 'resume'>;

export interface BackfillTargetOptions {
  /** Hears each transaction's time from BEGIN to COMMIT, not counting the wait at the gate (benchmarks). */
  onTransaction?: (ms: number) => void;
}

/**
 * backfillHistory's ports over `db`: rollups, the resume mark in the meta table, and write
 * transactions that each pass the write gate shared with the main thread (store/write-gate.ts)
 * as its background writer, so the server's writes go first.
 */
export function backfillTarget(db: Database, gate: SharedArrayBuffer, options: BackfillTargetOptions = {}): BackfillTarget {
  const writer = backgroundWriter(gate);
  const meta = createMetaStore(db);
  const { onTransaction } = options;
  return {
    rollups: createRollupStore(db),
    transaction: (work) =>
      writer.run(() => {
        if (!onTransaction) return writeTransaction(db, work)();
        const started = performance.now();
        try {
          return writeTransaction(db, work)();
        } finally {
          onTransaction(performance.now() - started);
        }
      }),
    resume: {
      mark: (fromS) => meta.set(BACKFILL_RESUME_KEY, String(fromS)),
      clear: () => void meta.delete(BACKFILL_RESUME_KEY),
    },
  };
}

/**
 * The start-up backfill's own connection to `dbFile` (on its worker thread). Two pragmas differ
 * from the server's connection:
 * - `synchronous=NORMAL`: a commit does not fsync the WAL (the backfill's transactions are short,
 *   so there are many). WAL keeps the file consistent, and recovery replays a prefix of the
 *   commits: a power loss can only drop the newest backfill transactions, together with the
 *   resume mark written in the last of them, so the next start writes them again. Nothing
 *   acknowledged is at stake: the server's own commits (synchronous=FULL) fsync the WAL file,
 *   and with it every backfill frame before them.
 * - `wal_autocheckpoint=0`: the server's checkpoint worker checkpoints (store/checkpointer.ts);
 *   here a checkpoint would run inside a commit, while the main thread waits at the gate.
 * Close it with `db.close()`, not closeDatabase: its final checkpoint would hold the write lock
 * while the main thread writes.
 */
export function openBackfillConnection(dbFile: string): Database {
  const db = openDatabase(dbFile);
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  return db;
}
