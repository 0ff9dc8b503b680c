import type { Topology } from '../domain/fleet/topology.js';
import { Activity, type NodeActivity } from './activity.js';
import { demandShareAt } from './demand.js';
import { hash4, rehash, toUnit, unit4, Stream } from './random.js';
import { DAY_MS, type ScenarioName, type ScenarioParams } from './scenario.js';
import { blockLengthMs, emptySegment, segmentAt, type TimelineSpec } from './timeline.js';

/**
 * The selling hook: whether a pod is sold to a customer at tMs. Internal work never lands on
 * a sold pod (the owner's scheduler avoids it) and the sold pod's GPUs run the customer's work.
 * Must be pure in (podIndex, tMs) for the simulator to stay stateless in time.
 */
export type SoldPodPredicate = (podIndex: number, tMs: number) => boolean;

export interface WorkloadOptions {
  topology: Topology;
  scenario: ScenarioName;
  params: ScenarioParams;
  seed: number;
  soldPod?: SoldPodPredicate;
}

/** The owner's work, failures and maintenance, resolved per node for any moment. */
export interface Workload {
  /** 1 for pods that serve inference node by node, 0 for training pods. */
  readonly podServesInference: Uint8Array;
  /** Writes every node's activity at tMs into `out`. Pure in tMs. */
  resolve(tMs: number, out: NodeActivity): void;
  /** Internal demand D(t), share of the site's GPUs. */
  demandAt(tMs: number): number;
  /**
   * The slot of a training pod (kind 'training', owner = pod index) or an inference node
   * (kind 'inference', owner = node index) holding tMs, and whether internal work takes it at
   * `scale` (the sold-capacity scale; 1 with nothing sold). Pure; what resolve() decides.
   */
  slotAt(kind: 'training' | 'inference', owner: number, tMs: number, scale: number): Slot;
  /** The maintenance drain of pod p in the maintenance period holding tMs, or null. */
  maintenanceAt(p: number, tMs: number): { startMs: number; endMs: number } | null;
  /** Length of one maintenance period (at most one drain each), ms. */
  readonly maintenancePeriodMs: number;
}

/** A job slot of a training pod or an inference node. */
export interface Slot {
  startMs: number;
  endMs: number;
  key: number;
  allocated: boolean;
}

const WAVE_STAGGER_MS = 30 * 60_000;
const ORPHAN_BLOCK_MS = 6 * 3_600_000;

interface SlotMemo {
  startMs: Float64Array;
  endMs: Float64Array;
  key: Uint32Array;
  scale: Float64Array;
  allocated: Uint8Array;
}

function createSlotMemo(size: number): SlotMemo {
  return {
    // An empty interval never matches, so the first lookup always computes.
    startMs: new Float64Array(size),
    endMs: new Float64Array(size),
    key: new Uint32Array(size),
    scale: new Float64Array(size),
    allocated: new Uint8Array(size),
  };
}

/** Picks exactly round(share × pods) inference pods, spread by seeded rank rather than by index. */
function chooseInferencePods(podCount: number, share: number, seed: number): Uint8Array {
  const order = Array.from({ length: podCount }, (_, p) => p);
  order.sort((a, b) => hash4(seed, Stream.podRole, a, 0) - hash4(seed, Stream.podRole, b, 0) || a - b);
  const flags = new Uint8Array(podCount);
  const count = Math.round(share * podCount);
  for (let i = 0; i < count; i++) flags[order[i] ?? 0] = 1;
  return flags;
}

