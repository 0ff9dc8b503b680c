import type { Database } from './db.js';

/** Small string settings and markers that must survive restarts (e.g. the snapshot's header). */
export interface MetaStore {
  /** The stored value, or null when the key was never set (or was deleted). */
  get(key: string): string | null;
  /** Sets (or replaces) the value of `key`. */
  set(key: string, value: string): void;
  /** Removes `key`; returns whether it existed. */
  delete(key: string): boolean;
}

export function createMetaStore(db: Database): MetaStore {
  const select = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare<[string]>('DELETE FROM meta WHERE key = ?');

  return {
    get: (key) => select.get(key) ?? null,
    set: (key, value) => {
      upsert.run(key, value);
    },
    delete: (key) => remove.run(key).changes > 0,
  };
}
