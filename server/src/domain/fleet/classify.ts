import type { FleetState } from './fleet-state.js';
import { GPU_MODELS, UNKNOWN_MODEL_INDEX } from './gpu-models.js';
import { GpuState, type GpuStateCode } from './gpu-state.js';
import {
  classifySample,
  MIN_SAMPLES_FOR_VERDICT,
  powerScaleOf,
  SampleClass,
  sampleActivity,
  VERDICT_SAMPLES,
  type PowerScale,
  type SampleClassCode,
} from './utilization.js';

const FROM_SAMPLE_CLASS: Record<SampleClassCode, GpuStateCode> = {
  [SampleClass.busy]: GpuState.busy,
  [SampleClass.held]: GpuState.held,
  [SampleClass.idle]: GpuState.idle,
  [SampleClass.invalid]: GpuState.unknown,
};

/**
 * Writes every GPU's state and utilization estimate as of `nowMs`.
 *
 * Order of precedence: `down` (drained node — by a push or the scheduler —, a maintenance window,
 * or a fatal XID) → `sold` (its pod is delivered to a customer) → `unknown` (latest report
 * failed, or fewer than two fresh samples) → the majority of the last three fresh samples'
 * classes (busy / held / idle); a split vote is settled by classifying the mean of those samples.
 * On a node a scheduler covers (state.sched, docs/scheduler.md) allocation then decides: an
 * allocated GPU is busy when telemetry says busy, else held (even when unknown); an unallocated
 * one in use is held and flagged orphaned; with stale allocation only the floor stays (allocated
 * is never idle); a GPU in a customer's job (sched.jobTenant) is sold, whatever the contract book
 * says. `state.sched.source` and `.orphaned` are written per slot. The utilization estimate is the mean sample activity
 * over the whole fresh window. Each GPU's samples are read on its own power scale (powerScaleOf): its model's, capped
 * by its enforced power limit; an unknown model's from its reported limit, or on utilization alone without one.
 */
export function classifyFleet(state: FleetState, nowMs: number, staleAfterMs: number): void {
  classifySlots(state, nowMs, staleAfterMs, 0, state.topology.slotNode.length, state.state, state.utilization);
}

/**
 * classifyFleet for the slots [from, to), writing the verdicts and estimates to `outState` and
 * `outUtilization` (indexed by slot) instead of the state's own arrays: a caller working in
 * slices fills spare arrays and swaps them in at once, so readers never see half a round.
 */
