/**
 * `npm run backup -- <out-file> [--force]`: a consistent copy of DATA_DIR/headroom.db, taken
 * while Headroom runs (or not), checked, and only then given its name.
 *
 * 1. SQLite's online backup API copies every page of the live database in one step, inside one
 *    read transaction: the copy is the database as of that instant, WAL content included. In WAL
 *    mode a reader never blocks the writer, so the server keeps ingesting meanwhile (its WAL
 *    grows until the copy ends, then checkpoints as usual).
 * 2. The copy is written to a hidden temp name next to <out-file>, opened, and checked with
 *    `PRAGMA integrity_check`; a copy that fails is deleted.
 * 3. It is fsynced and renamed to <out-file> (an atomic replace on one filesystem), so the name
 *    only ever holds a whole, checked copy. An existing <out-file> is refused unless --force.
 *
 * Prints the size, the schema version and the rows of a few main tables. Exit code 0 on
 * success, 1 on a failure, 2 on bad arguments.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { privateFile } from '../pipeline/store/db.js';

/** Tables whose row counts are printed (those the file has: an older schema may lack some). */
const COUNTED_TABLES = [
  'contracts',
  'demand_plans',
  'ingest_journal',
  'rollup_1m',
  'rollup_5m',
  'gpu_hourly',
  'gpu_slots',
  'alert_rules',
  'webhook_receivers',
  'api_tokens',
  'audit_log',
];
/** better-sqlite3 clamps a step to this many pages: the whole file in one step. */
const ALL_PAGES = 0x7fffffff;

export interface BackupReport {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
  schemaVersion: number | null;
  rows: Record<string, number>;
}

/** A refusal or failure the operator can act on (printed without a stack). */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** Copies `source` to `out` as described above; throws BackupError (nothing left at `out`'s temp name). */
export async function backupDatabase(source: string, out: string, opts: { force: boolean }): Promise<BackupReport> {
  const src = resolve(source);
  const dest = resolve(out);
  if (!existsSync(src)) throw new BackupError(`no database at ${src} (is DATA_DIR right?)`);
  if (dest === src) throw new BackupError(`${dest} is the live database itself`);
  if (existsSync(dest) && !opts.force) throw new BackupError(`${dest} already exists; pass --force to replace it`);
  if (!existsSync(dirname(dest))) throw new BackupError(`folder ${dirname(dest)} does not exist`);
  const tmp = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}`);

  const started = performance.now();
  try {
    // Read-write, though it only reads: a read-only connection to a WAL database that is the
    // only one open (server stopped) leaves empty -wal and -shm files behind.
    const db = new BetterSqlite3(src, { fileMustExist: true });
    let pages: number;
    try {
      db.pragma('busy_timeout = 5000');
      // One step: the default (100 pages a step) restarts whenever the server writes between
      // steps, which on a busy server can be forever.
      // Created owner-only first: SQLite writes the copy into it, keeping the mode (issue 16).
      privateFile(tmp);
      pages = (await db.backup(tmp, { progress: () => ALL_PAGES })).totalPages;
    } finally {
      db.close();
    }
    const { schemaVersion, rows } = checkCopy(tmp);
    if (existsSync(dest) && !opts.force) throw new BackupError(`${dest} appeared during the backup; pass --force to replace it`);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, dest);
    syncFolder(dirname(dest));
    return { file: dest, bytes: statSync(dest).size, pages, ms: performance.now() - started, schemaVersion, rows };
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

/** integrity_check on the copy (a failure throws), then its schema version and row counts. */
function checkCopy(file: string): { schemaVersion: number | null; rows: Record<string, number> } {
  const copy = new BetterSqlite3(file, { fileMustExist: true });
  try {
    const problems = (copy.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.join() !== 'ok') throw new BackupError(`the copy failed PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`);
    const tables = new Set(copy.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all());
    const rows = Object.fromEntries(
      COUNTED_TABLES.filter((t) => tables.has(t)).map((t) => [
        t,
        copy.prepare<[], number>(`SELECT count(*) FROM "${t}"`).pluck().get() ?? 0,
      ]),
    );
    const schemaVersion = tables.has('schema_migrations')
      ? (copy.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck().get() ?? null)
      : null;
    return { schemaVersion, rows };
  } finally {
    // The last connection to close removes the copy's -wal and -shm: the backup is one file.
    copy.close();
  }
}

/** The rename is durable once the folder's entry is on disk. */
function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(2)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : `${(n / 1024).toFixed(1)} KiB`;
}

async function main(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const files = argv.filter((a) => a !== '--force');
  if (files.length !== 1 || files[0]?.startsWith('-')) {
    console.error('usage: npm run backup -- <out-file> [--force]   (copies DATA_DIR/headroom.db; safe while Headroom runs)');
    return 2;
  }
  try {
    const source = join(loadConfig().dataDir, 'headroom.db');
    const r = await backupDatabase(source, files[0] as string, { force });
    console.log(`backed up ${resolve(source)} to ${r.file}: ${formatBytes(r.bytes)} (${r.pages} pages) in ${(r.ms / 1000).toFixed(1)} s`);
    console.log(`integrity_check: ok; schema version ${r.schemaVersion ?? 'none'}`);
    const rows = Object.entries(r.rows).map(([t, n]) => `${t} ${n}`);
    console.log(`rows: ${rows.length ? rows.join(', ') : 'none of the main tables (an empty or foreign database?)'}`);
    return 0;
  } catch (error) {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// Run as a script (npm run backup); importing the module only defines backupDatabase.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
