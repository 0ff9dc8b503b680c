import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/harness.js';
import { freePort, killAll, startProcess } from './helpers/process.js';
import { PINNED_START_MS } from './helpers/pinned-clock.js';
import { authedFetch } from './helpers/auth.js';

afterEach(killAll);

const json = async <T>(url: string): Promise<T> => (await authedFetch(url)).json() as Promise<T>;

describe('restart', () => {
  it('after kill -9, history, pushed GPUs and their samples are back', async () => {
    const dir = tempDir();
    const port = freePort();
    const first = await startProcess(dir, port);
    const from = new Date(PINNED_START_MS - 3 * 86_400_000).toISOString();
    const historyUrl = `${first.url}/api/v1/history?scope=site&metric=gpus_busy&step=1h&from=${from}`;
    const before = await json<{ points: Array<[number, number]> }>(historyUrl);
    expect(before.points.length).toBeGreaterThanOrEqual(47);
    const push = (powerWatts: number) =>
      authedFetch(`${first.url}/api/v1/ingest/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          gpus: [{ uuid: 'GPU-durable', host: 'pushed-node', index: 0, powerWatts, memoryUsedMiB: 900, utilizationPercent: 0 }],
        }),
      });
    expect((await push(121)).status).toBe(200);
    expect((await push(122)).status).toBe(200);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startProcess(dir, port);
    const gpu = await json<{ host: string; powerWatts: number; samplesInWindow: number }>(`${second.url}/api/v1/gpus/GPU-durable`);
    expect(gpu).toMatchObject({ host: 'pushed-node', powerWatts: 122, samplesInWindow: 2 });
    const after = await json<{ points: Array<[number, number]> }>(historyUrl.replace(first.url, second.url));
    expect(after.points.slice(0, before.points.length - 1)).toEqual(before.points.slice(0, before.points.length - 1));
    const fleet = await json<{ unplaced: { total: number } }>(`${second.url}/api/v1/fleet`);
    expect(fleet.unplaced.total).toBe(1);
  });

  it('SIGTERM drains and exits 0, and the next start resumes without a second backfill', async () => {
    const dir = tempDir();
    const port = freePort();
    const first = await startProcess(dir, port);
    first.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => first.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    const second = await startProcess(dir, port);
    const backfills = [...second.output().matchAll(/"rows":(\d+)[^\n]*backfill done/g)].map((m) => Number(m[1]));
    // Only the minutes since the first run stopped: at most a few 5-minute buckets of 9 scopes.
    expect(backfills).toHaveLength(1);
    expect(backfills[0]).toBeLessThan(50);
    const firstRows = Number(/"rows":(\d+)[^\n]*backfill done/.exec(first.output())?.[1]);
    // Two days at 5 min: site + 2 halls every bucket, 6 pods every third (see backfill.ts).
    expect(firstRows).toBeGreaterThan(2 * 288 * 3 + (2 * 288 * 6) / 3 - 50);
    const fleet = await json<{ gpus: { total: number; unknown: number } }>(`${second.url}/api/v1/fleet`);
    expect(fleet.gpus.total).toBe(384);
  });
});
