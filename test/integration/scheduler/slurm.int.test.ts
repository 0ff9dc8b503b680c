import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { GPUS_PER_NODE, SLURM_NODES, slurmUnavailable, startSlurm, TOKEN_USER, type RunningSlurm } from '../helpers/slurm.js';
import { authedFetch } from '../helpers/auth.js';

/**
 * Issue 18's acceptance against a real Slurm (Debian's 22.05: munge, slurmctld, four slurmd with
 * eight dummy GPUs each, slurmrestd v0.0.38 with JWT): telemetry for n1..n4 is pushed as JSON,
 * allocation is read from slurmrestd, and the GPU states follow both.
 */
const unavailable = slurmUnavailable();
const STALE_S = 20;
const READINGS = {
  idle: { utilizationPercent: 0, powerWatts: 70, memoryUsedMiB: 0 },
  busy: { utilizationPercent: 100, powerWatts: 690, memoryUsedMiB: 1011 },
};
const uuid = (node: string, i: number): string => `GPU-slurm-${node}-${i}`;

type Gpu = { state: string; toldBy: string; orphaned: boolean; downReason: string | null; job: { id: string; account: string } | null };
type SchedulerReport = {
  configured: boolean;
  health: { state: string; reason: string | null };
  queue: { pendingGpus: number; pendingJobs: number };
  reservations: Array<{ name: string; maintenance: boolean; active: boolean; nodes: string[] }>;
  lastError: { reason: string } | null;
};

