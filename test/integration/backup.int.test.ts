import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authedFetch } from './helpers/auth.js';
import { tempDir } from './helpers/harness.js';
import { freePort, killAll, startProcess } from './helpers/process.js';
import { PINNED_START_MS } from './helpers/pinned-clock.js';

afterEach(killAll);

const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm run backup -- <args>` against `dataDir`, as an operator would run it. */
function runBackup(dataDir: string, args: string[]): Promise<{ code: number | null; out: string; ms: number }> {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', 'backup', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, ms: performance.now() - started })));
}

const uuid = (i: number) => `GPU-backup-${String(i).padStart(5, '0')}`;

describe('npm run backup', () => {
  it('copies the database while the server runs and ingests; a server started on the copy has the data', async () => {
    const dir = tempDir();
    // A fast simulated clock: collection rounds (and their history writes) every ≈ 0.3 s meanwhile.
    const first = await startProcess(dir, freePort(), { SIM_SPEED: '30' });
    const created = await authedFetch(`${first.url}/api/v1/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: 'Backup Test Co',
        capacity: { pods: 1 },
        start: '2026-06-01',
        end: '2027-05-31',
        monthlyPriceUsd: 100_000,
        noticeDays: 30,
      }),
    });
    expect(created.status).toBe(201);

    // One pushed GPU per batch, acknowledged in order, until told to stop.
    let acked = 0;
    let pushing = true;
    const pusher = (async () => {
      for (let i = 0; pushing; i++) {
        const res = await authedFetch(`${first.url}/api/v1/ingest/json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            gpus: [{ uuid: uuid(i), host: `backup-node-${i}`, index: 0, powerWatts: 300, utilizationPercent: 50, memoryUsedMiB: 1000 }],
          }),
        });
        expect(res.status).toBe(200);
        acked = i + 1;
      }
    })();
    while (acked < 20) await new Promise((r) => setTimeout(r, 20));

    const out = join(tempDir(), 'headroom-backup.db');
    const ackedBefore = acked;
    const backup = await runBackup(dir, [out]);
    const ackedAfter = acked;
    pushing = false;
    await pusher;
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/integrity_check: ok/);
    const journalRows = Number(/ingest_journal (\d+)/.exec(backup.out)?.[1]);
    // Every push acknowledged before the backup started is in the copy; none after it ended (one may be in flight).
    expect(journalRows).toBeGreaterThanOrEqual(ackedBefore);
    expect(journalRows).toBeLessThanOrEqual(ackedAfter + 1);
    console.log(
      `backup while ingesting: ${backup.out.split('\n')[0]}; npm run backup took ${(backup.ms / 1000).toFixed(1)} s wall, ` +
        `${ackedAfter - ackedBefore} pushes acknowledged during it (${ackedBefore} before); ${journalRows} journal rows in the copy`,
    );
    // One file: no temp name, -wal or -shm left next to it.
    expect(readdirSync(join(out, '..'))).toEqual(['headroom-backup.db']);

    // Refused without --force, the existing copy untouched.
    const again = await runBackup(dir, [out]);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already exists; pass --force/);
    expect(statSync(out).size).toBeGreaterThan(0);

    // Restore: a second server whose DATA_DIR holds the copy as headroom.db.
    const restored = tempDir();
    mkdirSync(restored, { recursive: true });
    renameSync(out, join(restored, 'headroom.db'));
    const second = await startProcess(restored, freePort());
    for (const i of [0, Math.floor(ackedBefore / 2), ackedBefore - 1]) {
      expect((await authedFetch(`${second.url}/api/v1/gpus/${uuid(i)}`)).status, uuid(i)).toBe(200);
    }
    const contracts = (await (await authedFetch(`${second.url}/api/v1/contracts`)).json()) as { contracts: Array<{ customer: string }> };
    expect(contracts.contracts.map((c) => c.customer)).toContain('Backup Test Co');
    // The first server's two backfilled days came along (the second one only fills the gap since).
    const from = new Date(PINNED_START_MS - 40 * 3_600_000).toISOString();
    const history = (await (await authedFetch(`${second.url}/api/v1/history?scope=site&metric=gpus_busy&step=1h&from=${from}`)).json()) as {
      points: unknown[];
    };
    expect(history.points.length).toBeGreaterThanOrEqual(39);
  });
});
