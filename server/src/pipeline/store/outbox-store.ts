import type { NewOutboxEntry, OutboxEntry, OutboxState } from '../../domain/alerts/outbox-entry.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

interface OutboxRow {
  id: string;
  receiver_id: string;
  group_key: string;
  seq: number;
  body: string;
  state: OutboxState;
  created_at_ms: number;
  next_attempt_ms: number;
  attempts: number;
  last_error: string | null;
  done_at_ms: number | null;
}

const entryOf = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  receiverId: r.receiver_id,
  groupKey: r.group_key,
  seq: r.seq,
  body: r.body,
  state: r.state,
  createdAtMs: r.created_at_ms,
  nextAttemptMs: r.next_attempt_ms,
  attempts: r.attempts,
  lastError: r.last_error,
  doneAtMs: r.done_at_ms,
});

/** The durable webhook outbox (table `webhook_outbox`, migration 3); fits services/alerts/ports.ts `OutboxPort`. */
export function createOutboxStore(db: Database) {
  const insert = db.prepare<[string, string, string, number, string, number, number]>(
    `INSERT INTO webhook_outbox (id, receiver_id, group_key, seq, body, state, created_at_ms, next_attempt_ms)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
  );
  // The head of each group's queue, then only those due.
  const due = db.prepare<[number, number], OutboxRow>(
    `SELECT o.* FROM webhook_outbox o
     JOIN (SELECT receiver_id, group_key, min(seq) AS seq FROM webhook_outbox WHERE state = 'pending' GROUP BY receiver_id, group_key) head
       ON o.receiver_id = head.receiver_id AND o.group_key = head.group_key AND o.seq = head.seq
     WHERE o.next_attempt_ms <= ? ORDER BY o.next_attempt_ms, o.created_at_ms, o.id LIMIT ?`,
  );
  const delivered = db.prepare<[number, string]>(
    `UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, done_at_ms = ? WHERE id = ?`,
  );
  const retry = db.prepare<[string, number, string]>(
    `UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ? WHERE id = ?`,
  );
  const dead = db.prepare<[string, number, string]>(
    `UPDATE webhook_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, done_at_ms = ? WHERE id = ?`,
  );
  const listAll = db.prepare<[number], OutboxRow>('SELECT * FROM webhook_outbox ORDER BY created_at_ms DESC, seq DESC LIMIT ?');
  const listState = db.prepare<[string, number], OutboxRow>(
    'SELECT * FROM webhook_outbox WHERE state = ? ORDER BY created_at_ms DESC, seq DESC LIMIT ?',
  );
  const getOne = db.prepare<[string], OutboxRow>('SELECT * FROM webhook_outbox WHERE id = ?');
  const stats = db.prepare<[], { pending: number; oldest: number | null }>(
    `SELECT count(*) AS pending, min(created_at_ms) AS oldest FROM webhook_outbox WHERE state = 'pending'`,
  );
  const deadCount = db.prepare<[], number>(`SELECT count(*) FROM webhook_outbox WHERE state = 'dead'`).pluck();
  const prune = db.prepare<[number]>(`DELETE FROM webhook_outbox WHERE state = 'delivered' AND done_at_ms < ?`);
  const maxSeq = db
    .prepare<[string, string], number | null>('SELECT max(seq) FROM webhook_outbox WHERE receiver_id = ? AND group_key = ?')
    .pluck();

  return {
    enqueue: writeTransaction(db, (entries: readonly NewOutboxEntry[]) => {
      for (const e of entries) insert.run(e.id, e.receiverId, e.groupKey, e.seq, e.body, e.createdAtMs, e.createdAtMs);
    }),
    due: (nowMs: number, limit: number): OutboxEntry[] => due.all(nowMs, limit).map(entryOf),
    markDelivered: (id: string, nowMs: number): void => void delivered.run(nowMs, id),
    markRetry: (id: string, error: string, nextAttemptMs: number): void => void retry.run(error, nextAttemptMs, id),
    markDead: (id: string, error: string, nowMs: number): void => void dead.run(error, nowMs, id),
    list: (state: OutboxState | null, limit: number): OutboxEntry[] =>
      (state === null ? listAll.all(limit) : listState.all(state, limit)).map(entryOf),
    get: (id: string): OutboxEntry | null => {
      const row = getOne.get(id);
      return row ? entryOf(row) : null;
    },
    pendingStats: (): { pending: number; oldestCreatedAtMs: number | null } => {
      const row = stats.get();
      return { pending: row?.pending ?? 0, oldestCreatedAtMs: row?.oldest ?? null };
    },
    deadCount: () => deadCount.get() ?? 0,
    pruneDelivered: (beforeMs: number): number => prune.run(beforeMs).changes,
    nextSeq: (receiverId: string, groupKey: string): number => (maxSeq.get(receiverId, groupKey) ?? 0) + 1,
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
