import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupDatabase } from '../../server/src/cli/backup.js';
import { closeDatabase, openDatabase } from '../../server/src/pipeline/store/db.js';
import { startTestHeadroom, tempDir } from './helpers/harness.js';

/**
 * Issue 16: the data folder was 0755 and headroom.db (-wal, -shm, backups) 0644, readable by every
 * local user, and it holds webhook signing secrets. Now the folder is 0700 and the files 0600,
 * whatever the umask (the test process runs with the usual 022).
 */
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('file modes of the database', () => {
  it('makes a fresh DATA_DIR 0700 and headroom.db, its WAL and shared memory 0600', async () => {
    const dir = join(tempDir(), 'fresh-data');
    const h = await startTestHeadroom({}, dir);
    try {
      await h.collectAt(h.clock.now());
      const db = join(dir, 'headroom.db');
      expect(modeOf(dir)).toBe('700');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) {
        expect(existsSync(f), f).toBe(true);
        expect(modeOf(f), f).toBe('600');
      }
    } finally {
      await h.stop();
    }
  });

  it('tightens a database and WAL left readable by an earlier version, and leaves an existing folder alone', () => {
    const dir = tempDir();
    chmodSync(dir, 0o750);
    const file = join(dir, 'headroom.db');
    const first = openDatabase(file);
    first.exec('CREATE TABLE IF NOT EXISTS t (x)');
    closeDatabase(first);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);
    const again = openDatabase(file);
    try {
      expect(modeOf(file)).toBe('600');
      expect(modeOf(`${file}-wal`)).toBe('600');
      expect(modeOf(dir)).toBe('750');
    } finally {
      closeDatabase(again);
    }
  });

  it('writes a backup 0600', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'headroom.db'));
    closeDatabase(db);
    const out = join(tempDir(), 'backup.db');
    const report = await backupDatabase(join(dir, 'headroom.db'), out, { force: false });
    expect(report.file).toBe(out);
    expect(modeOf(out)).toBe('600');
  });
});
