import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState, type FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState, stateName } from '../../../server/src/domain/fleet/gpu-state.js';
import { applySchedulerSnapshot } from '../../../server/src/domain/scheduler/allocation.js';
import { attributeTenants, type AttributionInput } from '../../../server/src/domain/scheduler/attribution.js';
import { createHeldSince, heldForMs, trackHeld } from '../../../server/src/domain/scheduler/held-since.js';
import type { RunningJob, SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import { tenantOf, type Tenants } from '../../../server/src/domain/scheduler/tenants.js';
import { batch, nodeSamples, READINGS, tinyTopology } from '../fleet/builders.js';

/**
 * A 32-GPU site (pods p001 and p002, two nodes each), hand-counted:
 * - p001 is sold to Aurora Labs in the contract book. On n01 Aurora's job holds GPUs 0–7; on n02
 *   the owner's `pretrain` job holds GPUs 0–1 (a breach of the sale); the rest of n02 is free.
 * - p002-n01: Helios' job on GPUs 0–3 (a customer on a pod the book says is unsold), `rl` on 4–5
 *   (4 computing, 5 not), an account no rule names on 6, and a process outside any job on 7.
 * - p002-n02 has no scheduler: GPU 0 computing, 1 holding memory, 2–6 idle, 7 silent.
 */
const HOUR = 3_600_000;
const T0 = 1_000_000_000_000;
const [P1N1, P1N2, P2N1, P2N2] = ['h01-p001-n01', 'h01-p001-n02', 'h01-p002-n01', 'h01-p002-n02'] as const;

const tenants: Tenants = {
  rules: [
    { tenant: { kind: 'internal', team: 'pretrain' }, accounts: ['pretrain'], partitions: [], namespaces: [] },
    { tenant: { kind: 'internal', team: 'rl' }, accounts: ['rl'], partitions: [], namespaces: [] },
    { tenant: { kind: 'customer', customer: 'Aurora Labs' }, accounts: ['aurora-labs'], partitions: [], namespaces: [] },
    { tenant: { kind: 'customer', customer: 'Helios AI' }, accounts: ['helios-ai'], partitions: [], namespaces: [] },
  ],
  unmatched: null,
};

const job = (id: string, account: string, node: string, indices: number[]): RunningJob => ({
  id,
  account,
  partition: 'gpu',
  user: 'u',
  gpus: [{ node, indices }],
});

function snapshot(readAtMs: number, running: RunningJob[]): SchedulerSnapshot {
  const node = (name: string) => ({ name, state: 'mixed', flags: [], down: false, reason: '', gpusConfigured: 8, gpusAllocated: 0 });
  return {
    ...{ scheduler: 'slurm', apiVersion: 'v0.0.38', version: '22.05.8', readAtMs },
    nodes: [node(P1N1), node(P1N2), node(P2N1)],
    running,
    ...{ pending: [], reservations: [], skipped: [] },
  };
}

const JOBS = [
  job('c1', 'aurora-labs', P1N1, [0, 1, 2, 3, 4, 5, 6, 7]),
  job('i1', 'pretrain', P1N2, [0, 1]),
  job('c2', 'helios-ai', P2N1, [0, 1, 2, 3]),
  job('i2', 'rl', P2N1, [4, 5]),
  job('x', 'nobody', P2N1, [6]),
];

function samplesAt(state: FleetState, t: number): void {
  const p2n1 = nodeSamples(P2N1, READINGS.idle).map((s, i) =>
    i === 4 ? { ...s, ...READINGS.busy } : i === 7 ? { ...s, ...READINGS.held } : s,
  );
  const p2n2 = nodeSamples(P2N2, READINGS.idle).map((s, i) =>
    i === 0 ? { ...s, ...READINGS.busy } : i === 1 ? { ...s, ...READINGS.held } : i === 7 ? { ...s, ...READINGS.blank } : s,
  );
  applyBatch(state, batch([...nodeSamples(P1N1, READINGS.idle), ...nodeSamples(P1N2, READINGS.idle), ...p2n1, ...p2n2]), t);
}

/** Rounds at each time (two samples each), the same snapshot laid over each, spells tracked. */
function site(times: number[], running = JOBS) {
  const state = createFleetState(tinyTopology());
  state.podSold[0] = 1;
  const held = createHeldSince();
  for (const t of times) {
    samplesAt(state, t - 10_000);
    samplesAt(state, t);
    applySchedulerSnapshot(state, snapshot(t, running), t, 90_000, tenants);
    classifyFleet(state, t, 30_000);
    trackHeld(held, state, t);
  }
  return { state, held };
}

const input = (held: AttributionInput['held'], nowMs: number): AttributionInput => ({
  nowMs,
  held,
  heldThresholdMs: HOUR,
  podCustomer: (pod) => (pod === 0 ? 'Aurora Labs' : null),
  // 2.40 $/GPU-h × 730 h.
  gpuMonthUsd: (model) => (model === 'H100-SXM' ? 1752 : null),
});

const statesOf = (state: FleetState, host: string): string[] =>
  (state.topology.nodes[state.topology.nodeByHost.get(host) ?? -1]?.slots ?? []).map((slot) => stateName(state.state[slot] ?? 0));

describe('a customer allocation is sold', () => {
  it("reads a customer's job sold on a pod the book says is unsold, and keeps the book's sold pod sold under an internal job", () => {
    const { state } = site([T0]);
    expect(statesOf(state, P2N1)).toEqual(['sold', 'sold', 'sold', 'sold', 'busy', 'held', 'held', 'held']);
    expect(statesOf(state, P1N2)).toEqual(Array(8).fill('sold'));
  });
});

describe('attributeTenants', () => {
  it('counts every GPU once by tenant class, team and customer, with the cross-checks', () => {
    const { state, held } = site([T0]);
    const a = attributeTenants(state, input(held, T0));
    expect(a.classes).toEqual({
      internal: { busy: 1, held: 1 },
      customer: { sold: 20 },
      unattributed: { busy: 1, held: 2 },
      idle: 5,
      orphaned: 1,
      down: 0,
      unknown: 1,
    });
    // Told by the scheduler: the customers' jobs, rl's, the unnamed job and the orphan; the book's
    // sold GPUs with no customer job and the node with no scheduler by telemetry.
    expect(a.toldBy.scheduler).toMatchObject({
      internal: { busy: 1, held: 1 },
      customer: { sold: 12 },
      unattributed: { busy: 0, held: 1 },
    });
    expect(a.toldBy.telemetry).toMatchObject({ customer: { sold: 8 }, unattributed: { busy: 1, held: 1 }, idle: 5, unknown: 1 });
    expect(a.customers).toEqual([
      { customer: 'Aurora Labs', gpus: 16, onUnsoldGpus: 0 },
      { customer: 'Helios AI', gpus: 4, onUnsoldGpus: 4 },
    ]);
    expect(a.teams).toEqual([
      {
        team: 'rl',
        busy: 1,
        held: 1,
        heldOverThreshold: 0,
        heldOverThresholdGpuHours: 0,
        heldValueUsdPerMonth: 1752,
        heldOverThresholdValueUsdPerMonth: 0,
      },
    ]);
    expect(a.crossChecks).toEqual({
      internalOnSoldGpus: 2,
      internalOnSoldPods: 1,
      internalOnSoldTeams: ['pretrain'],
      customerOnUnsoldGpus: 4,
      heldThresholdSeconds: 3600,
    });
  });

  it('counts a team GPU held under the same job for the threshold or longer, its GPU-hours and its value sold', () => {
    const { state, held } = site([T0, T0 + HOUR / 2, T0 + 2 * HOUR]);
    const rl = attributeTenants(state, input(held, T0 + 2 * HOUR)).teams.find((t) => t.team === 'rl');
    expect(rl).toMatchObject({ held: 1, heldOverThreshold: 1, heldOverThresholdGpuHours: 2, heldOverThresholdValueUsdPerMonth: 1752 });
  });

  it('starts the spell again when another job takes the GPU, and ends it when the GPU computes', () => {
    const { state, held } = site([T0, T0 + 2 * HOUR]);
    const slot5 = state.topology.nodes[state.topology.nodeByHost.get(P2N1) ?? -1]?.slots[5] ?? -1;
    expect(heldForMs(held, slot5, T0 + 2 * HOUR)).toBe(2 * HOUR);
    const relabelled = JOBS.map((j) => (j.id === 'i2' ? { ...j, id: 'i3' } : j));
    applySchedulerSnapshot(state, snapshot(T0 + 3 * HOUR, relabelled), T0 + 3 * HOUR, 90_000, tenants);
    trackHeld(held, state, T0 + 3 * HOUR);
    expect(heldForMs(held, slot5, T0 + 4 * HOUR)).toBe(HOUR);
    state.state[slot5] = GpuState.busy;
    trackHeld(held, state, T0 + 4 * HOUR);
    expect(heldForMs(held, slot5, T0 + 4 * HOUR)).toBe(0);
  });

  it('gives a held GPU no value when the price book has no price for its model', () => {
    const { state, held } = site([T0]);
    const a = attributeTenants(state, { ...input(held, T0), gpuMonthUsd: () => null });
    expect(a.teams[0]?.heldValueUsdPerMonth).toBeNull();
  });
});

describe('tenants by account', () => {
  it('makes every allocation internal under its account, then namespace, then partition, with no tenants configured', () => {
    const byAccount: Tenants = { rules: [], unmatched: 'account' };
    expect(tenantOf(byAccount, { account: 'vision', partition: 'gpu' })).toEqual({ kind: 'internal', team: 'vision' });
    expect(tenantOf(byAccount, { account: '', namespace: 'serving' })).toEqual({ kind: 'internal', team: 'serving' });
    expect(tenantOf(byAccount, {})).toEqual({ kind: 'internal', team: 'unknown' });
  });
});
