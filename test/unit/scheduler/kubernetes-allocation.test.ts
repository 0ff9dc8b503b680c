import { describe, expect, it } from 'vitest';
import { applyBatch, markMissing } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState, type FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState, stateName } from '../../../server/src/domain/fleet/gpu-state.js';
import type { GpuSample } from '../../../server/src/domain/fleet/readings.js';
import { applySchedulerSnapshot } from '../../../server/src/domain/scheduler/allocation.js';
import {
  applyPodAttribution,
  createPodAttribution,
  recordPodLabels,
  type PodAttribution,
} from '../../../server/src/domain/scheduler/kubernetes-allocation.js';
import type { PodLabels } from '../../../server/src/domain/scheduler/pod-labels.js';
import type { SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import { tenantOf, type Tenants } from '../../../server/src/domain/scheduler/tenants.js';
import { batch, nodeSamples, READINGS, tinyTopology } from '../fleet/builders.js';

const A = 'h01-p001-n01';
const B = 'h01-p001-n02';
const STALE_MS = 30_000;
const T0 = 1_000_000_000;

const pod = (name: string, namespace = 'inference'): PodLabels => ({ namespace, pod: name, container: 'main', hpcJob: null });

/**
 * Node A: GPUs 0–1 pod `web-1` computing, 2–3 pod `web-2` with memory and no compute, 4 pod
 * `web-3` with no process at all, 5 no pod and memory in use, 6–7 no pod and idle.
 * Node B: all idle, no pod labels.
 */
function nodeA(): GpuSample[] {
  const readings = [READINGS.busy, READINGS.busy, READINGS.held, READINGS.held, READINGS.idle, READINGS.held, READINGS.idle, READINGS.idle];
  const pods = [pod('web-1'), pod('web-1'), pod('web-2'), pod('web-2'), pod('web-3'), null, null, null];
  return nodeSamples(A, READINGS.idle).map((s, i) => {
    const withReadings = { ...s, ...readings[i] };
    const p = pods[i];
    return p ? { ...withReadings, pod: p } : withReadings;
  });
}

function fleet(): { state: FleetState; pods: PodAttribution } {
  const state = createFleetState(tinyTopology());
  const pods = createPodAttribution();
  for (const t of [T0 - 10_000, T0]) {
    const b = batch([...nodeA(), ...nodeSamples(B, READINGS.idle)]);
    applyBatch(state, b, t);
    recordPodLabels(pods, state, b, t);
  }
  return { state, pods };
}

function round(state: FleetState, pods: PodAttribution, slurm: SchedulerSnapshot | null = null, nowMs = T0) {
  applySchedulerSnapshot(state, slurm, nowMs, 90_000);
  const report = applyPodAttribution(state, pods, nowMs, STALE_MS);
  classifyFleet(state, nowMs, STALE_MS);
  return report;
}

const slotsOf = (state: FleetState, host: string): number[] => state.topology.nodes[state.topology.nodeByHost.get(host) ?? -1]?.slots ?? [];
const states = (state: FleetState, host: string): string[] =>
  slotsOf(state, host).map((s) => stateName(state.state[s] ?? GpuState.unknown));
const told = (state: FleetState, host: string): number[] => slotsOf(state, host).map((s) => state.sched.source[s] ?? 0);

describe('allocation from dcgm-exporter pod labels', () => {
  it('reads a pod’s GPUs busy by compute and held otherwise, and a GPU in use outside any pod held and orphaned', () => {
    const { state, pods } = fleet();
    const report = round(state, pods);
    // web-3 has no process: telemetry alone would say idle; its pod holds it.
    expect(states(state, A)).toEqual(['busy', 'busy', 'held', 'held', 'held', 'held', 'idle', 'idle']);
    expect(slotsOf(state, A).map((s) => state.sched.orphaned[s])).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(told(state, A)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    // B's report named no pod: telemetry tells it.
    expect(told(state, B)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(report).toEqual({ nodesCovered: 1, nodesUnderSlurm: 0, allocatedGpus: 5, pods: 3 });
  });

  it('makes one job per pod, holding that pod’s GPU indices, with the namespace the tenants map', () => {
    const { state, pods } = fleet();
    round(state, pods);
    const jobs = slotsOf(state, A).map((s) => state.sched.jobs[state.sched.job[s] ?? -1] ?? null);
    expect(jobs[0]).toBe(jobs[1]);
    expect(jobs[0]).toEqual({
      id: 'web-1',
      account: '',
      partition: '',
      user: '',
      namespace: 'inference',
      gpus: [{ node: A, indices: [0, 1] }],
    });
    expect(jobs[4]?.gpus).toEqual([{ node: A, indices: [4] }]);
    expect(jobs.slice(5)).toEqual([null, null, null]);
    const tenants: Tenants = {
      rules: [{ tenant: { kind: 'internal', team: 'serving' }, accounts: [], partitions: [], namespaces: ['inference'] }],
      unmatched: null,
    };
    expect(tenantOf(tenants, jobs[0] ?? {})).toEqual({ kind: 'internal', team: 'serving' });
  });

  it('leaves a node Slurm covers to Slurm, and counts it', () => {
    const { state, pods } = fleet();
    const slurm: SchedulerSnapshot = {
      ...{ scheduler: 'slurm', apiVersion: 'v0.0.38', version: '22.05.8', readAtMs: T0, pending: [], reservations: [], skipped: [] },
      nodes: [{ name: A, state: 'mixed', flags: [], down: false, reason: '', gpusConfigured: 8, gpusAllocated: 1 }],
      running: [{ id: '77', account: 'eval', partition: 'gpu', user: 'ana', gpus: [{ node: A, indices: [6] }] }],
    };
    const report = round(state, pods, slurm);
    // Slurm's allocation: only GPU 6 is allocated; the pods' GPUs in use read held and orphaned.
    expect(states(state, A)).toEqual(['held', 'held', 'held', 'held', 'idle', 'held', 'held', 'idle']);
    expect(state.sched.jobs.map((j) => j.id)).toEqual(['77']);
    expect(report).toEqual({ nodesCovered: 0, nodesUnderSlurm: 1, allocatedGpus: 0, pods: 0 });
  });

  it('drops a node’s coverage once a report names no pod, and a GPU’s pod once its report has none', () => {
    const { state, pods } = fleet();
    const t = T0 + 10_000;
    const bare = nodeA().map(({ pod: _pod, ...s }) => s);
    const b = batch(bare);
    applyBatch(state, b, t);
    recordPodLabels(pods, state, b, t);
    round(state, pods, null, t);
    expect(told(state, A)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(states(state, A)[4]).toBe('idle'); // telemetry alone: the no-process pod's GPU is idle again
    expect(pods.bySlot.size).toBe(0);
  });

  it('uses no label older than the telemetry bound, and none of a GPU whose report failed', () => {
    const { state, pods } = fleet();
    markMissing(state, slotsOf(state, A).slice(0, 1));
    let report = round(state, pods);
    expect(states(state, A)[0]).toBe('unknown'); // no allocation on a failed report: unknown, never held from old labels
    expect(report.allocatedGpus).toBe(4);
    report = round(state, pods, null, T0 + STALE_MS + 1);
    expect(report.nodesCovered).toBe(0);
    expect(states(state, A)).toEqual(Array(8).fill('unknown'));
  });

  it('keeps same-named pods on two nodes apart (two clusters may reuse a name)', () => {
    const state = createFleetState(tinyTopology());
    const pods = createPodAttribution();
    const b = batch([...nodeSamples(A, READINGS.busy), ...nodeSamples(B, READINGS.busy)].map((s) => ({ ...s, pod: pod('web-1') })));
    applyBatch(state, b, T0);
    recordPodLabels(pods, state, b, T0);
    expect(round(state, pods)).toEqual({ nodesCovered: 2, nodesUnderSlurm: 0, allocatedGpus: 16, pods: 2 });
    expect(state.sched.jobs.map((j) => j.gpus)).toEqual([
      [{ node: A, indices: [0, 1, 2, 3, 4, 5, 6, 7] }],
      [{ node: B, indices: [0, 1, 2, 3, 4, 5, 6, 7] }],
    ]);
  });

  it('clears what it laid when the next round has no labels', () => {
    const { state, pods } = fleet();
    round(state, pods);
    pods.labelledAtMs.clear();
    round(state, pods);
    expect(state.sched.jobs).toEqual([]);
    expect(told(state, A)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
