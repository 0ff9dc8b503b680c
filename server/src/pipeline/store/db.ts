import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { runMigrations } from './migrations.js';

/** An open better-sqlite3 connection; every store factory takes one. */
export type Database = BetterSqlite3.Database;

/**
 * Owner-only modes: the database holds webhook signing secrets (in plain text: the server must
 * sign with them) and token hashes, so no other local user may read it (issue 16).
 */
const PRIVATE_FOLDER_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Creates `path` empty and owner-only if missing, and makes it owner-only if not. */
export function privateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * A database file, its WAL and shared memory owner-only. SQLite gives a WAL and -shm it creates
 * the main file's mode, so a private main file keeps the later ones private too.
 */
function makeDatabasePrivate(path: string): void {
  privateFile(path);
  for (const f of [`${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}

/** SQLite result codes that mean "this file is not a (healthy) SQLite database". */
const NOT_A_DATABASE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * The database file exists but cannot be used as a Headroom database (not SQLite, or corrupt).
 * Carries the file so the operator knows what to move aside.
 */
export class DatabaseFileError extends Error {
  constructor(
    readonly file: string,
    readonly sqliteCode: string,
    cause: unknown,
  ) {
    super(
      `${file} is not a usable SQLite database (${sqliteCode}: ${messageOf(cause)}). ` +
        `Stop Headroom, move the file aside together with any ${file}-wal and ${file}-shm next to it ` +
        `(e.g. mv ${file} ${file}.corrupt), then restart to create a fresh database, or restore one from a backup.`,
      { cause },
    );
    this.name = 'DatabaseFileError';
  }
}

/**
 * Opens (creating if needed, with its parent folder) the SQLite database at `file`, sets the
 * connection pragmas and brings the schema up to date.
 *
 * Pragmas: WAL (readers never block the writer); `synchronous=FULL` because in WAL mode NORMAL
 * may lose the last acknowledged commits on power loss and the ingest API answers 2xx only once
 * a batch is durable; `busy_timeout=5000`; `foreign_keys=ON`; a 64 MiB page cache (a backfill
 * touches one leaf page per scope); temp b-trees in memory (GROUP BY of history queries);
 * `journal_size_limit` so the WAL file shrinks back after a large backfill. `wal_autocheckpoint`
 * keeps its default (1000 pages) here; the server hands checkpoints to a worker (checkpointer.ts).
 *
 * `':memory:'` is accepted (journal mode then stays `memory`).
 * @throws DatabaseFileError when the file is not a SQLite database or is corrupt.
 */
export function openDatabase(file: string): Database {
  const inMemory = file === ':memory:';
  const path = inMemory ? file : resolve(file);
  if (!inMemory) {
    // A folder made here is owner-only; an existing one (the operator's) keeps its mode.
    const made = mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_FOLDER_MODE });
    if (made !== undefined) chmodSync(dirname(path), PRIVATE_FOLDER_MODE);
    makeDatabasePrivate(path);
  }
  let db: Database;
  try {
    db = new BetterSqlite3(path);
  } catch (err) {
    throw new Error(`cannot open database file ${path}: ${messageOf(err)} (is its folder writable?)`, { cause: err });
  }
  try {
    // The first statement reads the header: a non-SQLite file fails here with SQLITE_NOTADB.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    db.pragma('journal_size_limit = 67108864');
    runMigrations(db);
    return db;
  } catch (err) {
    db.close();
    const code = sqliteCodeOf(err);
    if (code !== null && NOT_A_DATABASE_CODES.has(code)) throw new DatabaseFileError(path, code, err);
    throw err;
  }
}

/**
 * Checkpoints the WAL into the main file and truncates it (a clean shutdown leaves one file a
 * backup can copy), then closes. Safe to call on a connection already closed.
 */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  if (!db.memory) db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function sqliteCodeOf(err: unknown): string | null {
  if (err instanceof BetterSqlite3.SqliteError) return err.code;
  return null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
