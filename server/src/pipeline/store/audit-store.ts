import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/** One change: who made it, when, to what, and how it ended (table `audit_log`, migration 4). */
export interface AuditEntry {
  id: number;
  atMs: number;
  /** `token:<id> (<name>)`, or `cli` for changes made on the command line. */
  actor: string;
  /** `POST /api/v1/contracts` */
  action: string;
  /** What was changed: the resource path (`/api/v1/contracts/7`). */
  target: string;
  status: number;
  /** The request body as sent, secrets masked; null when there was none. */
  detail: unknown;
}

export interface AuditStore {
  record(entry: Omit<AuditEntry, 'id'>): number;
  /** Newest first, at most `limit`, ids below `beforeId` when given (paging). */
  list(limit: number, beforeId?: number): AuditEntry[];
}

interface Row {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  status: number;
  detail: string | null;
}

export function createAuditStore(db: Database): AuditStore {
  const insert = db.prepare<[number, string, string, string, number, string | null]>(
    'INSERT INTO audit_log (at_ms, actor, action, target, status, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare<[number, number], Row>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
  return {
    record: writeTransaction(db, (e: Omit<AuditEntry, 'id'>) =>
      Number(insert.run(e.atMs, e.actor, e.action, e.target, e.status, e.detail === null || e.detail === undefined ? null : JSON.stringify(e.detail)).lastInsertRowid),
    ),
    list: (limit, beforeId = Number.MAX_SAFE_INTEGER) =>
      page.all(beforeId, limit).map((r) => ({
        id: r.id,
        atMs: r.at_ms,
        actor: r.actor,
        action: r.action,
        target: r.target,
        status: r.status,
        detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
      })),
  };
}
