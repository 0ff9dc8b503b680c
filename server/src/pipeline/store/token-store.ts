import type { Role } from '../../domain/auth/roles.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/** An API token as stored (table `api_tokens`, migration 4): never the token itself, only its hash. */
export interface StoredToken {
  id: string;
  name: string;
  role: Role;
  hash: Buffer;
  createdAtMs: number;
  createdBy: string;
  lastUsedMs: number | null;
  revokedAtMs: number | null;
}

export interface TokenStore {
  get(id: string): StoredToken | null;
  list(): StoredToken[];
  insert(token: Omit<StoredToken, 'lastUsedMs' | 'revokedAtMs'>): void;
  /** Marks it revoked; false when there is no such live token. */
  revoke(id: string, nowMs: number): boolean;
  touch(id: string, nowMs: number): void;
  countLiveAdmins(): number;
}

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

export function createTokenStore(db: Database): TokenStore {
  const one = db.prepare<[string], Row>('SELECT * FROM api_tokens WHERE id = ?');
  const all = db.prepare<[], Row>('SELECT * FROM api_tokens ORDER BY created_at_ms, id');
  const insert = db.prepare<[string, string, Role, Buffer, number, string]>(
    'INSERT INTO api_tokens (id, name, role, hash, created_at_ms, created_by) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const revoke = db.prepare<[number, string]>('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL');
  const touch = db.prepare<[number, string]>('UPDATE api_tokens SET last_used_ms = ? WHERE id = ?');
  const liveAdmins = db.prepare<[], number>("SELECT count(*) FROM api_tokens WHERE role = 'admin' AND revoked_at_ms IS NULL").pluck();
  return {
    get: (id) => {
      const row = one.get(id);
      return row ? fromRow(row) : null;
    },
    list: () => all.all().map(fromRow),
    insert: writeTransaction(db, (t: Omit<StoredToken, 'lastUsedMs' | 'revokedAtMs'>) => void insert.run(t.id, t.name, t.role, t.hash, t.createdAtMs, t.createdBy)),
    revoke: writeTransaction(db, (id: string, nowMs: number) => revoke.run(nowMs, id).changes > 0),
    touch: writeTransaction(db, (id: string, nowMs: number) => void touch.run(nowMs, id)),
    countLiveAdmins: () => liveAdmins.get() ?? 0,
  };
}
