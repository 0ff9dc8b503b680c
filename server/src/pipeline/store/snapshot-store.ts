import { DomainError } from '../../domain/errors.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';
import { createMetaStore } from './meta-store.js';

/** The collector's in-memory fleet state, as named byte arrays (typed arrays' bytes). */
export interface FleetSnapshot {
  /** When the state was taken, unix ms. */
  takenAtMs: number;
  /** The last ingest-journal seq the state includes; replay resumes after it. */
  journalSeq: number;
  parts: Record<string, Uint8Array>;
}

export interface SnapshotStore {
  /**
   * Replaces the stored snapshot with `snapshot`, whole, in one transaction: after a crash the
   * file holds either the previous snapshot or this one, never a mix.
   */
  save(snapshot: FleetSnapshot): void;
  /**
   * The stored snapshot, or null when none was saved. Each part owns its ArrayBuffer at byte
   * offset 0, so `new Float64Array(part.buffer)` and friends are aligned views.
   */
  load(): FleetSnapshot | null;
}

const TAKEN_AT_KEY = 'fleet_snapshot.taken_at_ms';
const JOURNAL_SEQ_KEY = 'fleet_snapshot.journal_seq';

export function createSnapshotStore(db: Database): SnapshotStore {
  const meta = createMetaStore(db);
  const clear = db.prepare('DELETE FROM fleet_snapshot');
  const insert = db.prepare<[string, Buffer]>('INSERT INTO fleet_snapshot (name, data) VALUES (?, ?)');
  const selectAll = db.prepare<[], { name: string; data: Buffer }>('SELECT name, data FROM fleet_snapshot');

  const saveAll = writeTransaction(db, (snapshot: FleetSnapshot) => {
    clear.run();
    for (const [name, bytes] of Object.entries(snapshot.parts)) {
      // A view over the same memory: no copy of what may be megabytes.
      insert.run(name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    meta.set(TAKEN_AT_KEY, String(snapshot.takenAtMs));
    meta.set(JOURNAL_SEQ_KEY, String(snapshot.journalSeq));
  });

  return {
    save(snapshot) {
      if (!Number.isSafeInteger(snapshot.takenAtMs) || !Number.isSafeInteger(snapshot.journalSeq)) {
        throw new DomainError('invalid', 'snapshot takenAtMs and journalSeq must be integers');
      }
      saveAll(snapshot);
    },
    load() {
      // One read transaction, so the header and the parts come from the same save.
      return db.transaction((): FleetSnapshot | null => {
        const takenAt = meta.get(TAKEN_AT_KEY);
        const journalSeq = meta.get(JOURNAL_SEQ_KEY);
        if (takenAt === null || journalSeq === null) return null;
        const parts: Record<string, Uint8Array> = {};
        for (const { name, data } of selectAll.all()) parts[name] = new Uint8Array(data);
        return { takenAtMs: Number(takenAt), journalSeq: Number(journalSeq), parts };
      })();
    },
  };
}
