/**
 * A Headroom process (servers/headroom-process.ts: startHeadroom as `npm start` runs it, the
 * simulator on at real speed, collecting every 10 s) over a fresh copy of the prepared 30-day
 * Colossus database — for benchmarks that measure requests against a running server.
 */
import { benchPreset } from './topologies.js';
import { join } from 'node:path';
import { copyHistoryDb } from '../prepare/history-db.js';
import { ADMIN_TOKEN, bearer, NO_RATE_LIMITS } from '../../integration/helpers/auth.js';
import { ROOT } from './child.js';
import { freePort, spawnTracked, waitForUrl, type Tracked } from './processes.js';

export async function startHistoryHeadroom(workDir: string, tag: string): Promise<{ url: string; proc: Tracked; readyMs: number }> {
  const dir = join(workDir, tag);
  copyHistoryDb(join(workDir, 'prep-history', 'headroom.db'), dir);
  const port = await freePort();
  const proc = spawnTracked('headroom', process.execPath, ['--import', 'tsx', 'test/bench/servers/headroom-process.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dir,
      PRESET: benchPreset(),
      BACKFILL_DAYS: '30',
      SIM_CONTRACTS: 'demo',
      LOG_LEVEL: 'warn',
      HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
      ...NO_RATE_LIMITS,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitForUrl(`${url}/readyz`, proc, 180_000, 200);
  return { url, proc, readyMs };
}

/** One GET with the admin token, timed from the client: request sent to body read. */
export async function timedGet(url: string): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  const response = await fetch(url, { headers: bearer() });
  const body = await response.text();
  return { ms: performance.now() - t0, status: response.status, body };
}
