/**
 * Prepares the 30-day Colossus database benchmarks 5, 6 and 10 start from (built once per run,
 * copied per repetition): Headroom itself (servers/headroom-process.ts, the simulator on,
 * BACKFILL_DAYS=30, demo contracts) backfills 30 days and is stopped cleanly. The backfill
 * writes site and hall rows every 5 minutes; live collection writes them every minute, so the
 * four minutes between are then filled with each 5-minute row's figures — the 1-minute table
 * then holds what 30 days of live collection would (13 scopes × 43,200 rows), which is what a
 * 30-day site query reads. Pods stay at the backfill's 15 minutes.
 */
import { benchPreset } from '../lib/topologies.js';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { ROOT } from '../lib/child.js';
import { freePort, spawnTracked, waitForUrl } from '../lib/processes.js';

export const HISTORY_DAYS = 30;

export interface HistoryDb {
  file: string;
  rows1m: number;
  rows5m: number;
  buildMs: number;
}

export async function prepareHistoryDb(workDir: string): Promise<HistoryDb> {
  const started = performance.now();
  const dir = join(workDir, 'prep-history');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = spawnTracked('headroom-prepare', process.execPath, ['--import', 'tsx', 'test/bench/servers/headroom-process.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dir,
      PRESET: benchPreset(),
      BACKFILL_DAYS: String(HISTORY_DAYS),
      SIM_CONTRACTS: 'demo',
      LOG_LEVEL: 'warn',
    },
  });
  await waitForUrl(`http://127.0.0.1:${port}/readyz`, proc, 240_000, 250);
  await proc.stop('SIGTERM', 60_000);

  const file = join(dir, 'headroom.db');
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  const fill = db.prepare(
    `INSERT OR IGNORE INTO rollup_1m (scope_id, ts, util_pm, it_w, fac_w, busy_c, held_c, idle_c, sold_c, down_c, unknown_c)
     SELECT scope_id, ts + @offset, util_pm, it_w, fac_w, busy_c, held_c, idle_c, sold_c, down_c, unknown_c
     FROM rollup_1m WHERE ts % 300 = 0`,
  );
  db.transaction(() => {
    for (let m = 1; m <= 4; m++) fill.run({ offset: m * 60 });
  })();
  const rows1m = db.prepare<[], number>('SELECT count(*) FROM rollup_1m').pluck().get() ?? 0;
  const rows5m = db.prepare<[], number>('SELECT count(*) FROM rollup_5m').pluck().get() ?? 0;
  closeDatabase(db);
  return { file, rows1m, rows5m, buildMs: performance.now() - started };
}

/** A fresh copy of the prepared database in `dir` (its own DATA_DIR). */
export function copyHistoryDb(source: string, dir: string): string {
  if (!existsSync(source)) throw new Error(`prepared database ${source} is missing (run through run.ts, which builds it)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'headroom.db');
  copyFileSync(source, file);
  return file;
}
