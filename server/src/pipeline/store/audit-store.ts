import type { AuditEntry } from '../../domain/auth/audit-entry.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

interface Row {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  status: number;
  detail: string | null;
}

/** The audit log (table `audit_log`, migration 4); fits services/auth/ports.ts `AuditPort`. */
export function createAuditStore(db: Database) {
  const insert = db.prepare<[number, string, string, string, number, string | null]>(
    'INSERT INTO audit_log (at_ms, actor, action, target, status, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare<[number, number], Row>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
  return {
    record: writeTransaction(db, (e: Omit<AuditEntry, 'id'>) =>
      Number(
        insert.run(
          e.atMs,
          e.actor,
          e.action,
          e.target,
          e.status,
          e.detail === null || e.detail === undefined ? null : JSON.stringify(e.detail),
        ).lastInsertRowid,
      ),
    ),
    list: (limit: number, beforeId: number = Number.MAX_SAFE_INTEGER): AuditEntry[] =>
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
