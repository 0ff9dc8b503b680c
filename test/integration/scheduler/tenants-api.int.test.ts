import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantClassCounts } from '../../../server/src/domain/scheduler/attribution.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { parseExposition } from '../helpers/exposition.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { listenPort } from '../helpers/listen-port.js';

/**
 * Tenants over real HTTP on the simulated site: the server reads its own simulated slurmrestd
 * (SLURM_REST_URL=<itself>/sim/slurm) with the demo contract book, and GET /api/v1/scheduler says
 * who the GPUs belong to, by class, team and customer.
 */
type Classes = TenantClassCounts;
type Tenants = {
  source: string;
  classes: Classes;
  toldBy: { scheduler: Classes; telemetry: Classes };
  teams: Array<{ team: string; busy: number; held: number; heldOverThreshold: number; heldValueUsdPerMonth: number | null }>;
  customers: Array<{ customer: string; gpus: number; onUnsoldGpus: number }>;
  crossChecks: { internalOnSoldGpus: number; customerOnUnsoldGpus: number; heldThresholdSeconds: number };
};

const sum = (c: Classes): number =>
  c.internal.busy +
  c.internal.held +
  c.customer.sold +
  c.unattributed.busy +
  c.unattributed.held +
  c.idle +
  c.orphaned +
  c.down +
  c.unknown;

let h: TestHeadroom;
beforeAll(async () => {
  const port = await listenPort();
  h = await startTestHeadroom({
    PORT: String(port),
    SIM_CONTRACTS: 'demo',
    PUBLIC_READ: 'true',
    SLURM_REST_URL: `http://127.0.0.1:${port}/sim/slurm`,
    SLURM_USER: 'headroom',
    SLURM_JWT: 'ignored-by-the-simulator',
    HELD_THRESHOLD_S: '600',
  });
});
afterAll(async () => {
  await h.stop();
});

async function roundWithPoll(tMs: number): Promise<void> {
  await h.collectAt(tMs);
  await h.scheduler?.pollNow();
  await h.collectAt(tMs + 10_000);
}

describe('GET /api/v1/scheduler tenants on the simulated site', () => {
  it('attributes every GPU to a class, the teams and the demo book customers, as the simulator allocates them', async () => {
    const t = h.clock.now();
    await roundWithPoll(t);
    const { body } = await h.getJson<{ tenants: Tenants | null }>('/api/v1/scheduler');
    const tenants = body.tenants;
    expect(tenants?.source).toBe('simulator');
    if (!tenants) return;
    const gpus = h.sim!.topology.slotNode.length;
    expect(sum(tenants.classes)).toBe(gpus);
    expect(sum(tenants.toldBy.scheduler) + sum(tenants.toldBy.telemetry)).toBe(gpus);
    // Every node is covered by the simulated scheduler: nothing is unattributed.
    expect(tenants.classes.unattributed).toEqual({ busy: 0, held: 0 });
    const truth = h.sim!.allocationTruth();
    expect(tenants.classes.customer.sold).toBe(truth.customer.sold);
    expect(tenants.classes.internal.busy + tenants.classes.internal.held).toBe(truth.internal.busy + truth.internal.held);
    expect(tenants.classes.down).toBe(truth.down);
    expect(tenants.classes.orphaned).toBe(truth.orphaned);
    const teamHeld = tenants.teams.reduce((n, team) => n + team.held, 0);
    expect(teamHeld).toBe(tenants.classes.internal.held);
    for (const team of tenants.teams) expect(Object.keys(truth.teams)).toContain(team.team);
    // Held first.
    expect(tenants.teams.map((x) => x.held)).toEqual([...tenants.teams.map((x) => x.held)].sort((a, b) => b - a));
    expect(tenants.customers.map((c) => c.customer)).toContain('Aurora Labs');
    expect(tenants.customers.reduce((n, c) => n + c.gpus, 0)).toBe(tenants.classes.customer.sold);
    expect(tenants.crossChecks).toMatchObject({ internalOnSoldGpus: 0, customerOnUnsoldGpus: 0, heldThresholdSeconds: 600 });
  });

  it("names each allocated GPU's tenant in its report", async () => {
    const { state } = h.collector;
    const soldSlot = state.state.findIndex((s, slot) => s === GpuState.sold && (state.sched.job[slot] ?? -1) >= 0);
    expect(soldSlot).toBeGreaterThanOrEqual(0);
    const gpu = (await h.getJson<{ job: { account: string; tenant: unknown } | null }>(`/api/v1/gpus/${state.uuidOfSlot[soldSlot]}`)).body;
    expect(gpu.job?.tenant).toEqual({ kind: 'customer', customer: expect.any(String) });
  });

  it('exposes GPUs by tenant class and state, the teams and the cross-checks on /metrics, agreeing with the API', async () => {
    const { body } = await h.getJson<{ tenants: Tenants }>('/api/v1/scheduler');
    const m = parseExposition(await (await fetch(`${h.url}/metrics`)).text());
    const c = body.tenants.classes;
    expect(m.sum('headroom_gpus_by_tenant')).toBe(h.sim!.topology.slotNode.length);
    expect(m.value('headroom_gpus_by_tenant', { class: 'internal', state: 'held' })).toBe(c.internal.held);
    expect(m.value('headroom_gpus_by_tenant', { class: 'customer', state: 'sold' })).toBe(c.customer.sold);
    expect(m.value('headroom_gpus_by_tenant', { class: 'none', state: 'orphaned' })).toBe(c.orphaned);
    for (const team of body.tenants.teams) {
      expect(m.value('headroom_team_gpus', { team: team.team, state: 'held' })).toBe(team.held);
      if (team.heldValueUsdPerMonth !== null)
        expect(m.value('headroom_team_held_value_usd_per_month', { team: team.team })).toBeCloseTo(team.heldValueUsdPerMonth, 2);
    }
    expect(m.value('headroom_internal_on_sold_gpus')).toBe(0);
    expect(m.value('headroom_customer_on_unsold_gpus')).toBe(0);
  });
});
