import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/**
 * Interns scope keys (`site`, `hall:<id>`, `pod:<id>`) as small integers, so rollup rows carry a
 * 1–2 byte id instead of the key text. Ids are stable for the life of the file.
 */
export interface ScopeIds {
  /** The id of `key`, or null when it was never interned. */
  find(key: string): number | null;
  /**
   * The ids of `keys`, interning the missing ones in one transaction of their own (committed
   * before the caller's data transactions begin, unless the caller wraps the whole write in a
   * transaction of its own).
   */
  intern(keys: Iterable<string>): Map<string, number>;
  /** Every interned scope whose key satisfies `filter`. */
  list(filter: (key: string) => boolean): Array<{ id: number; key: string }>;
}

export function createScopeIds(db: Database): ScopeIds {
  // Only ids known to be committed are cached: inside a caller's transaction an id just read or
  // inserted may still be rolled back, and a stale cached id would later alias another scope.
  const committed = new Map<string, number>();
  const select = db.prepare<[string], number>('SELECT id FROM scopes WHERE key = ?').pluck();
  const insert = db
    .prepare<[string], number>('INSERT INTO scopes (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id')
    .pluck();
  const all = db.prepare<[], { id: number; key: string }>('SELECT id, key FROM scopes ORDER BY id');

  const find = (key: string): number | null => {
    const cached = committed.get(key);
    if (cached !== undefined) return cached;
    const id = select.get(key);
    if (id === undefined) return null;
    if (!db.inTransaction) committed.set(key, id);
    return id;
  };

  const insertMissing = writeTransaction(db, (keys: readonly string[]) => {
    const ids = new Map<string, number>();
    for (const key of keys) {
      const id = insert.get(key);
      if (id === undefined) throw new Error(`scope ${key} was not interned`);
      ids.set(key, id);
    }
    return ids;
  });

  return {
    find,
    intern(keys) {
      const result = new Map<string, number>();
      const missing: string[] = [];
      for (const key of keys) {
        if (result.has(key)) continue;
        const id = find(key);
        if (id === null) missing.push(key);
        else result.set(key, id);
      }
      if (missing.length > 0) {
        const inserted = insertMissing(missing);
        const isCommitted = !db.inTransaction;
        for (const [key, id] of inserted) {
          result.set(key, id);
          if (isCommitted) committed.set(key, id);
        }
      }
      return result;
    },
    list(filter) {
      return all.all().filter((row) => filter(row.key));
    },
  };
}