/**
 * Builds the model of who uses which node, pure in time:
 * - Training pods (1 − inferencePodShare of them) cut time into job slots of 2–12 h with a
 *   per-pod phase; a slot runs a job when a seeded u(pod, slot) < D(slot start). A job loads
 *   for ~10 min (`held`), then computes at a duty of 0.9–1.0 (`busy`); 3 % are stuck `held`,
 *   half of those with no process at all (no memory: `noProcess`).
 * - Inference pods allocate node by node in slots of 1–2 h, with the same rule; an allocated
 *   node serves bursty traffic (`busy`) or, 10 % of the time, holds a model without traffic.
 * - With pods sold, D is scaled by all GPUs / unsold GPUs (capped at 1): the owner's demand
 *   does not shrink because capacity was sold, it crowds onto what is left.
 * - Drains (about one per pod per 60 days, 4 h) and node failures (≈ 0.1 %/day, 2–24 h;
 *   plus the `failures` scenario's wave) override the above; a failure overrides a drain.
 * - On a few unallocated nodes (orphanNodeShare per 6-hour block) a process outside any job
 *   holds memory (`orphan`).
 */
export function createWorkload(opts: WorkloadOptions): Workload {
  const { topology, scenario, params, seed } = opts;
  const podCount = topology.pods.length;
  const nodeCount = topology.nodes.length;
  const podServesInference = chooseInferencePods(podCount, params.inferencePodShare, seed);

  const trainingSpec: TimelineSpec = {
    seed,
    stream: Stream.trainingSegment,
    minMs: params.trainingSlotMinMs,
    maxMs: params.trainingSlotMaxMs,
  };
  const inferenceSpec: TimelineSpec = {
    seed,
    stream: Stream.inferenceSegment,
    minMs: params.inferenceSlotMinMs,
    maxMs: params.inferenceSlotMaxMs,
  };
  const maintenanceWindowMs = params.maintenanceEveryMs / 2;

  // Per-owner phases stagger slot boundaries so pods and nodes never switch in lockstep.
  const podTrainingPhase = new Float64Array(podCount);
  const podMaintenancePhase = new Float64Array(podCount);
  const podFailurePhase = new Float64Array(podCount);
  const podGpus = new Float64Array(podCount);
  for (let p = 0; p < podCount; p++) {
    podTrainingPhase[p] = Math.floor(unit4(seed, Stream.podPhase, p, 0) * blockLengthMs(trainingSpec));
    podMaintenancePhase[p] = Math.floor(unit4(seed, Stream.podPhase, p, 1) * maintenanceWindowMs);
    podFailurePhase[p] = Math.floor(unit4(seed, Stream.podPhase, p, 2) * DAY_MS);
  }
  const nodeInferencePhase = new Float64Array(nodeCount);
  let totalGpus = 0;
  for (let n = 0; n < nodeCount; n++) {
    nodeInferencePhase[n] = Math.floor(unit4(seed, Stream.nodePhase, n, 0) * blockLengthMs(inferenceSpec));
    const node = topology.nodes[n];
    if (!node) continue;
    totalGpus += node.slots.length;
    if (node.podIndex >= 0) podGpus[node.podIndex] = (podGpus[node.podIndex] ?? 0) + node.slots.length;
  }

  const sold = new Uint8Array(podCount);
  const segment = emptySegment();
  const demandAt = (tMs: number): number => demandShareAt(scenario, params, seed, tMs);

  /** Scale of demand over what is left to the owner: with half the site sold, the rest runs twice as full. */
  function markSold(tMs: number): number {
    const soldPod = opts.soldPod;
    if (!soldPod) {
      sold.fill(0);
      return 1;
    }
    let soldGpus = 0;
    for (let p = 0; p < podCount; p++) {
      sold[p] = soldPod(p, tMs) ? 1 : 0;
      if (sold[p]) soldGpus += podGpus[p] ?? 0;
    }
    const eligible = totalGpus - soldGpus;
    return eligible > 0 ? totalGpus / eligible : 0;
  }

  function maintenanceAt(p: number, tMs: number): { startMs: number; endMs: number } | null {
    const phase = podMaintenancePhase[p] ?? 0;
    const window = Math.floor((tMs - phase) / maintenanceWindowMs);
    const draw = hash4(seed, Stream.maintenance, p, window);
    // One window in two holds a drain: about one per pod per maintenanceEveryMs, irregularly.
    if (toUnit(draw) >= 0.5) return null;
    const start = phase + window * maintenanceWindowMs + Math.floor(toUnit(rehash(draw, 1)) * (maintenanceWindowMs - params.maintenanceMs));
    return { startMs: start, endMs: start + params.maintenanceMs };
  }

  function inMaintenance(p: number, tMs: number): boolean {
    const drain = maintenanceAt(p, tMs);
    return drain !== null && tMs >= drain.startMs && tMs < drain.endMs;
  }

  /** Random failures: at most one per pod per day (probability nodes × rate), repaired within a day. */
  function markRandomFailures(p: number, nodes: readonly number[], tMs: number, out: NodeActivity): void {
    const probability = Math.min(1, nodes.length * params.nodeFailuresPerDay);
    const phase = podFailurePhase[p] ?? 0;
    const today = Math.floor((tMs - phase) / DAY_MS);
    for (let day = today - 1; day <= today; day++) {
      const draw = hash4(seed, Stream.failure, p, day);
      if (toUnit(draw) >= probability) continue;
      const start = phase + day * DAY_MS + Math.floor(toUnit(rehash(draw, 2)) * DAY_MS);
      const repairMs = params.repairMinMs + toUnit(rehash(draw, 3)) * (params.repairMaxMs - params.repairMinMs);
      if (tMs < start || tMs >= start + repairMs) continue;
      const node = nodes[Math.floor(toUnit(rehash(draw, 1)) * nodes.length)];
      if (node !== undefined) out.activity[node] = Activity.failed;
    }
  }

  function markFailureWave(tMs: number, out: NodeActivity): void {
    const waveAt = params.failureWaveAtMs;
    if (tMs < waveAt || tMs >= waveAt + WAVE_STAGGER_MS + params.failureWaveMaxMs) return;
    for (let n = 0; n < nodeCount; n++) {
      const draw = hash4(seed, Stream.failureWave, n, 0);
      if (toUnit(draw) >= params.failureWaveShare) continue;
      const start = waveAt + toUnit(rehash(draw, 1)) * WAVE_STAGGER_MS;
      const length = params.failureWaveMinMs + toUnit(rehash(draw, 2)) * (params.failureWaveMaxMs - params.failureWaveMinMs);
      if (tMs >= start && tMs < start + length) out.activity[n] = Activity.failed;
    }
  }

  // Memo of each owner's current slot and its allocation decision. Pure memoisation: a slot is
  // a function of (owner, tMs), so a hit returns what recomputing would. Consecutive ticks fall
  // in the same slot nearly always, which keeps a Colossus-scale resolve cheap.
  const podSlot = createSlotMemo(podCount);
  const nodeSlot = createSlotMemo(nodeCount);

  /** Looks up (or recomputes) owner i's slot at tMs; returns whether internal work holds it. */
  function allocatedSlot(memo: SlotMemo, spec: TimelineSpec, i: number, phaseMs: number, tMs: number, scale: number): boolean {
    const start = memo.startMs[i] ?? 0;
    if (tMs >= start && tMs < (memo.endMs[i] ?? 0) && memo.scale[i] === scale) return memo.allocated[i] === 1;
    segmentAt(spec, i, phaseMs, tMs, segment);
    memo.startMs[i] = segment.startMs;
    memo.endMs[i] = segment.endMs;
    memo.key[i] = segment.key;
    memo.scale[i] = scale;
    const allocated = toUnit(rehash(segment.key, 1)) < Math.min(1, demandAt(segment.startMs) * scale);
    memo.allocated[i] = allocated ? 1 : 0;
    return allocated;
  }

  function resolveTrainingPod(p: number, nodes: readonly number[], tMs: number, scale: number, out: NodeActivity): void {
    const running = allocatedSlot(podSlot, trainingSpec, p, podTrainingPhase[p] ?? 0, tMs, scale);
    const key = podSlot.key[p] ?? 0;
    let activity: number = Activity.idle;
    let duty = 0;
    let progress = 1;
    if (running) {
      const loadingMs = params.loadingMinMs + toUnit(rehash(key, 3)) * (params.loadingMaxMs - params.loadingMinMs);
      const elapsed = tMs - (podSlot.startMs[p] ?? 0);
      if (toUnit(rehash(key, 2)) < params.stuckJobShare) {
        activity = toUnit(rehash(key, 8)) < params.noProcessShare ? Activity.noProcess : Activity.stuck;
      } else if (elapsed < loadingMs) {
        activity = Activity.loading;
        progress = elapsed / loadingMs;
      } else {
        activity = Activity.training;
        duty = params.trainingDutyMin + toUnit(rehash(key, 4)) * (params.trainingDutyMax - params.trainingDutyMin);
      }
    }
    for (const n of nodes) {
      out.activity[n] = activity;
      out.jobKey[n] = key;
      out.duty[n] = duty;
      out.progress[n] = progress;
    }
  }

  function resolveInferencePod(nodes: readonly number[], tMs: number, scale: number, out: NodeActivity): void {
    for (const n of nodes) {
      if (!allocatedSlot(nodeSlot, inferenceSpec, n, nodeInferencePhase[n] ?? 0, tMs, scale)) continue;
      const key = nodeSlot.key[n] ?? 0;
      out.activity[n] = toUnit(rehash(key, 2)) < params.standbyShare ? Activity.standby : Activity.serving;
      out.jobKey[n] = key;
    }
  }

  function resolve(tMs: number, out: NodeActivity): void {
    out.activity.fill(Activity.idle);
    out.drained.fill(0);
    out.jobKey.fill(0);
    out.duty.fill(0);
    out.progress.fill(1);
    const scale = markSold(tMs);
    for (let p = 0; p < podCount; p++) {
      const pod = topology.pods[p];
      if (!pod || pod.nodes.length === 0) continue;
      const nodes = pod.nodes;
      if (sold[p]) {
        const key = hash4(seed, Stream.jobMemory, p, 0);
        for (const n of nodes) {
          out.activity[n] = Activity.sold;
          out.jobKey[n] = key;
          out.duty[n] = params.soldDuty;
        }
      } else if (inMaintenance(p, tMs)) {
        for (const n of nodes) {
          out.activity[n] = Activity.maintenance;
          out.drained[n] = 1;
        }
      } else if (podServesInference[p]) {
        resolveInferencePod(nodes, tMs, scale, out);
      } else {
        resolveTrainingPod(p, nodes, tMs, scale, out);
      }
      markRandomFailures(p, nodes, tMs, out);
    }
    if (scenario === 'failures') markFailureWave(tMs, out);
    markOrphans(tMs, out);
  }

  function markOrphans(tMs: number, out: NodeActivity): void {
    if (params.orphanNodeShare === 0) return;
    const block = Math.floor(tMs / ORPHAN_BLOCK_MS);
    for (let n = 0; n < nodeCount; n++) {
      if (out.activity[n] !== Activity.idle) continue;
      const draw = hash4(seed, Stream.orphan, n, block);
      if (toUnit(draw) >= params.orphanNodeShare) continue;
      out.activity[n] = Activity.orphan;
      out.jobKey[n] = draw;
    }
  }

  function slotAt(kind: 'training' | 'inference', owner: number, tMs: number, scale: number): Slot {
    const training = kind === 'training';
    const phase = (training ? podTrainingPhase[owner] : nodeInferencePhase[owner]) ?? 0;
    const found = segmentAt(training ? trainingSpec : inferenceSpec, owner, phase, tMs, emptySegment());
    const allocated = toUnit(rehash(found.key, 1)) < Math.min(1, demandAt(found.startMs) * scale);
    return { startMs: found.startMs, endMs: found.endMs, key: found.key, allocated };
  }

  return { podServesInference, resolve, demandAt, slotAt, maintenanceAt, maintenancePeriodMs: maintenanceWindowMs };
}
