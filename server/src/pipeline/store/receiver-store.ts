import type { Database } from './db.js';
import { parseStored, type Parse } from './stored-json.js';
import { writeTransaction } from './write-transaction.js';

/** Webhook receivers (table `webhook_receivers`, migration 3); fits services/alerts/ports.ts `ReceiverPort`. */
export function createReceiverStore<R>(db: Database, parse: Parse<R>) {
  const all = db.prepare<[], { id: string; body: string; created_at_ms: number; updated_at_ms: number }>(
    'SELECT * FROM webhook_receivers ORDER BY created_at_ms, id',
  );
  const one = db.prepare<[string], string>('SELECT body FROM webhook_receivers WHERE id = ?').pluck();
  const upsert = db.prepare<[string, string, number, number]>(
    `INSERT INTO webhook_receivers (id, body, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms`,
  );
  const remove = db.prepare<[string]>('DELETE FROM webhook_receivers WHERE id = ?');
  const parseBody = (id: string, body: string): R => parseStored('webhook_receivers', id, body, parse);
  return {
    list: () =>
      all.all().map((r) => ({ id: r.id, receiver: parseBody(r.id, r.body), createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms })),
    get: (id: string): R | null => {
      const body = one.get(id);
      return body === undefined ? null : parseBody(id, body);
    },
    put: writeTransaction(db, (id: string, receiver: R, nowMs: number) => void upsert.run(id, JSON.stringify(receiver), nowMs, nowMs)),
    remove: writeTransaction(db, (id: string) => remove.run(id).changes > 0),
  };
}
