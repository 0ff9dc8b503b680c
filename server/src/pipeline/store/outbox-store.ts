import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

export type OutboxState = 'pending' | 'delivered' | 'dead';

/** A notification to one receiver; `id` is its `webhook-id` on every attempt. */
export interface OutboxEntry {
  id: string;
  receiverId: string;
  groupKey: string;
  /** Order of the notifications of one group: sent strictly in this order. */
  seq: number;
  /** The exact request body (the signature covers these bytes). */
  body: string;
  state: OutboxState;
  createdAtMs: number;
  nextAttemptMs: number;
  attempts: number;
  lastError: string | null;
  doneAtMs: number | null;
}

export type NewOutboxEntry = Pick<OutboxEntry, 'id' | 'receiverId' | 'groupKey' | 'seq' | 'body' | 'createdAtMs'>;

/** The durable webhook outbox (table `webhook_outbox`, migration 3). */
export interface OutboxStore {
  /** Records notifications as pending; call inside the transaction that saves the alert states behind them. */
  enqueue(entries: readonly NewOutboxEntry[]): void;
  /**
   * Notifications due at `nowMs`: per (receiver, group), only the oldest pending one — a later
   * notification of a group never overtakes an earlier one that is still being retried.
   */
  due(nowMs: number, limit: number): OutboxEntry[];
  markDelivered(id: string, nowMs: number): void;
  markRetry(id: string, error: string, nextAttemptMs: number): void;
  markDead(id: string, error: string, nowMs: number): void;
  /** Newest first; `state` filters. */
  list(state: OutboxState | null, limit: number): OutboxEntry[];
  get(id: string): OutboxEntry | null;
  /** Pending count and the creation time of the oldest pending entry. */
  pendingStats(): { pending: number; oldestCreatedAtMs: number | null };
  /** Dead letters kept (the live view shows the count). */
  deadCount(): number;
  /** Drops delivered entries finished before `beforeMs`; dead letters stay until deleted. */
  pruneDelivered(beforeMs: number): number;
  /** The next seq for a group (1 for a new one). */
  nextSeq(receiverId: string, groupKey: string): number;
}

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

export function createOutboxStore(db: Database): OutboxStore {
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
  const delivered = db.prepare<[number, string]>(`UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, done_at_ms = ? WHERE id = ?`);
  const retry = db.prepare<[string, number, string]>(`UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ? WHERE id = ?`);
  const dead = db.prepare<[string, number, string]>(`UPDATE webhook_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, done_at_ms = ? WHERE id = ?`);
  const listAll = db.prepare<[number], OutboxRow>('SELECT * FROM webhook_outbox ORDER BY created_at_ms DESC, seq DESC LIMIT ?');
  const listState = db.prepare<[string, number], OutboxRow>('SELECT * FROM webhook_outbox WHERE state = ? ORDER BY created_at_ms DESC, seq DESC LIMIT ?');
  const getOne = db.prepare<[string], OutboxRow>('SELECT * FROM webhook_outbox WHERE id = ?');
  const stats = db.prepare<[], { pending: number; oldest: number | null }>(
    `SELECT count(*) AS pending, min(created_at_ms) AS oldest FROM webhook_outbox WHERE state = 'pending'`,
  );
  const deadCount = db.prepare<[], number>(`SELECT count(*) FROM webhook_outbox WHERE state = 'dead'`).pluck();
  const prune = db.prepare<[number]>(`DELETE FROM webhook_outbox WHERE state = 'delivered' AND done_at_ms < ?`);
  const maxSeq = db.prepare<[string, string], number | null>('SELECT max(seq) FROM webhook_outbox WHERE receiver_id = ? AND group_key = ?').pluck();

  return {
    enqueue: writeTransaction(db, (entries: readonly NewOutboxEntry[]) => {
      for (const e of entries) insert.run(e.id, e.receiverId, e.groupKey, e.seq, e.body, e.createdAtMs, e.createdAtMs);
    }),
    due: (nowMs, limit) => due.all(nowMs, limit).map(entryOf),
    markDelivered: (id, nowMs) => void delivered.run(nowMs, id),
    markRetry: (id, error, nextAttemptMs) => void retry.run(error, nextAttemptMs, id),
    markDead: (id, error, nowMs) => void dead.run(error, nowMs, id),
    list: (state, limit) => (state === null ? listAll.all(limit) : listState.all(state, limit)).map(entryOf),
    get: (id) => {
      const row = getOne.get(id);
      return row ? entryOf(row) : null;
    },
    pendingStats: () => {
      const row = stats.get();
      return { pending: row?.pending ?? 0, oldestCreatedAtMs: row?.oldest ?? null };
    },
    deadCount: () => deadCount.get() ?? 0,
    pruneDelivered: (beforeMs) => prune.run(beforeMs).changes,
    nextSeq: (receiverId, groupKey) => (maxSeq.get(receiverId, groupKey) ?? 0) + 1,
  };
}
