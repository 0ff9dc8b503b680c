import { DomainError } from '../domain/errors.js';
import { emptyCounts, GPU_STATES, type StateCounts } from '../domain/fleet/gpu-state.js';
import { NODE_GPU_OVERHEAD } from '../domain/fleet/presets.js';
import type { MeterReading, NodeStatus } from '../domain/fleet/readings.js';
import type { ScopeRollup } from '../domain/fleet/rollup.js';
import { podModels, type Topology } from '../domain/fleet/topology.js';
import { createNodeActivity } from './activity.js';
import { createRollupModel } from './aggregate.js';
import { allocationTruthOf, type AllocationTruth } from './allocation-truth.js';
import { createSchedulerModel, type SchedulerSnapshot } from './scheduler.js';
import { slurmJobsJson, slurmNodesJson, slurmPingJson, slurmReservationsJson } from './slurm-rest.js';
import { DcgmRenderer } from './dcgm-text.js';
import { resolveScenarioParams, SCENARIOS, type ScenarioName, type ScenarioParams } from './scenario.js';
import { createGpuBases, createGpuSamples, fillNodeSamples } from './telemetry.js';
import { createWorkload, type SoldPodPredicate } from './workload.js';

/**
 * The fleet simulator: a seeded, deterministic model of the owner's internal demand on a
 * site and the telemetry it produces. The state at any moment is a pure function of
 * (seed, scenario, params, topology, tMs), so any past or future tick is computed directly,
 * never replayed. Time always comes in as `tMs` (unix ms); the simulator reads no clock.
 */

export { ANCHOR_MS, DEFAULT_SCENARIO_PARAMS, SCENARIOS, resolveScenarioParams } from './scenario.js';
export type { ScenarioName, ScenarioParams } from './scenario.js';
export { demandShareAt, trendLevelAt } from './demand.js';
export { DCGM_FAMILIES, FLOAT_BLANK_TEXT, INT_BLANK_TEXT } from './dcgm-text.js';
export { XID_FALLEN_OFF_BUS } from './telemetry.js';
export type { SoldPodPredicate } from './workload.js';
export type { AllocationTruth } from './allocation-truth.js';
export type { SchedulerSnapshot, SimJob } from './scheduler.js';

export const DEFAULT_TICK_MS = 10_000;

export const SLURM_ENDPOINTS = ['ping', 'nodes', 'jobs', 'reservations'] as const;
export type SlurmEndpoint = (typeof SLURM_ENDPOINTS)[number];

export interface SimulatorOptions {
  topology: Topology;
  scenario: ScenarioName;
  seed: number;
  /** Tick length, ms (default 10 s, a typical scrape interval). */
  tickMs?: number;
  /** Overrides of DEFAULT_SCENARIO_PARAMS (see scenario.ts for every default). */
  scenarioParams?: Partial<ScenarioParams>;
  /** Selling hook: pods sold at tMs run the customer's work and take no internal work (default: none). */
  soldPod?: SoldPodPredicate;
  /** The Slurm account of the customer on a sold pod (default `customer`). */
  podCustomer?: (podIndex: number, tMs: number) => string | null;
  /** Whether the exporter text carries the inference pods' Kubernetes labels (default true). */
  podLabels?: boolean;
}

