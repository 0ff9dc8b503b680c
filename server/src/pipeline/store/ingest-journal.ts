import { DomainError } from '../../domain/errors.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';
import { decodeBatch, encodeBatch } from './journal-codec.js';

export interface JournalAppend {
  receivedAtMs: number;
  /** Who sent it (e.g. the push token's name or `scrape:<target>`). */
  source: string;
  /**
   * The client's Idempotency-Key, or null. Keys are global: callers that accept keys from
   * several clients should namespace them (e.g. `${source}:${key}`).
   */
  idempotencyKey: string | null;
  /** What the key was sent with (a digest of the request), so a reuse with another body can be told apart. */
  digest?: string;
  batch: IngestBatch;
}

/** What an idempotency key was first used for; digest, samples and gpus are null on rows from before they were kept. */
export interface IdempotencyRecord {
  seq: number;
  digest: string | null;
  samples: number | null;
  gpus: number | null;
}

export interface JournalEntry {
  seq: number;
  receivedAtMs: number;
  source: string;
  batch: IngestBatch;
}

/**
 * Durability for pushed batches: a batch is acknowledged (2xx) only once `append` returned,
 * i.e. committed with `synchronous=FULL`. On restart the collector loads its snapshot and
 * replays `since(snapshot.journalSeq)`; after a snapshot is saved, `truncateThrough` drops what
 * it covers. Sequence numbers are never reused, even after truncation.
 */
export interface IngestJournal {
  /** Appends (one transaction, durable on return) and returns the entry's seq; see appendOnce. */
  append(entry: JournalAppend): number;
  /**
   * As `append`, and says whether the idempotency key was already recorded, in which case
   * nothing is stored and `seq` is the first append's (the caller must not apply the batch again).
   */
  appendOnce(entry: JournalAppend): { seq: number; duplicate: boolean };
  /** What `key` was first used for, or null. Survives truncation until pruneIdempotencyKeys. */
  findByIdempotencyKey(key: string): IdempotencyRecord | null;
  /** Entries with seq > `seq`, ascending; at most `limit` of them when given. */
  since(seq: number, limit?: number): JournalEntry[];
  /** Deletes entries with seq ≤ `seq`; returns how many. */
  truncateThrough(seq: number): number;
  /** The highest seq ever handed out (0 when none), truncated or not. */
  lastSeq(): number;
  /** Forgets idempotency keys recorded before `beforeMs`; returns how many. */
  pruneIdempotencyKeys(beforeMs: number): number;
}

export function createIngestJournal(db: Database): IngestJournal {
  const insert = db
    .prepare<[number, string, string], number>('INSERT INTO ingest_journal (received_at_ms, source, batch) VALUES (?, ?, ?) RETURNING seq')
    .pluck();
  const findKey = db.prepare<[string], IdempotencyRecord>('SELECT seq, digest, samples, gpus FROM ingest_idempotency WHERE key = ?');
  const insertKey = db.prepare<[string, number, number, string | null, number, number]>(
    'INSERT INTO ingest_idempotency (key, seq, received_at_ms, digest, samples, gpus) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectSince = db.prepare<[number, number], { seq: number; receivedAtMs: number; source: string; batch: string }>(
    `SELECT seq, received_at_ms AS receivedAtMs, source, batch FROM ingest_journal
     WHERE seq > ? ORDER BY seq LIMIT CAST(? AS INTEGER)`,
  );
  const deleteThrough = db.prepare<[number]>('DELETE FROM ingest_journal WHERE seq <= ?');
  const selectLast = db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'ingest_journal'").pluck();
  const deleteKeys = db.prepare<[number]>('DELETE FROM ingest_idempotency WHERE received_at_ms < ?');

  const appendTx = writeTransaction(db, (entry: JournalAppend, text: string): { seq: number; duplicate: boolean } => {
    if (entry.idempotencyKey !== null) {
      const existing = findKey.get(entry.idempotencyKey);
      if (existing !== undefined) return { seq: existing.seq, duplicate: true };
    }
    const seq = insert.get(entry.receivedAtMs, entry.source, text);
    if (seq === undefined) throw new Error('journal insert returned no seq');
    if (entry.idempotencyKey !== null) {
      const { samples } = entry.batch;
      const gpus = new Set(samples.map((s) => s.uuid)).size;
      insertKey.run(entry.idempotencyKey, seq, entry.receivedAtMs, entry.digest ?? null, samples.length, gpus);
    }
    return { seq, duplicate: false };
  });

  function appendOnce(entry: JournalAppend): { seq: number; duplicate: boolean } {
    if (!Number.isSafeInteger(entry.receivedAtMs)) {
      throw new DomainError('invalid', `receivedAtMs must be an integer, got ${entry.receivedAtMs}`);
    }
    // Encoded outside the transaction: the write lock is held only for the insert.
    // IMMEDIATE: the key lookup and the insert must see the same state as any other writer.
    return appendTx(entry, encodeBatch(entry.batch));
  }

  return {
    append: (entry) => appendOnce(entry).seq,
    appendOnce,
    findByIdempotencyKey: (key) => findKey.get(key) ?? null,
    since(seq, limit) {
      return selectSince.all(seq, limit ?? -1).map((row) => {
        try {
          return { seq: row.seq, receivedAtMs: row.receivedAtMs, source: row.source, batch: decodeBatch(row.batch) };
        } catch (err) {
          throw new Error(`ingest journal entry ${row.seq} is unreadable: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
          });
        }
      });
    },
    truncateThrough: (seq) => deleteThrough.run(seq).changes,
    lastSeq: () => selectLast.get() ?? 0,
    pruneIdempotencyKeys: (beforeMs) => deleteKeys.run(beforeMs).changes,
  };
}
