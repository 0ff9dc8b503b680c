import type { Role } from '../../domain/auth/roles.js';
import type { StoredToken } from '../../domain/auth/stored-token.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

interface Row {
  id: string;
  name: string;
  role: Role;
  hash: Buffer;
  created_at_ms: number;
  created_by: string;
  last_used_ms: number | null;
  revoked_at_ms: number | null;
}

const fromRow = (r: Row): StoredToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  hash: r.hash,
  createdAtMs: r.created_at_ms,
  createdBy: r.created_by,
  lastUsedMs: r.last_used_ms,
  revokedAtMs: r.revoked_at_ms,
});

/** API tokens (table `api_tokens`, migration 4); fits services/auth/ports.ts `TokenPort`. */
export function createTokenStore(db: Database) {
  const one = db.prepare<[string], Row>('SELECT * FROM api_tokens WHERE id = ?');
  const all = db.prepare<[], Row>('SELECT * FROM api_tokens ORDER BY created_at_ms, id');
  const insert = db.prepare<[string, string, Role, Buffer, number, string]>(
    'INSERT INTO api_tokens (id, name, role, hash, created_at_ms, created_by) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const revoke = db.prepare<[number, string]>('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL');
  const touch = db.prepare<[number, string]>('UPDATE api_tokens SET last_used_ms = ? WHERE id = ?');
  const liveAdmins = db.prepare<[], number>("SELECT count(*) FROM api_tokens WHERE role = 'admin' AND revoked_at_ms IS NULL").pluck();
  // Read before each live broadcast (outputs/live/live-revocation.ts). Tokens are never un-revoked
  // or deleted, so the count grows with each revocation; the latest time is a second witness.
  const revision = db.prepare<[], string>("SELECT count(revoked_at_ms) || ':' || ifnull(max(revoked_at_ms), 0) FROM api_tokens").pluck();
  return {
    get: (id: string): StoredToken | null => {
      const row = one.get(id);
      return row ? fromRow(row) : null;
    },
    list: () => all.all().map(fromRow),
    insert: writeTransaction(
      db,
      (t: Omit<StoredToken, 'lastUsedMs' | 'revokedAtMs'>) => void insert.run(t.id, t.name, t.role, t.hash, t.createdAtMs, t.createdBy),
    ),
    revoke: writeTransaction(db, (id: string, nowMs: number) => revoke.run(nowMs, id).changes > 0),
    touch: writeTransaction(db, (id: string, nowMs: number) => void touch.run(nowMs, id)),
    countLiveAdmins: () => liveAdmins.get() ?? 0,
    revocationRevision: () => revision.get() ?? '',
  };
}