export interface Simulator {
  readonly topology: Topology;
  readonly scenario: ScenarioName;
  readonly params: Readonly<ScenarioParams>;
  readonly tickMs: number;
  /**
   * Moves to the tick containing tMs: resolves every node's activity now, and each node's GPU
   * samples when first read (renderNode), so a round's reads carry that work in small pieces.
   */
  advance(tMs: number): void;
  /** Start of the last advanced tick, unix ms (NaN before the first advance). */
  lastTickMs(): number;
  /** dcgm-exporter text of one node at the last advanced tick. */
  renderNode(nodeIndex: number): string;
  /** Nodes drained (for maintenance) at the last tick. */
  nodeStatuses(): NodeStatus[];
  /** One facility meter per hall at the last tick: (Σ base + (1 + overhead) × Σ GPU W) × PUE. */
  meters(): MeterReading[];
  /**
   * Site-wide truth counts at the last tick as the GPUs' telemetry tells them (unknown is
   * always 0): a job allocated without a process reads idle here, an orphan process held.
   */
  truthCounts(): StateCounts;
  /**
   * truthCounts per model pool (topology.ts `podModels`, same order): the GPUs of the pods of
   * each model. Unplaced GPUs are in none (a simulated site has none).
   */
  truthCountsByModel(): Array<{ modelIndex: number; counts: StateCounts }>;
  /** The scheduler (jobs, queue, reservations) at the last advanced tick; computed once per tick. */
  scheduler(): SchedulerSnapshot;
  /**
   * The scheduler at the tick containing tMs, without moving the last advanced tick (as
   * internalDemandAt reads demand): the backtest asks it at each evaluation.
   */
  schedulerAt(tMs: number): SchedulerSnapshot;
  /** Truth by allocation per tenant class at the last advanced tick (see allocation-truth.ts). */
  allocationTruth(): AllocationTruth;
  /** slurmrestd v0.0.38's answer for one endpoint at the last advanced tick, as JSON text (slurm-rest.ts). */
  slurmJson(endpoint: SlurmEndpoint): string;
  /** GpuState code of a GPU slot at the last tick. */
  truthStateOf(slot: number): number;
  /** Deterministic GPU UUID of a slot. */
  uuidOf(slot: number): string;
  /** Internal demand D(t) as a share of the site's GPUs (the level the allocation follows). */
  demandShareAt(tMs: number): number;
  /** True GPUs in internal use (busy + held, excluding sold) at the tick containing tMs. */
  internalDemandAt(tMs: number): number;
  /** Site, hall and pod rollups at the tick containing tMs, from the model without per-GPU noise. */
  aggregateAt(tMs: number): ScopeRollup[];
}

/**
 * Creates a simulator over a topology. Throws DomainError('invalid') on an unknown scenario,
 * a non-positive tick or invalid scenario parameters.
 */
