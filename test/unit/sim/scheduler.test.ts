import { describe, expect, it } from 'vitest';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { REBOUND_RESERVATION } from '../../../server/src/sim/reservations.js';
import { ANCHOR_MS, createSimulator, type SimJob, type Simulator } from '../../../server/src/sim/simulator.js';
import { checkSlurm, RESPONSE_SCHEMAS, slurmSchema } from '../../support/slurm-schema.js';
import { DAY_MS, HOUR_MS, mediumSite, readGpus, reading, smallSite } from './exposition.js';

interface SlurmNode {
  name: string;
  state: string;
  state_flags: string[];
  gres_used: string;
}
interface SlurmJob {
  job_id: number;
  job_state: string;
  nodes: string;
  node_count: number;
  tres_per_node: string;
  gres_detail: string[];
  state_reason: string;
  account: string;
  start_time: number;
}

const slurm = (sim: Simulator, endpoint: 'ping' | 'nodes' | 'jobs' | 'reservations'): unknown => JSON.parse(sim.slurmJson(endpoint));
const running = (jobs: SimJob[]): SimJob[] => jobs.filter((j) => j.state === 'RUNNING');

describe('the simulated scheduler', () => {
  it('is a pure function of the seed and the moment', () => {
    const t = ANCHOR_MS - 3 * DAY_MS + 5 * HOUR_MS;
    const a = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 5 });
    const b = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 5 });
    const c = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 6 });
    a.advance(t);
    // b reaches the same moment from elsewhere in time: no replay, same answer.
    b.advance(t + 40 * DAY_MS);
    b.scheduler();
    b.advance(t);
    c.advance(t);
    for (const endpoint of ['nodes', 'jobs', 'reservations'] as const) expect(a.slurmJson(endpoint)).toBe(b.slurmJson(endpoint));
    expect(a.slurmJson('jobs')).not.toBe(c.slurmJson('jobs'));
  });

  it('allocates exactly the GPUs whose telemetry shows a job, and computes only where jobs compute', () => {
    // More stuck jobs and orphans than by default, so every case occurs on a small site.
    const sim = createSimulator({
      topology: smallSite(),
      scenario: 'decline',
      seed: 8,
      scenarioParams: { stuckJobShare: 0.5, orphanNodeShare: 0.1 },
    });
    const seen = { computing: 0, noProcess: 0, heldNotComputing: 0, orphan: 0, idle: 0 };
    for (let h = 0; h < 72; h += 3) {
      const t = ANCHOR_MS - 10 * DAY_MS + h * HOUR_MS;
      sim.advance(t);
      const jobOf = new Map<number, SimJob>();
      for (const job of running(sim.scheduler().jobs)) for (const n of job.nodes) jobOf.set(n, job);
      for (const node of sim.topology.nodes) {
        const job = jobOf.get(node.index);
        const gpus = readGpus(sim.renderNode(node.index));
        for (const [g, gpu] of gpus) {
          const telemetry = sim.truthStateOf(node.slots[g] ?? 0);
          if (telemetry === GpuState.down) continue;
          const compute = reading(gpu, 'GR_ENGINE_ACTIVE');
          const memory = reading(gpu, 'FB_USED');
          if (job?.computing) {
            expect(compute, `${node.host} gpu ${g}`).toBeGreaterThan(0);
            seen.computing++;
          } else if (job) {
            expect(compute).toBe(0);
            if (memory === 0) seen.noProcess++;
            else seen.heldNotComputing++;
          } else {
            expect(compute).toBe(0);
            if (memory > 0) seen.orphan++;
            else seen.idle++;
          }
        }
      }
    }
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(0);
  });

  it('starts a queued job under the same id at its expected start', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'decline', seed: 15 });
    const t = ANCHOR_MS - 5 * DAY_MS + 7 * HOUR_MS;
    sim.advance(t);
    const queued = sim
      .scheduler()
      .jobs.filter((j) => j.state === 'PENDING')
      .slice(0, 20);
    expect(queued.length).toBeGreaterThan(0);
    let started = 0;
    for (const job of queued) {
      sim.advance(job.startMs + sim.tickMs);
      const now = sim.scheduler().jobs.find((j) => j.jobId === job.jobId);
      // A node that failed or went into maintenance meanwhile may hold it back; most start.
      if (now?.state === 'RUNNING') {
        expect(now).toMatchObject({ account: job.account, submitMs: job.submitMs, startMs: job.startMs, gpusPerNode: job.gpusPerNode });
        started++;
      }
    }
    expect(started).toBeGreaterThanOrEqual(queued.length * 0.8);
  });

  it('counts the allocation truth per tenant class over every GPU, the way the jobs tell it', () => {
    const sim = createSimulator({
      topology: smallSite(),
      scenario: 'flat',
      seed: 9,
      soldPod: (pod) => pod === 1,
      podCustomer: () => 'aurora-labs',
    });
    sim.advance(ANCHOR_MS + 9 * HOUR_MS);
    const truth = sim.allocationTruth();
    const total = truth.internal.busy + truth.internal.held + truth.customer.sold + truth.idle + truth.orphaned + truth.down;
    expect(total).toBe(sim.topology.slotNode.length);
    expect(truth.customer.sold).toBe(64);
    const jobs = running(sim.scheduler().jobs);
    const internalGpus = jobs.filter((j) => j.account !== 'aurora-labs').reduce((sum, j) => sum + j.nodeCount * j.gpusPerNode, 0);
    expect(truth.internal.busy + truth.internal.held).toBe(internalGpus);
    const teams = Object.values(truth.teams).reduce((sum, t) => sum + t.busy + t.held, 0);
    expect(teams).toBe(internalGpus);
    expect(jobs.some((j) => j.account === 'aurora-labs' && j.partition === 'customer')).toBe(true);
  });

  it('serves nodes, jobs, reservations and ping in slurmrestd v0.0.38 shape, GRES strings included', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'rebound', seed: 10 });
    sim.advance(ANCHOR_MS - 2 * DAY_MS);
    for (const [endpoint, schema] of Object.entries(RESPONSE_SCHEMAS)) {
      expect(checkSlurm(slurm(sim, endpoint as keyof typeof RESPONSE_SCHEMAS), slurmSchema(schema)), endpoint).toEqual([]);
    }
    const nodes = (slurm(sim, 'nodes') as { nodes: SlurmNode[] }).nodes;
    const jobs = (slurm(sim, 'jobs') as { jobs: SlurmJob[] }).jobs;
    let usedGpus = 0;
    for (const node of nodes) {
      const match = /^gpu:(\d)\(IDX:(N\/A|[0-7](?:[-,][0-7])*)\)$/.exec(node.gres_used);
      expect(match, node.gres_used).not.toBeNull();
      const count = Number(match?.[1]);
      usedGpus += count;
      expect(node.state).toBe(node.state === 'down' ? 'down' : count === 0 ? 'idle' : count < 8 ? 'mixed' : 'allocated');
    }
    let jobGpus = 0;
    for (const job of jobs.filter((j) => j.job_state === 'RUNNING')) {
      expect(job.gres_detail).toHaveLength(job.node_count);
      expect(job.nodes).toMatch(/^h\d\d-p\d{3}-n(\d\d|\[[\d,-]+\])$/);
      for (const detail of job.gres_detail) expect(detail).toMatch(/^gpu:(8\(IDX:0-7\)|4\(IDX:(0-3|4-7)\))$/);
      jobGpus += job.node_count * Number(job.tres_per_node.replace('gres:gpu:', ''));
    }
    expect(jobGpus).toBe(usedGpus);
    const pending = jobs.filter((j) => j.job_state === 'PENDING');
    expect(pending.length).toBeGreaterThan(0);
    for (const job of pending) {
      expect(['Resources', 'Priority', 'Reservation']).toContain(job.state_reason);
      expect(job.gres_detail).toEqual([]);
      expect(job.start_time * 1000).toBeGreaterThan(sim.lastTickMs());
    }
    expect(new Set(jobs.map((j) => j.job_id)).size).toBe(jobs.length);
  });

  it('shows the rebound in the queue and a reservation more than 24 h before telemetry does', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'rebound', seed: 12 });
    const rebound = sim.params.reboundAtMs;
    const gpus = sim.topology.slotNode.length;
    sim.advance(rebound - 25 * HOUR_MS);
    const { jobs, reservations } = sim.scheduler();
    const reservation = reservations.find((r) => r.name === REBOUND_RESERVATION);
    expect(reservation?.startMs).toBe(rebound);
    expect(reservation?.accounts).toEqual(['pretrain']);
    const run = jobs.filter((j) => j.state === 'PENDING' && j.reservation === REBOUND_RESERVATION);
    const runGpus = run.reduce((sum, j) => sum + j.nodeCount * j.gpusPerNode, 0);
    // The run asks for the rise from the decline's level at the rebound to reboundLevel (±1 node).
    const rise = (sim.params.reboundLevel - 0.55) * gpus;
    expect(Math.abs(runGpus - rise)).toBeLessThanOrEqual(0.02 * gpus);
    expect(Math.min(...run.map((j) => j.startMs))).toBeGreaterThanOrEqual(rebound);
    // Telemetry has nothing yet: internal demand is still the decline's.
    expect(sim.internalDemandAt(rebound - 25 * HOUR_MS) / gpus).toBeLessThan(sim.params.reboundLevel - 0.15);
    // The run's jobs leave the queue as they start, by the end of the ramp.
    sim.advance(rebound + sim.params.reboundRampMs);
    expect(sim.scheduler().jobs.filter((j) => j.reservation === REBOUND_RESERVATION)).toEqual([]);
    // Other scenarios book no such run.
    const decline = createSimulator({ topology: mediumSite(), scenario: 'decline', seed: 12 });
    decline.advance(rebound - 25 * HOUR_MS);
    expect(decline.scheduler().reservations.some((r) => r.name === REBOUND_RESERVATION)).toBe(false);
  });

  it('books each maintenance drain as a MAINT reservation ahead of it, over the drained nodes', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'flat', seed: 14 });
    let checked = 0;
    for (let h = 0; h < 40 * 24 && checked < 3; h += 2) {
      const t = ANCHOR_MS + h * HOUR_MS;
      sim.advance(t);
      const drained = sim.nodeStatuses().filter((s) => s.drained);
      if (drained.length === 0) continue;
      const maint = sim.scheduler().reservations.filter((r) => r.flags.includes('MAINT') && r.startMs <= t && t < r.endMs);
      const booked = new Set(maint.flatMap((r) => r.nodes.map((n) => sim.topology.nodes[n]?.host)));
      for (const status of drained) expect(booked.has(status.host), status.host).toBe(true);
      const nodes = (slurm(sim, 'nodes') as { nodes: SlurmNode[] }).nodes;
      for (const status of drained) expect(nodes.find((n) => n.name === status.host)?.state_flags).toContain('DRAIN');
      // It was booked a week ahead.
      sim.advance(Math.min(...maint.map((r) => r.startMs)) - 6 * DAY_MS);
      expect(sim.scheduler().reservations.some((r) => maint.some((m) => m.name === r.name))).toBe(true);
      checked++;
      h += 24;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
