import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState, type FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState, stateName } from '../../../server/src/domain/fleet/gpu-state.js';
import { applySchedulerSnapshot, MAINTENANCE_REASON } from '../../../server/src/domain/scheduler/allocation.js';
import type { SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import { gpuReport } from '../../../server/src/domain/fleet/fleet-report.js';
import { batch, nodeSamples, READINGS, tinyTopology, uuidFor } from '../fleet/builders.js';

const A = 'h01-p001-n01';
const B = 'h01-p001-n02';
const STALE_MS = 30_000;
const SCHED_STALE_MS = 90_000;
const T0 = 1_000_000_000;

function snapshot(over: Partial<SchedulerSnapshot> = {}): SchedulerSnapshot {
  const node = (name: string) => ({ name, state: 'mixed', flags: [], down: false, reason: '', gpusConfigured: 8, gpusAllocated: 0 });
  return {
    scheduler: 'slurm',
    apiVersion: 'v0.0.38',
    version: '22.05.8',
    readAtMs: T0,
    nodes: [node(A), node(B)],
    running: [{ id: '7', account: 'train', partition: 'gpu', user: 'ana', gpus: [{ node: A, indices: [0, 1, 2, 3] }] }],
    pending: [{ id: '8', account: 'x', partition: 'gpu', user: 'bo', gpus: 16, priority: 1, expectedStartMs: null, reason: 'Resources' }],
    reservations: [],
    skipped: [],
    ...over,
  };
}

/** Two rounds of samples on A and B, A's GPUs 0–1 computing, 2–7 idle, B's GPU 0 holding memory. */
function fleet(): FleetState {
  const state = createFleetState(tinyTopology());
  for (const t of [T0 - 10_000, T0]) {
    const a = nodeSamples(A, READINGS.idle).map((s, i) => (i < 2 ? { ...s, ...READINGS.busy } : s));
    const b = nodeSamples(B, READINGS.idle).map((s, i) => (i === 0 ? { ...s, ...READINGS.held } : s));
    applyBatch(state, batch([...a, ...b]), t);
  }
  return state;
}

const states = (state: FleetState, host: string): string[] => {
  const node = state.topology.nodes[state.topology.nodeByHost.get(host) ?? -1];
  return (node?.slots ?? []).map((slot) => stateName(state.state[slot] ?? GpuState.unknown));
};

describe('states from allocation', () => {
  it('reads allocated and computing busy, allocated and not computing held, unallocated idle, in use outside any job held and orphaned', () => {
    const state = fleet();
    const report = applySchedulerSnapshot(state, snapshot(), T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(states(state, A)).toEqual(['busy', 'busy', 'held', 'held', 'idle', 'idle', 'idle', 'idle']);
    expect(states(state, B)[0]).toBe('held');
    const bSlot = state.topology.nodes[state.topology.nodeByHost.get(B) ?? -1]?.slots[0] ?? -1;
    expect(state.sched.orphaned[bSlot]).toBe(1);
    expect(state.sched.source[bSlot]).toBe(1);
    expect(report).toMatchObject({ covered: true, stale: false, nodesCovered: 2, allocatedGpus: 4, pendingGpus: 16 });
  });

  it('without a scheduler keeps the telemetry rules: the allocated idle GPUs read idle', () => {
    const state = fleet();
    applySchedulerSnapshot(state, null, T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(states(state, A)).toEqual(['busy', 'busy', 'idle', 'idle', 'idle', 'idle', 'idle', 'idle']);
    expect([...state.sched.source.subarray(0, 16)].every((s) => s === 0)).toBe(true);
  });

  it('reads an allocated GPU with no telemetry yet held, not unknown or idle (no two-sample wait)', () => {
    const state = createFleetState(tinyTopology());
    applySchedulerSnapshot(state, snapshot(), T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(states(state, A).slice(0, 5)).toEqual(['held', 'held', 'held', 'held', 'unknown']);
  });

  it('keeps stale allocation as a floor: telemetry rules, but what was allocated never reads idle', () => {
    const state = fleet();
    const report = applySchedulerSnapshot(state, snapshot({ readAtMs: T0 - SCHED_STALE_MS - 1 }), T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(report.stale).toBe(true);
    expect(states(state, A)).toEqual(['busy', 'busy', 'held', 'held', 'idle', 'idle', 'idle', 'idle']);
    const slot = state.topology.nodes[state.topology.nodeByHost.get(A) ?? -1]?.slots[2] ?? -1;
    expect(state.sched.source[slot]).toBe(0);
  });

  it("puts a drained node down with Slurm's reason", () => {
    const state = fleet();
    const snap = snapshot();
    snap.nodes[1] = { ...snap.nodes[1]!, state: 'idle', flags: ['DRAIN'], down: true, reason: 'bad fan' };
    applySchedulerSnapshot(state, snap, T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(new Set(states(state, B))).toEqual(new Set(['down']));
    expect(state.sched.downReason.get(state.topology.nodeByHost.get(B) ?? -1)).toBe('bad fan');
  });

  it("reads a draining node's jobs busy or held as allocated and its free GPUs down with the drain reason", () => {
    const state = fleet();
    const snap = snapshot();
    snap.nodes[0] = { ...snap.nodes[0]!, flags: ['DRAIN'], down: true, draining: true, reason: 'swap PSU' };
    const report = applySchedulerSnapshot(state, snap, T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(states(state, A)).toEqual(['busy', 'busy', 'held', 'held', 'down', 'down', 'down', 'down']);
    expect(report).toMatchObject({ downNodes: 0, drainingNodes: 1, allocatedGpus: 4 });
    const gpu = (i: number) => gpuReport(state, uuidFor(A, i));
    expect([gpu(0)?.downReason, gpu(4)?.downReason]).toEqual([null, 'swap PSU']);
  });

  it('reads a drained node (no jobs left) all down, as before', () => {
    const state = fleet();
    const snap = snapshot({ running: [] });
    snap.nodes[0] = { ...snap.nodes[0]!, state: 'idle', flags: ['DRAIN'], down: true, draining: false, reason: 'swap PSU' };
    const report = applySchedulerSnapshot(state, snap, T0, SCHED_STALE_MS);
    classifyFleet(state, T0, STALE_MS);
    expect(new Set(states(state, A))).toEqual(new Set(['down']));
    expect(report).toMatchObject({ downNodes: 1, drainingNodes: 0 });
  });

  it('puts a maintenance reservation’s nodes down during its window only', () => {
    const maint = { name: 'm', nodes: [B, 'not-in-topology'], startMs: T0, endMs: T0 + 3_600_000, flags: ['MAINT'], maintenance: true };
    for (const [at, expected] of [
      [T0 - 1, 'idle'],
      [T0, 'down'],
      [T0 + 3_600_000, 'idle'],
    ] as const) {
      const state = fleet();
      applySchedulerSnapshot(state, snapshot({ readAtMs: at, reservations: [maint] }), at, SCHED_STALE_MS);
      classifyFleet(state, T0, STALE_MS);
      expect(states(state, B)[1]).toBe(expected);
      if (expected === 'down') expect(state.sched.downReason.get(state.topology.nodeByHost.get(B) ?? -1)).toBe(MAINTENANCE_REASON);
    }
  });

  it('counts a job on a node the topology lacks and a scheduler node it lacks, without failing', () => {
    const state = fleet();
    const snap = snapshot({
      running: [{ id: '9', account: '', partition: 'gpu', user: 'x', gpus: [{ node: 'elsewhere', indices: [0] }] }],
      nodes: [
        ...snapshot().nodes,
        { name: 'elsewhere', state: 'idle', flags: [], down: false, reason: '', gpusConfigured: 8, gpusAllocated: 1 },
      ],
    });
    const report = applySchedulerSnapshot(state, snap, T0, SCHED_STALE_MS);
    expect(report).toMatchObject({ jobsOnUnknownNodes: 1, unknownNodes: 1, unknownNodeNames: ['elsewhere'], allocatedGpus: 0 });
  });
});