export function createSimulator(opts: SimulatorOptions): Simulator {
  const { topology, scenario, seed } = opts;
  if (!SCENARIOS.includes(scenario)) throw new DomainError('invalid', `unknown scenario ${String(scenario)}`);
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  if (!Number.isFinite(tickMs) || tickMs <= 0) throw new DomainError('invalid', 'tickMs must be positive');
  if (!Number.isInteger(seed)) throw new DomainError('invalid', 'seed must be an integer');
  const params = resolveScenarioParams(opts.scenarioParams);
  const workload = createWorkload({ topology, scenario, params, seed, soldPod: opts.soldPod });
  const bases = createGpuBases(topology, seed);
  const samples = createGpuSamples(topology);
  const current = createNodeActivity(topology.nodes.length);
  const scratch = createNodeActivity(topology.nodes.length);
  const renderer = new DcgmRenderer(topology, seed, opts.podLabels ?? true);
  const rollupModel = createRollupModel(topology, params);
  const schedulerModel = createSchedulerModel({
    topology,
    scenario,
    params,
    seed,
    workload,
    soldPod: opts.soldPod,
    podCustomer: opts.podCustomer,
  });
  let schedulerMemo: SchedulerSnapshot | null = null;
  let tickStartMs = Number.NaN;
  let tickIndex = 0;
  /** Per node: 1 once its samples of the current tick are filled (each node is filled once per tick). */
  const filled = new Uint8Array(topology.nodes.length);
  let unfilled = 0;

  function fillNode(n: number): void {
    if (filled[n] === 1 || n < 0 || n >= filled.length) return;
    fillNodeSamples(topology, current, bases, params, seed, tickIndex, samples, n, n + 1);
    filled[n] = 1;
    unfilled--;
  }

  function fillAll(): void {
    for (let n = 0; n < filled.length && unfilled > 0; n++) fillNode(n);
  }

  const tickOf = (tMs: number): number => Math.floor(tMs / tickMs);

  function requireTick(): void {
    if (Number.isNaN(tickStartMs)) throw new DomainError('unavailable', 'advance() has not been called yet');
  }

  return {
    topology,
    scenario,
    params,
    tickMs,
    advance(tMs) {
      const tick = tickOf(tMs);
      tickStartMs = tick * tickMs;
      tickIndex = tick;
      workload.resolve(tickStartMs, current);
      schedulerMemo = null;
      samples.counts.fill(0);
      filled.fill(0);
      unfilled = filled.length;
    },
    lastTickMs: () => tickStartMs,
    renderNode(nodeIndex) {
      requireTick();
      fillNode(nodeIndex);
      return renderer.render(nodeIndex, samples, current);
    },
    nodeStatuses() {
      requireTick();
      const statuses: NodeStatus[] = [];
      for (let n = 0; n < topology.nodes.length; n++) {
        const node = topology.nodes[n];
        if (node && current.drained[n] === 1) statuses.push({ host: node.host, drained: true, reason: 'maintenance' });
      }
      return statuses;
    },
    meters() {
      requireTick();
      fillAll();
      const gpuMilliwatts = new Float64Array(topology.halls.length);
      const baseWatts = new Float64Array(topology.halls.length);
      for (let n = 0; n < topology.nodes.length; n++) {
        const node = topology.nodes[n];
        if (!node || node.hallIndex < 0) continue;
        gpuMilliwatts[node.hallIndex] = (gpuMilliwatts[node.hallIndex] ?? 0) + (samples.nodeGpuMilliwatts[n] ?? 0);
        baseWatts[node.hallIndex] = (baseWatts[node.hallIndex] ?? 0) + node.baseWatts;
      }
      return topology.halls.map((hall, h) => {
        const itWatts = (baseWatts[h] ?? 0) + ((1 + NODE_GPU_OVERHEAD) * (gpuMilliwatts[h] ?? 0)) / 1000;
        return { id: `${topology.site.id}-${hall.id}-feed`, scope: `hall:${hall.id}`, watts: itWatts * topology.site.pue };
      });
    },
    truthCounts() {
      requireTick();
      fillAll();
      const counts = emptyCounts();
      for (const [code, name] of GPU_STATES.entries()) counts[name] = samples.counts[code] ?? 0;
      return counts;
    },
    truthCountsByModel() {
      requireTick();
      fillAll();
      const models = podModels(topology);
      const byModel = models.map(() => new Float64Array(GPU_STATES.length));
      const poolOf = new Map(models.map((modelIndex, i) => [modelIndex, byModel[i]]));
      for (const pod of topology.pods) {
        const into = poolOf.get(pod.modelIndex);
        if (!into) continue;
        for (const n of pod.nodes) {
          for (const slot of topology.nodes[n]?.slots ?? []) {
            const code = samples.state[slot] ?? 0;
            into[code] = (into[code] ?? 0) + 1;
          }
        }
      }
      return models.map((modelIndex, i) => {
        const counts = emptyCounts();
        for (const [code, name] of GPU_STATES.entries()) counts[name] = byModel[i]?.[code] ?? 0;
        return { modelIndex, counts };
      });
    },
    scheduler() {
      requireTick();
      schedulerMemo ??= schedulerModel.snapshot(tickStartMs, current);
      return schedulerMemo;
    },
    schedulerAt(tMs) {
      const tick = tickOf(tMs) * tickMs;
      workload.resolve(tick, scratch);
      return schedulerModel.snapshot(tick, scratch);
    },
    allocationTruth() {
      requireTick();
      schedulerMemo ??= schedulerModel.snapshot(tickStartMs, current);
      return allocationTruthOf(topology, current, schedulerMemo);
    },
    slurmJson(endpoint) {
      requireTick();
      schedulerMemo ??= schedulerModel.snapshot(tickStartMs, current);
      switch (endpoint) {
        case 'ping':
          return slurmPingJson(`${topology.site.id}-slurmctld`);
        case 'nodes':
          return slurmNodesJson(topology, schedulerMemo, current.activity, workload.podServesInference);
        case 'jobs':
          return slurmJobsJson(topology, schedulerMemo);
        case 'reservations':
          return slurmReservationsJson(topology, schedulerMemo);
      }
    },
    truthStateOf(slot) {
      requireTick();
      fillNode(topology.slotNode[slot] ?? -1);
      const state = samples.state[slot];
      if (state === undefined) throw new RangeError(`no GPU slot ${slot}`);
      return state;
    },
    uuidOf(slot) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= topology.slotNode.length) throw new RangeError(`no GPU slot ${slot}`);
      return renderer.uuidOf(slot);
    },
    demandShareAt: (tMs) => workload.demandAt(tMs),
    internalDemandAt(tMs) {
      workload.resolve(tickOf(tMs) * tickMs, scratch);
      return rollupModel.internalGpus(scratch);
    },
    aggregateAt(tMs) {
      workload.resolve(tickOf(tMs) * tickMs, scratch);
      return rollupModel.rollups(scratch, Math.floor(tMs / 1000));
    },
  };
}
