import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlurm, RESPONSE_SCHEMAS, slurmSchema } from '../support/slurm-schema.js';
import { authedFetch } from './helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

/**
 * The simulated scheduler over real HTTP: a started server on the simulated site serves
 * slurmrestd's v0.0.38 endpoints under /sim/slurm (SLURM_REST_URL=<server>/sim/slurm), in the
 * shapes of Slurm 22.05's own OpenAPI document, agreeing with the telemetry of the same round.
 */
let h: TestHeadroom;
beforeAll(async () => {
  // The demo contract book, so sold pods run customers' jobs.
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo', SIM_SCENARIO: 'rebound' });
});
afterAll(async () => {
  await h.stop();
});

interface Job {
  job_state: string;
  account: string;
  partition: string;
  nodes: string;
  node_count: number;
  tres_per_node: string;
}

const get = async (endpoint: string): Promise<{ status: number; body: Record<string, unknown>; type: string | null }> => {
  // Like every read of this server, with a reader's token (or PUBLIC_READ=true).
  const response = await authedFetch(`${h.url}/sim/slurm/slurm/v0.0.38/${endpoint}`);
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
};

describe('the simulated slurmrestd', () => {
  it('serves ping, nodes, jobs and reservations as Slurm 22.05 does, every field one its spec declares', async () => {
    await h.collectAt(h.clock.now());
    for (const [endpoint, schema] of Object.entries(RESPONSE_SCHEMAS)) {
      const answer = await get(endpoint);
      expect(answer.status, endpoint).toBe(200);
      expect(answer.type).toMatch(/^application\/json/);
      expect(checkSlurm(answer.body, slurmSchema(schema)), endpoint).toEqual([]);
      expect(answer.body.meta).toMatchObject({ plugin: { type: 'openapi/v0.0.38' }, Slurm: { release: '22.05.8' } });
    }
  });

  it('allocates as many GPUs as the same round sees in use, and runs the contract book customers on their pods', async () => {
    await h.collectAt(h.clock.now());
    const nodes = (await get('nodes')).body.nodes as Array<{ name: string; gres_used: string }>;
    expect(nodes).toHaveLength(h.sim?.topology.nodes.length ?? -1);
    const allocated = nodes.reduce((sum, n) => sum + Number(/^gpu:(\d+)/.exec(n.gres_used)?.[1] ?? Number.NaN), 0);
    const truth = h.sim!.allocationTruth();
    expect(allocated).toBe(truth.internal.busy + truth.internal.held + truth.customer.sold);
    const jobs = (await get('jobs')).body.jobs as Job[];
    const running = jobs.filter((j) => j.job_state === 'RUNNING');
    const customers = new Set(running.filter((j) => j.partition === 'customer').map((j) => j.account));
    // Aurora Labs' one-year block is in its term on the pinned date.
    expect(customers).toContain('aurora-labs');
    const hosts = new Set(nodes.map((n) => n.name));
    for (const job of running) expect(hosts.has(job.nodes.replace(/\[(\d+).*$/, '$1'))).toBe(true);
    expect(jobs.some((j) => j.job_state === 'PENDING')).toBe(true);
  });

  it('queues the rebound run days ahead, and lists its reservation from three days before it', async () => {
    const rebound = Date.UTC(2026, 11, 1);
    // The pinned clock is 3.5 days before the rebound: the run's jobs wait, its reservation is not made yet.
    expect(rebound - h.clock.now()).toBeGreaterThan(3 * 86_400_000);
    const queued = ((await get('jobs')).body.jobs as Array<Job & { resv_name: string; state_reason: string }>).filter(
      (j) => j.resv_name === 'pretrain-rebound',
    );
    expect(queued.length).toBeGreaterThan(0);
    for (const job of queued) expect(job).toMatchObject({ job_state: 'PENDING', state_reason: 'Reservation', account: 'pretrain' });
    await h.collectAt(rebound - 36 * 3_600_000);
    const reservations = (await get('reservations')).body.reservations as Array<{ name: string; start_time: number; accounts: string }>;
    expect(reservations.find((r) => r.name === 'pretrain-rebound')).toMatchObject({ start_time: rebound / 1000, accounts: 'pretrain' });
  });
});

describe('the default run', () => {
  type Report = { configured: boolean; health?: { state: string }; queue?: { pendingGpus: number } };
  type Fleet = { toldBy: { scheduler: number; telemetry: number } };

  it('reads its simulated scheduler through the Slurm reader: scheduler-told states and the queue', async () => {
    await h.scheduler?.pollNow();
    await h.collectAt(h.clock.now());
    const report = (await h.getJson<Report>('/api/v1/scheduler')).body;
    expect(report).toMatchObject({ configured: true, health: { state: 'ok' } });
    expect(report.queue?.pendingGpus).toBeGreaterThan(0);
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.toldBy.scheduler).toBeGreaterThan(0);
  });

  it('with SIM_SCHEDULER=false reads telemetry alone', async () => {
    const off = await startTestHeadroom({ SIM_SCHEDULER: 'false' });
    try {
      await off.collectAt(off.clock.now());
      expect((await off.getJson<Report>('/api/v1/scheduler')).body).toEqual({ configured: false, kubernetes: null });
      expect((await off.getJson<Fleet>('/api/v1/fleet')).body.toldBy.scheduler).toBe(0);
    } finally {
      await off.stop();
    }
  });
});