describe.skipIf(unavailable !== null)('a real Slurm (slurmrestd v0.0.38) tells allocation', () => {
  let slurm: RunningSlurm;
  let h: TestHeadroom;
  /** GPUs computing in the telemetry pushed: n1's 0–3 (the job there); every other GPU idle. */
  const computing = new Set([uuid('n1', 0), uuid('n1', 1), uuid('n1', 2), uuid('n1', 3)]);

  async function pushTelemetry(): Promise<void> {
    const gpus = SLURM_NODES.flatMap((node) =>
      Array.from({ length: GPUS_PER_NODE }, (_, index) => ({
        uuid: uuid(node, index),
        host: node,
        index,
        model: 'NVIDIA H100 80GB HBM3',
        memoryTotalMiB: 81559,
        ...(computing.has(uuid(node, index)) ? READINGS.busy : READINGS.idle),
      })),
    );
    const res = await h.post('/api/v1/ingest/json', JSON.stringify({ gpus }), 'application/json');
    expect(res.status).toBe(200);
  }

  /** Two samples per GPU (a telemetry verdict needs two), a fresh poll, a round now. */
  async function round(): Promise<void> {
    await pushTelemetry();
    await new Promise((r) => setTimeout(r, 5));
    await pushTelemetry();
    await h.scheduler?.pollNow();
    await h.collectAt(h.clock.now());
  }

  const gpu = async (node: string, i: number): Promise<Gpu> => (await h.getJson<Gpu>(`/api/v1/gpus/${uuid(node, i)}`)).body;
  const statesOf = async (node: string): Promise<string[]> =>
    Promise.all(Array.from({ length: GPUS_PER_NODE }, async (_, i) => (await gpu(node, i)).state));
  const report = async (): Promise<SchedulerReport> => (await h.getJson<SchedulerReport>('/api/v1/scheduler')).body;
  const metrics = async (): Promise<string> => (await authedFetch(`${h.url}/metrics`)).text();

  async function untilRunning(ids: number[]): Promise<void> {
    for (;;) {
      const { jobs } = await slurm.get<{ jobs: Array<{ job_id: number; job_state: string }> }>('/slurm/v0.0.38/jobs');
      if (ids.every((id) => jobs.find((j) => j.job_id === id)?.job_state === 'RUNNING')) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    slurm = await startSlurm();
    h = await startTestHeadroom({
      SIM: 'false',
      SLURM_REST_URL: slurm.restUrl,
      SLURM_USER: TOKEN_USER,
      SLURM_JWT: slurm.token,
      SLURM_POLL_S: '1',
      SLURM_STALE_AFTER_S: String(STALE_S),
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await slurm?.stop();
  }, 60_000);

  it('reads a job allocated and never computing held (never idle), one computing busy, the free GPUs idle — at the next poll', async () => {
    const idle = slurm.submit(['--gres=gpu:8', '-w', 'n2', '-A', 'train']);
    const busy = slurm.submit(['--gres=gpu:4', '-w', 'n1', '-A', 'serve']);
    await untilRunning([idle, busy]);
    await round();
    expect(await statesOf('n2')).toEqual(Array(8).fill('held'));
    expect(await statesOf('n1')).toEqual(['busy', 'busy', 'busy', 'busy', 'idle', 'idle', 'idle', 'idle']);
    expect(await gpu('n2', 5)).toMatchObject({ toldBy: 'scheduler', orphaned: false, job: { id: String(idle), account: 'train' } });
    expect((await gpu('n1', 7)).job).toBeNull();
    const site = (await h.getJson<{ gpus: { held: number; idle: number }; toldBy: { scheduler: number } }>('/api/v1/fleet')).body;
    expect(site.toldBy.scheduler).toBe(32);
    expect(site.gpus.held).toBe(8);
    expect((await report()).health).toEqual({ state: 'ok', reason: null });
    expect(await metrics()).toMatch(/headroom_gpus_told_by\{source="scheduler"[^}]*\} 32/);
  });

  it("puts a pending job's GPUs (tres_per_node × nodes) in the queue figure, in the API and on /metrics", async () => {
    slurm.submit(['--gres=gpu:8', '-N', '3']);
    await round();
    const r = await report();
    expect(r.queue).toMatchObject({ pendingJobs: 1, pendingGpus: 24 });
    expect(await metrics()).toMatch(/headroom_scheduler_pending_gpus\{[^}]*\} 24/);
  });

  it('takes a maintenance reservation’s nodes down (reason maintenance) in its window', async () => {
    slurm.run('scontrol', [
      'create',
      'reservation',
      'reservationname=maint-n3',
      'nodes=n3',
      'starttime=now',
      'duration=60',
      'users=root',
      'flags=maint,ignore_jobs',
    ]);
    await round();
    expect(await statesOf('n3')).toEqual(Array(8).fill('down'));
    expect((await gpu('n3', 0)).downReason).toBe('maintenance');
    expect((await report()).reservations).toContainEqual(
      expect.objectContaining({ name: 'maint-n3', maintenance: true, active: true, nodes: ['n3'], gpus: 8 }),
    );
    expect(await statesOf('n4')).toEqual(Array(8).fill('idle'));
  });

  it("puts a drained node down with Slurm's reason", async () => {
    slurm.run('scontrol', ['update', 'nodename=n4', 'state=drain', 'reason=fan failure on tray 2']);
    await round();
    expect(await statesOf('n4')).toEqual(Array(8).fill('down'));
    expect((await gpu('n4', 3)).downReason).toBe('fan failure on tray 2');
  });

  it("reads a draining node's running job as its allocation says and only its free GPUs down, with the drain reason", async () => {
    // n1 runs the 4-GPU job computing on GPUs 0–3 (the first test); drained while it runs.
    slurm.run('scontrol', ['update', 'nodename=n1', 'state=drain', 'reason=PSU swap after this job']);
    await round();
    expect(await statesOf('n1')).toEqual(['busy', 'busy', 'busy', 'busy', 'down', 'down', 'down', 'down']);
    expect(await gpu('n1', 0)).toMatchObject({ toldBy: 'scheduler', downReason: null, job: { account: 'serve' } });
    expect((await gpu('n1', 6)).downReason).toBe('PSU swap after this job');
    slurm.run('scontrol', ['update', 'nodename=n1', 'state=resume']);
  });

  it('reads the token from SLURM_JWT_FILE again when it is rotated, and after a refusal when the file looks unchanged', async () => {
    const file = join(h.dir, 'slurm.jwt');
    // A token slurmrestd refuses, as long as the real one (same size: the file's stamp can stay put).
    const bad = `${slurm.token.slice(0, -4)}${slurm.token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    writeFileSync(file, `SLURM_JWT=${bad}\n`);
    const other = await startTestHeadroom(
      { SIM: 'false', SLURM_REST_URL: slurm.restUrl, SLURM_USER: TOKEN_USER, SLURM_JWT_FILE: file, SLURM_POLL_S: '1' },
      tempDir(),
    );
    try {
      const reportOf = async () => (await other.getJson<SchedulerReport>('/api/v1/scheduler')).body;
      expect((await reportOf()).lastError?.reason).toMatch(/^(auth|slurm_error)$/);
      // Rotated as cron would (`scontrol token … > file`): a new modification time.
      const fresh = slurm.run('scontrol', ['token', `username=${TOKEN_USER}`, 'lifespan=3600']).trim();
      writeFileSync(file, `${fresh}\n`);
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      await other.scheduler?.pollNow();
      expect((await reportOf()).health.state).toBe('ok');
      // Refused again, then a good token written with the old stamp and size: only the refusal re-reads it.
      const stamp = statSync(file).mtime;
      writeFileSync(file, `SLURM_JWT=${bad}\n`);
      utimesSync(file, stamp, new Date(stamp.getTime() + 60_000));
      await other.scheduler?.pollNow();
      expect((await reportOf()).lastError?.reason).toMatch(/^(auth|slurm_error)$/);
      const before = statSync(file);
      writeFileSync(file, `SLURM_JWT=${slurm.token}\n`);
      utimesSync(file, before.atime, before.mtime);
      expect(statSync(file).size).toBe(before.size);
      await other.scheduler?.pollNow();
      const r = await reportOf();
      expect(r.health.state).toBe('ok');
      expect(r.queue).toBeDefined();
    } finally {
      await other.stop();
    }
  });

  it('with slurmrestd stopped says so, keeps the allocated GPUs held once allocation is stale, and recovers when it returns', async () => {
    await slurm.stopRest();
    await round();
    let r = await report();
    expect(r.health.state).toBe('failing');
    expect(r.lastError?.reason).toBe('unreachable');
    expect(await metrics()).toMatch(/headroom_scheduler_poll_errors_total\{reason="unreachable"[^}]*\} [1-9]/);
    // Past the stale bound: telemetry decides, but the GPUs the job held never read idle.
    const readAt = Date.parse((await h.getJson<{ readAt: string }>('/api/v1/scheduler')).body.readAt);
    await h.collectAt(readAt + STALE_S * 1000 + 1000);
    r = await report();
    expect(r.health.state).toBe('stale');
    expect(r.health.reason).toMatch(/states from telemetry/);
    expect(await statesOf('n2')).toEqual(Array(8).fill('held'));
    expect(await gpu('n2', 0)).toMatchObject({ toldBy: 'telemetry' });
    expect(await metrics()).toMatch(/headroom_scheduler_up\{[^}]*\} 0/);

    await slurm.startRest();
    await round();
    expect((await report()).health.state).toBe('ok');
    expect(await gpu('n2', 0)).toMatchObject({ state: 'held', toldBy: 'scheduler' });
    expect(await metrics()).toMatch(/headroom_scheduler_up\{[^}]*\} 1/);
  });
});
