import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixturePath } from '../fixtures/index.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { freePort, killAll, startProcess } from './helpers/process.js';

/** The real dcgm-exporter capture's host: not in the site file. */
const FIXTURE_HOST = 'ip-100-64-147-149.ec2.internal';

interface Fleet {
  site: { id: string; feedWatts: number; pue: number };
  gpus: Record<string, number>;
  unplaced: Record<string, number>;
}
type Pods = { pods: Array<{ id: string; hall: string; gpus: { total: number; unknown: number } }> };

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ SITE_FILE: fixturePath('sites/small-mixed.yaml') });
  await h.collectAt(h.clock.now());
});
afterAll(async () => {
  await h.stop();
  killAll();
});

describe('a server on a site file (test/fixtures/sites/small-mixed.yaml), simulator on', () => {
  it("runs the file's site: its pods, 4- and 8-GPU nodes all reporting", async () => {
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.site).toMatchObject({ id: 'small-mixed', feedWatts: 300_000, pue: 1.25 });
    expect(fleet.gpus.total).toBe(120);
    expect(fleet.gpus.unknown).toBe(0);
    const pods = (await h.getJson<Pods>('/api/v1/fleet/pods')).body.pods;
    expect(pods.map((p) => [p.id, p.hall, p.gpus.total, p.gpus.unknown])).toEqual([
      ['leaf-a', 'h01', 32, 0],
      ['leaf-b', 'h01', 16, 0],
      ['nvl72-r03', 'h01', 72, 0],
    ]);
  });

  it("backfills the file's site (the worker builds it from the layout), pod by pod", async () => {
    const { status, body } = await h.getJson<{ points: Array<[number, number]> }>(
      '/api/v1/history?scope=pod:nvl72-r03&metric=gpus_busy&step=1h',
    );
    expect(status).toBe(200);
    expect(body.points.length).toBeGreaterThan(20);
    expect(body.points.every(([, v]) => v >= 0 && v <= 72)).toBe(true);
    const site = (await h.getJson<{ points: Array<[number, number]> }>('/api/v1/history?scope=site&metric=gpus_busy&step=5m')).body;
    expect(site.points.length).toBeGreaterThanOrEqual(280);
    expect(site.points.every(([, v]) => v <= 120)).toBe(true);
  });

  it('counts a host the file does not place as unplaced, never dropped', async () => {
    const pushed = await h.post('/api/v1/ingest/dcgm', fixture('dcgm-exporter/h100-node-sampled.txt'), 'text/plain');
    expect(pushed.status).toBe(200);
    await h.collectAt(h.clock.now());
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.unplaced.total).toBe(8);
    expect(fleet.gpus.total).toBe(120 + 8);
    const gpu = (await h.getJson<{ host: string; pod: string | null }>('/api/v1/gpus/GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138')).body;
    expect(gpu).toMatchObject({ host: FIXTURE_HOST, pod: null });
  });
});

describe('the real process refuses a bad site file at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-site-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 naming the file, the path and the field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      fixture('sites/small-mixed.yaml').replace("hosts: 'gpu-h100-[004-006]', rack: r02", "hosts: 'gpu-h100-[003-006]', rack: r02"),
    );
    const started = startProcess(join(dir, 'data'), freePort(), { SITE_FILE: bad });
    await expect(started).rejects.toThrow(
      `exited 1: headroom failed to start: invalid configuration: SITE_FILE ${bad}: nodes[1].hosts: "gpu-h100-003" is listed already at nodes[0] (rack "r01"); a node is in one rack`,
    );
  });
});
