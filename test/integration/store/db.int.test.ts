import { existsSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, DatabaseFileError, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createMetaStore } from '../../../server/src/pipeline/store/meta-store.js';
import { MIGRATIONS, runMigrations } from '../../../server/src/pipeline/store/migrations.js';
import { makeTempDir, type TempDir } from './temp-db.js';

describe('openDatabase', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('creates the parent folder and records every migration once', () => {
    const file = tmp.path('nested', 'deeper', 'headroom.db');
    const db = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    closeDatabase(db);
  });

  it('applies no migration again when the file is reopened', () => {
    const file = tmp.path('headroom.db');
    closeDatabase(openDatabase(file));
    const db = openDatabase(file);
    expect(runMigrations(db)).toEqual([]);
    const rows = db.prepare('SELECT count(*) FROM schema_migrations').pluck().get();
    expect(rows).toBe(MIGRATIONS.length);
    closeDatabase(db);
  });

  it('applies only the steps a file lacks, in version order', () => {
    const db = openDatabase(tmp.path('headroom.db'));
    const extra = [
      { version: 1001, name: 'second extra', sql: 'INSERT INTO probe (step) VALUES (1001)' },
      { version: 1000, name: 'first extra', sql: 'CREATE TABLE probe (step INTEGER)' },
    ];
    expect(runMigrations(db, [...MIGRATIONS, ...extra])).toEqual([1000, 1001]);
    expect(runMigrations(db, [...MIGRATIONS, ...extra])).toEqual([]);
    expect(db.prepare('SELECT step FROM probe').pluck().all()).toEqual([1001]);
    closeDatabase(db);
  });

  it('sets WAL, synchronous FULL, a busy timeout, foreign keys and a 64 MiB page cache', () => {
    const db = openDatabase(tmp.path('headroom.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    closeDatabase(db);
  });

  it('refuses a file that is not a SQLite database with an error naming the file and what to do', () => {
    const file = tmp.path('garbage.db');
    writeFileSync(file, 'this is a CSV export, not a database\n'.repeat(200));
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatabaseFileError);
    const error = caught as DatabaseFileError;
    expect(error.file).toBe(file);
    expect(error.sqliteCode).toBe('SQLITE_NOTADB');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/move the file aside/);
    // The file is left as it was for the operator to inspect.
    expect(statSync(file).size).toBe('this is a CSV export, not a database\n'.length * 200);
  });

  it('refuses a file written by a newer schema than this build knows', () => {
    const file = tmp.path('headroom.db');
    const db = openDatabase(file);
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')").run();
    closeDatabase(db);
    expect(() => openDatabase(file)).toThrow(/schema version 9999 is newer than this build knows/);
  });

  it('keeps what was written across close and reopen of the file', () => {
    const file = tmp.path('headroom.db');
    const db = openDatabase(file);
    createMetaStore(db).set('site.name', 'colossus-2');
    closeDatabase(db);
    const reopened = openDatabase(file);
    expect(createMetaStore(reopened).get('site.name')).toBe('colossus-2');
    closeDatabase(reopened);
  });

  it('checkpoints and truncates the WAL file on close', () => {
    const file = tmp.path('headroom.db');
    const db = openDatabase(file);
    createMetaStore(db).set('k', 'x'.repeat(100_000));
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    closeDatabase(db);
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    expect(() => closeDatabase(db)).not.toThrow();
  });
});

describe('meta store', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('returns null for a key never set, the last value set, and null again once deleted', () => {
    const db = openDatabase(tmp.path('headroom.db'));
    const meta = createMetaStore(db);
    expect(meta.get('sim.seed')).toBeNull();
    meta.set('sim.seed', '1');
    meta.set('sim.seed', '2');
    expect(meta.get('sim.seed')).toBe('2');
    expect(meta.delete('sim.seed')).toBe(true);
    expect(meta.get('sim.seed')).toBeNull();
    expect(meta.delete('sim.seed')).toBe(false);
    closeDatabase(db);
  });
});
