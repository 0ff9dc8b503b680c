import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../../server/src/pipeline/store/checkpointer.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { tempDir } from '../helpers/harness.js';

const silent = { error: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const walBytes = (db: Database): number => statSync(`${db.name}-wal`, { throwIfNoEntry: false })?.size ?? 0;

/** 40 MB of writes in 160 transactions, with the event loop free between them (as the server writes). */
async function writeLots(db: Database): Promise<number> {
  db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, blob BLOB)');
  const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
  const tx = db.transaction(() => {
    for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(4096, i));
  });
  let maxWal = 0;
  for (let t = 0; t < 160; t++) {
    tx();
    maxWal = Math.max(maxWal, walBytes(db));
    await sleep(5);
  }
  return maxWal;
}

describe('the checkpointer', () => {
  it('keeps the WAL bounded from its own thread, with the main connection never checkpointing', async () => {
    const db = openDatabase(join(tempDir(), 'ckpt.db'));
    const checkpointer = startCheckpointer(db, 50, silent);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // The worker loads TypeScript first (a second or so on a busy machine).
    for (let i = 0; i < 200 && checkpointer.last() === null; i++) await sleep(50);
    const maxWal = await writeLots(db);
    expect(checkpointer.last()).toMatchObject({ type: 'checkpoint', busy: 0 });
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    closeDatabase(db);
    // ≈ 1.6 MB written per 50 ms interval at most; the 40 MB written never piles up.
    expect(maxWal).toBeLessThan(12 * 1024 * 1024);
  });

  it('is what bounds it: without it, and with automatic checkpoints off, the WAL holds everything', async () => {
    const db = openDatabase(join(tempDir(), 'no-ckpt.db'));
    db.pragma('wal_autocheckpoint = 0');
    const maxWal = await writeLots(db);
    closeDatabase(db);
    expect(maxWal).toBeGreaterThan(40 * 1024 * 1024);
  });

  it('holds no write lock when asked for PASSIVE only: it keeps checkpointing while another connection writes', async () => {
    const db = openDatabase(join(tempDir(), 'passive.db'));
    const errors: string[] = [];
    const checkpointer = startCheckpointer(db, 50, { error: (obj) => errors.push(JSON.stringify(obj)) });
    checkpointer.passiveOnly(true);
    for (let i = 0; i < 200 && checkpointer.last() === null; i++) await sleep(50);
    // More than RESTART_ABOVE_FRAMES (2,048) frames in the WAL, and a writer that keeps the lock.
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB)');
    const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 3_000; i++) insert.run(Buffer.alloc(4096, i % 256));
    })();
    const writer = openDatabase(db.name);
    writer.exec('BEGIN IMMEDIATE');
    // A RESTART would now wait for the lock (busy timeout 5 s) and then fail; PASSIVE ones go on.
    const seen = new Set<unknown>();
    for (let i = 0; i < 1_000 && seen.size < 4; i++) {
      const last = checkpointer.last();
      if (last !== null && last.log > 2_048) seen.add(last);
      await sleep(10);
    }
    writer.exec('ROLLBACK');
    writer.close();
    checkpointer.passiveOnly(false);
    await checkpointer.stop();
    closeDatabase(db);
    expect(seen.size).toBe(4);
    expect(errors).toEqual([]);
  });
});