export function classifySlots(
  state: FleetState,
  nowMs: number,
  staleAfterMs: number,
  from: number,
  to: number,
  outState: Uint8Array,
  outUtilization: Float32Array,
): void {
  const { topology, windowSize: w, sched } = state;
  const oldest = nowMs - staleAfterMs;
  const votes = [0, 0, 0, 0];
  // One scale object for the whole pass, refilled per GPU: no allocation per slot.
  const model: PowerScale = { idleWatts: 0, heldWatts: 0, maxWatts: 0 };
  for (let slot = from; slot < to; slot++) {
    const nodeIndex = topology.slotNode[slot] ?? 0;
    const node = topology.nodes[nodeIndex];
    powerScaleOf(GPU_MODELS[state.modelIndex[slot] ?? UNKNOWN_MODEL_INDEX] ?? null, state.powerLimitWatts[slot] ?? Number.NaN, model);
    let activitySum = 0;
    let activityCount = 0;
    let fresh = 0;
    /** The newest fresh sample's class: whether an allocated GPU computes now. */
    let newest: SampleClassCode = SampleClass.invalid;
    let utilSum = 0;
    let powerSum = 0;
    let memSum = 0;
    let utilN = 0;
    let powerN = 0;
    let memN = 0;
    votes.fill(0);
    const head = state.ringHead[slot] ?? 0;
    // Newest first, so the first VERDICT_SAMPLES fresh entries are the ones that vote.
    for (let k = 1; k <= w; k++) {
      const at = slot * w + ((head - k + w) % w);
      const t = state.timeRing[at] ?? 0;
      if (t === 0 || t < oldest || t > nowMs) continue;
      const util = state.utilRing[at] ?? Number.NaN;
      const power = state.powerRing[at] ?? Number.NaN;
      const mem = state.memRing[at] ?? Number.NaN;
      const activity = sampleActivity(util, power, model);
      if (Number.isNaN(activity)) continue;
      activitySum += activity;
      activityCount++;
      if (fresh < VERDICT_SAMPLES) {
        fresh++;
        const cls = classifySample(util, power, mem, model);
        votes[cls] = (votes[cls] ?? 0) + 1;
        if (fresh === 1) newest = cls;
        if (Number.isFinite(util)) {
          utilSum += util;
          utilN++;
        }
        if (Number.isFinite(power)) {
          powerSum += power;
          powerN++;
        }
        if (Number.isFinite(mem)) {
          memSum += mem;
          memN++;
        }
      }
    }
    const utilization = activityCount > 0 ? activitySum / activityCount : Number.NaN;
    let verdict: GpuStateCode;
    const cover = sched.cover[nodeIndex] ?? 0;
    let fromScheduler = 0;
    let orphaned = 0;
    const schedDown = sched.down[nodeIndex] ?? 0;
    // A draining node's jobs run on: only its GPUs no job holds are out of service.
    const downBySched = schedDown === 1 || (schedDown === 2 && (sched.job[slot] ?? -1) < 0);
    if ((state.drained[nodeIndex] ?? 0) === 1 || (state.xidFatal[slot] ?? 0) === 1 || downBySched) verdict = GpuState.down;
    else if (node && node.podIndex >= 0 && (state.podSold[node.podIndex] ?? 0) === 1) verdict = GpuState.sold;
    else if ((state.missing[slot] ?? 0) === 1 || fresh < MIN_SAMPLES_FOR_VERDICT) verdict = GpuState.unknown;
    else {
      const winner = votes.findIndex((v) => v * 2 > fresh);
      const cls: SampleClassCode =
        winner >= 0
          ? (winner as SampleClassCode)
          : classifySample(
              utilN ? utilSum / utilN : Number.NaN,
              powerN ? powerSum / powerN : Number.NaN,
              memN ? memSum / memN : Number.NaN,
              model,
            );
      verdict = FROM_SAMPLE_CLASS[cls];
    }
    const job = cover !== 0 ? (sched.job[slot] ?? -1) : -1;
    if (job >= 0 && verdict !== GpuState.down && sched.jobTenant[job]?.kind === 'customer') {
      // A customer's allocation is sold even on a pod the contract book says is unsold (unbilled
      // use shows as sold, and is cross-checked); a stale one stays sold, as stale allocation is a floor.
      verdict = GpuState.sold;
      fromScheduler = cover === 1 ? 1 : 0;
    } else if (cover !== 0 && verdict !== GpuState.down && verdict !== GpuState.sold) {
      const allocated = job >= 0;
      if (cover === 1) {
        // Fresh allocation decides: a job's GPU is busy only if telemetry sees compute, else held
        // (no two-sample wait: a job that never started a process is held at once); a GPU no job
        // holds but in use is held and flagged orphaned.
        fromScheduler = 1;
        // Whether a job's GPU computes is read from the newest sample, not the three-sample vote:
        // allocation already says the GPU is taken, so only its phase is asked, and a job changing
        // phase reads its new one at the first round after (the vote lagged a round or two).
        if (allocated) verdict = (state.missing[slot] ?? 0) === 0 && newest === SampleClass.busy ? GpuState.busy : GpuState.held;
        else if (verdict === GpuState.busy || verdict === GpuState.held) {
          verdict = GpuState.held;
          orphaned = 1;
        }
      } else if (allocated && verdict !== GpuState.busy) {
        // Stale allocation: telemetry rules, but what was allocated is never read idle or sellable.
        verdict = GpuState.held;
      }
    }
    sched.source[slot] = fromScheduler;
    sched.orphaned[slot] = orphaned;
    outState[slot] = verdict;
    outUtilization[slot] = verdict === GpuState.unknown || verdict === GpuState.down ? Number.NaN : utilization;
  }
}

/**
 * Mean sample activity of a run of samples: the window estimate, for one GPU's trace, read on the
 * power scale of model `modelIndex` (UNKNOWN_MODEL_INDEX: an unknown model) with an enforced limit of
 * `limitWatts` (NaN: none reported).
 */
export function estimateUtilization(
  samples: ReadonlyArray<{ utilPercent: number | null; powerWatts: number | null }>,
  modelIndex: number,
  limitWatts = Number.NaN,
): number {
  const model = powerScaleOf(GPU_MODELS[modelIndex] ?? null, limitWatts, { idleWatts: 0, heldWatts: 0, maxWatts: 0 });
  let sum = 0;
  let n = 0;
  for (const s of samples) {
    const a = sampleActivity(s.utilPercent ?? Number.NaN, s.powerWatts ?? Number.NaN, model);
    if (!Number.isNaN(a)) {
      sum += a;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}
