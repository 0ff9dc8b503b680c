import { applyBatch, markMissing, validateBatch } from '../../domain/fleet/apply-batch.js';
import { classifySlots } from '../../domain/fleet/classify.js';
import { GpuState } from '../../domain/fleet/gpu-state.js';
import {
  appendSlot,
  bindSlot,
  createFleetState,
  resolveNode,
  type FleetState,
  type GpuReplacement,
  type SlotBinding,
} from '../../domain/fleet/fleet-state.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import { distinctGpus, replayOf, storedKey, type PushKey, type PushResult } from '../../domain/fleet/push-key.js';
import type { ScopeRollup } from '../../domain/fleet/rollup.js';
import {
  addGpuSlots,
  addTick,
  createGpuHourAccumulator,
  createScopeAccumulator,
  flush,
  flushGpuHour,
  podScopes,
  type GpuHour,
  siteAndHallScopes,
  startGpuTick,
} from '../../domain/fleet/rollup-accumulator.js';
import { addNodes, finishSummary, startSummary, type FleetSummary } from '../../domain/fleet/summary.js';
import type { Topology } from '../../domain/fleet/topology.js';
import { applySchedulerSnapshot, type AllocationReport } from '../../domain/scheduler/allocation.js';
import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';
import { tenantOf, type Tenants } from '../../domain/scheduler/tenants.js';
import {
  applyPodAttribution,
  createPodAttribution,
  recordPodLabels,
  type KubernetesReport,
} from '../../domain/scheduler/kubernetes-allocation.js';
import type { CollectorPorts } from './ports.js';
import { restoreSnapshot, takeSnapshot } from './snapshot.js';
import { runAtOnce, runSliced, type TimeSlicer } from './time-slicer.js';

/**
 * Rows (or GPU chunks of 256 slots) per history write transaction. A closed 5-minute bucket is
 * 781 rows and an hour of per-GPU means 768 chunks at Colossus scale: written whole, each took
 * 30–60 ms; in transactions of this size with a yield between, each is a few ms and requests
 * are answered in between (at 10M rows, 200 rows a transaction measured 13–30 ms, 100 rows
 * 6–10 ms: benchmark 4c). A bucket need not be atomic: a crash part-way loses part of that
 * bucket, as it would lose the whole of the open one.
 */
export const HISTORY_WRITE_ROWS = 100;
const GPU_SLOTS_PER_WRITE = HISTORY_WRITE_ROWS * 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Steps of a tick (see tickSteps): ≈ 0.5–1 ms each at Colossus scale on this machine, so a time
 * slicer can yield close to its budget. The figures do not depend on them.
 */
const CLASSIFY_SLOTS_PER_STEP = 8192;
const SUMMARY_NODES_PER_STEP = 1024;
const GPU_HOUR_SLOTS_PER_STEP = 16_384;

export interface CollectorOptions {
  topology: Topology;
  ports: CollectorPorts;
  staleAfterMs: number;
  /** Pods delivered to customers at a moment (contracts in term); their GPUs read `sold`. */
  soldPodsAt?: (tMs: number) => ReadonlySet<number>;
  /** A scheduler's last snapshot, laid over telemetry each round (docs/scheduler.md); none: telemetry alone. */
  scheduler?: { latest(): SchedulerSnapshot | null; staleAfterMs: number };
  /** Who owns each job (Slurm's and Kubernetes pods'): a customer's GPUs read sold. */
  tenants?: () => Tenants | null;
}

/** A push waiting for the group commit: what to journal, and whom to answer. */
interface PendingPush {
  batch: IngestBatch;
  source: string;
  key: PushKey | null;
  nowMs: number;
  resolve: (result: PushResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The collector's state machine: fleet state in memory, every change that was acknowledged
 * in the journal, history rolled up into the store. It reads no clock — every call carries
 * `nowMs` — so the simulator's clock and the wall clock drive it alike.
 */
export function createCollector(opts: CollectorOptions) {
  const { ports, staleAfterMs } = opts;
  const state: FleetState = createFleetState(opts.topology);
  const siteHalls = siteAndHallScopes(state);
  const pods = podScopes(state);
  const minute = createScopeAccumulator(60, siteHalls.scopes, siteHalls.pick);
  const fiveMinutes = createScopeAccumulator(300, pods.scopes, pods.pick);
  const gpuHours = createGpuHourAccumulator();
  /** GPU slots each scrape target reported last time, so a failed scrape marks them unknown. */
  const slotsByTarget = new Map<string, number[]>();
  let summary: FleetSummary | null = null;
  let allocation: AllocationReport | null = null;
  /** dcgm-exporter's pod labels, laid over the nodes no scheduler covers each round. */
  const podLabels = createPodAttribution();
  let kubernetes: KubernetesReport | null = null;
  let warmedUp = false;
  let journalSeq = 0;
  /** New identities from scrapes, saved once per round: one fsync, not one per target. */
  const pendingHosts: string[] = [];
  const pendingBindings: SlotBinding[] = [];
  const pendingReplacements: GpuReplacement[] = [];
  /** Pushes validated and waiting for the next group commit (scheduled when the first one arrives). */
  const pendingPushes: PendingPush[] = [];
  /** Spare verdict and estimate arrays a tick fills before swapping them in (see tickSteps). */
  let nextVerdicts = new Uint8Array(0);
  let nextUtilization = new Float32Array(0);

  function saveIdentity(): void {
    for (const host of pendingHosts) ports.registry.saveUnplacedNode(host, null);
    if (pendingBindings.length > 0) ports.registry.saveBindings(pendingBindings);
    if (pendingReplacements.length > 0) ports.registry.saveReplacements(pendingReplacements);
    pendingHosts.length = 0;
    pendingBindings.length = 0;
    pendingReplacements.length = 0;
  }

  /** History write transactions not yet run, in order (see HISTORY_WRITE_ROWS). */
  const writes: Array<() => void> = [];

  function queueHistory(minuteRows: ScopeRollup[], podRows: ScopeRollup[], hour: GpuHour | null): void {
    for (let i = 0; i < minuteRows.length; i += HISTORY_WRITE_ROWS) {
      const slice = minuteRows.slice(i, i + HISTORY_WRITE_ROWS);
      writes.push(() => ports.transaction(() => ports.rollups.write('1m', slice)));
    }
    for (let i = 0; i < podRows.length; i += HISTORY_WRITE_ROWS) {
      const slice = podRows.slice(i, i + HISTORY_WRITE_ROWS);
      writes.push(() => ports.transaction(() => ports.rollups.write('5m', slice)));
    }
    if (!hour) return;
    for (let from = 0; from < hour.slotCount; from += GPU_SLOTS_PER_WRITE) {
      const to = Math.min(hour.slotCount, from + GPU_SLOTS_PER_WRITE);
      writes.push(() => ports.transaction(() => ports.gpuHistory.writeHour(hour.ts, hour.utilization, hour.powerWatts, to, from)));
    }
  }

  /** Runs the queued writes at once (shutdown, snapshot): nothing queued may be left behind. */
  function writeQueuedNow(): void {
    for (let job = writes.shift(); job; job = writes.shift()) job();
  }

  function apply(batch: IngestBatch, nowMs: number) {
    const result = applyBatch(state, batch, nowMs);
    recordPodLabels(podLabels, state, batch, nowMs);
    pendingHosts.push(...result.newHosts);
    for (const b of result.bindings) pendingBindings.push(b);
    pendingReplacements.push(...result.replacements);
    return result;
  }

  /**
   * Journals every waiting push in one transaction, so one fsync covers them all (a commit with
   * synchronous=FULL blocks the event loop for 1–7 ms on this machine's disk, which capped pushes
   * at ≈ 150/s with one each), then applies them and answers. A push the journal refuses is
   * refused alone; a failed commit refuses the whole group, which then changed nothing.
   */
  function commitPushes(): void {
    const group = pendingPushes.splice(0);
    const outcomes: Array<{ seq: number; replay: false } | { replay: PushResult } | { error: unknown }> = [];
    try {
      ports.transaction(() => {
        /** A key journalled earlier in this group: the later push is its replay (nothing is committed yet to find). */
        const firstByKey = new Map<string, { seq: number; digest: string; samples: number; gpus: number }>();
        group.forEach((push) => {
          const stored = push.key === null ? null : storedKey(push.source, push.key);
          const first = stored === null ? undefined : firstByKey.get(stored);
          if (push.key !== null && first !== undefined) {
            try {
              outcomes.push({ replay: replayOf(push.key, first) });
            } catch (error) {
              outcomes.push({ error });
            }
            return;
          }
          try {
            // Nested in the group's transaction, each append is a savepoint: a refusal rolls back only its own.
            const seq = ports.journal.append({
              receivedAtMs: push.nowMs,
              source: push.source,
              idempotencyKey: stored,
              ...(push.key ? { digest: push.key.digest } : {}),
              batch: push.batch,
            });
            if (stored !== null && push.key !== null) {
              firstByKey.set(stored, { seq, digest: push.key.digest, samples: push.batch.samples.length, gpus: distinctGpus(push.batch) });
            }
            outcomes.push({ seq, replay: false });
          } catch (error) {
            outcomes.push({ error });
          }
        });
      });
    } catch (error) {
      for (const push of group) push.reject(error);
      return;
    }
    const results = group.map((push, i): PushResult | { error: unknown } => {
      const outcome = outcomes[i] ?? { error: new Error('push has no journal outcome') };
      if ('error' in outcome) return outcome;
      if (!('seq' in outcome)) return outcome.replay;
      let replaced: GpuReplacement[];
      try {
        replaced = apply(push.batch, push.nowMs).replacements;
      } catch (error) {
        return { error };
      }
      journalSeq = Math.max(journalSeq, outcome.seq);
      const result = { seq: outcome.seq, samples: push.batch.samples.length, gpus: distinctGpus(push.batch), replayed: false };
      return replaced.length > 0 ? { ...result, replaced } : result;
    });
    try {
      ports.transaction(saveIdentity);
    } catch (error) {
      for (const push of group) push.reject(error);
      return;
    }
    group.forEach((push, i) => {
      const result = results[i];
      if (result === undefined || 'error' in result) push.reject(result?.error);
      else push.resolve(result);
    });
  }

  /**
   * The tick as small synchronous steps (a Colossus tick is ≈ 50 ms of work): classify slots into
   * the spare arrays, sum nodes into a new summary, add the GPU hour — then, in the last step,
   * swap the verdicts in and publish the summary together, so a request answered between steps
   * sees the last round whole, never half of this one.
   */
  function* tickSteps(nowMs: number): Generator<void, FleetSummary> {
    if (opts.soldPodsAt) {
      const sold = opts.soldPodsAt(nowMs);
      for (let p = 0; p < state.podSold.length; p++) state.podSold[p] = sold.has(p) ? 1 : 0;
    }
    const tenants = opts.tenants?.() ?? null;
    if (opts.scheduler) allocation = applySchedulerSnapshot(state, opts.scheduler.latest(), nowMs, opts.scheduler.staleAfterMs, tenants);
    else if (kubernetes !== null || podLabels.labelledAtMs.size > 0) applySchedulerSnapshot(state, null, nowMs, 0); // clears the overlay
    if (podLabels.labelledAtMs.size > 0 || kubernetes !== null) {
      kubernetes = applyPodAttribution(state, podLabels, nowMs, staleAfterMs);
      // Pods are jobs too: their namespaces' tenants (Slurm's jobs keep theirs, written above).
      const known = state.sched.jobTenant.length;
      if (tenants && state.sched.jobs.length > known)
        state.sched.jobTenant = [...state.sched.jobTenant, ...state.sched.jobs.slice(known).map((job) => tenantOf(tenants, job))];
    } else kubernetes = null;
    const slots = state.topology.slotNode.length;
    const nodes = state.topology.nodes.length;
    if (nextVerdicts.length < state.capacity) {
      nextVerdicts = new Uint8Array(state.capacity);
      nextUtilization = new Float32Array(state.capacity);
    }
    // Slots a push adds between steps are not classified this tick: they read unknown, as before it.
    nextVerdicts.fill(GpuState.unknown, slots);
    nextUtilization.fill(Number.NaN, slots);
    for (let from = 0; from < slots; from += CLASSIFY_SLOTS_PER_STEP) {
      classifySlots(state, nowMs, staleAfterMs, from, Math.min(slots, from + CLASSIFY_SLOTS_PER_STEP), nextVerdicts, nextUtilization);
      yield;
    }
    const next = startSummary(state, nowMs);
    for (let from = 0; from < nodes; from += SUMMARY_NODES_PER_STEP) {
      addNodes(state, next, from, Math.min(nodes, from + SUMMARY_NODES_PER_STEP), nextVerdicts, nextUtilization);
      yield;
    }
    finishSummary(state, next, nowMs, staleAfterMs);
    // The first round after a start is warm-up: a verdict needs two fresh samples, so nearly every
    // GPU reads unknown for that one round. Rolled up, it would put a dip to zero into every chart
    // at each restart; it is shown live (it is the truth of that moment) but not kept as history.
    const keep = warmedUp;
    let hour: GpuHour | null = null;
    if (keep) {
      hour = startGpuTick(gpuHours, slots, nowMs);
      for (let from = 0; from < slots; from += GPU_HOUR_SLOTS_PER_STEP) {
        addGpuSlots(gpuHours, state, from, Math.min(slots, from + GPU_HOUR_SLOTS_PER_STEP), nextUtilization);
        yield;
      }
    }
    state.state.set(nextVerdicts.subarray(0, slots));
    state.utilization.set(nextUtilization.subarray(0, slots));
    summary = next;
    warmedUp = true;
    if (!keep) return next;
    queueHistory(addTick(minute, next), addTick(fiveMinutes, next), hour);
    if (pendingBindings.length || pendingHosts.length) writes.unshift(() => ports.transaction(saveIdentity));
    return next;
  }

  return {
    state,

    /** Loads identity, the last snapshot and the journal after it. Returns what was replayed. */
    restore(): { bindings: number; snapshotAtMs: number | null; replayed: number } {
      for (const node of ports.registry.loadUnplacedNodes()) resolveNode(state, node.host, node.model);
      for (const r of ports.registry.loadReplacements()) state.replaced.set(r.uuid, r);
      const bindings = ports.registry.loadBindings().sort((a, b) => a.slot - b.slot);
      for (const b of bindings) {
        while (state.topology.slotNode.length <= b.slot) appendSlot(state, resolveNode(state, b.host, b.model));
        bindSlot(state, b.slot, b.uuid, b.model);
      }
      const snapshot = ports.snapshots.load();
      if (snapshot) {
        restoreSnapshot(state, snapshot.parts);
        journalSeq = snapshot.journalSeq;
      }
      const entries = ports.journal.since(journalSeq);
      for (const entry of entries) {
        apply(entry.batch, entry.receivedAtMs);
        journalSeq = entry.seq;
      }
      ports.transaction(saveIdentity);
      return { bindings: bindings.length, snapshotAtMs: snapshot?.takenAtMs ?? null, replayed: entries.length };
    },

    /** A scrape target's batch (not journalled: a lost scrape is re-scraped, not lost). */
    ingestScraped(targetId: string, batch: IngestBatch, nowMs: number): number {
      apply(batch, nowMs);
      // Kept until the target's next read: the same slots as last time keep last time's array,
      // so a steady fleet allocates nothing here that would live long enough to be promoted.
      const known = slotsByTarget.get(targetId);
      if (!known || !sameSlots(state, batch, known)) {
        slotsByTarget.set(
          targetId,
          batch.samples.map((s) => state.slotByUuid.get(s.uuid) ?? -1).filter((slot) => slot >= 0),
        );
      }
      return batch.samples.length;
    },

    /** A scrape that failed: the GPUs that target reported read unknown until it answers again. */
    targetFailed(targetId: string): void {
      markMissing(state, slotsByTarget.get(targetId) ?? []);
    },

    /**
     * A pushed batch: validated at once (an invalid batch throws here), written to the journal
     * with the other pushes of this event-loop turn (group commit, see commitPushes), then
     * applied. Resolves once the batch is durable, so the caller may acknowledge it. A repeated
     * idempotency key applies nothing: the same request gets the first answer, another one a 422.
     */
    push(batch: IngestBatch, source: string, key: PushKey | null, nowMs: number): Promise<PushResult> {
      if (key) {
        const seen = ports.journal.findByIdempotencyKey(storedKey(source, key));
        if (seen !== null) return Promise.resolve(replayOf(key, seen));
      }
      validateBatch(state, batch);
      return new Promise((resolve, reject) => {
        // After the I/O callbacks of this turn: every push whose body arrived in it shares the commit.
        if (pendingPushes.length === 0) setImmediate(commitPushes);
        pendingPushes.push({ batch, source, key, nowMs, resolve, reject });
      });
    },

    /** Classifies the fleet as of nowMs, rolls it up (but the first round), and queues every bucket that closed. */
    tick(nowMs: number): FleetSummary {
      return runAtOnce(tickSteps(nowMs));
    },

    /** tick, yielding to the event loop whenever the slicer's budget is spent; the same figures. */
    tickSliced(nowMs: number, slicer: TimeSlicer): Promise<FleetSummary> {
      return runSliced(tickSteps(nowMs), slicer);
    },

    /**
     * Writes what `tick` queued (identity, closed buckets), one short transaction at a time with
     * a yield between. A collection round awaits it before the next round.
     */
    async writeHistory(): Promise<void> {
      for (let job = writes.shift(); job; job = writes.shift()) {
        job();
        if (writes.length) await yieldToLoop();
      }
    },

    latest(): FleetSummary | null {
      return summary;
    },

    /** What the last round laid over the fleet from the scheduler; null without one. */
    allocation(): AllocationReport | null {
      return allocation;
    },

    /** What the last round laid over the fleet from dcgm-exporter's pod labels; null when no report named a pod. */
    kubernetes(): KubernetesReport | null {
      return kubernetes;
    },

    /** Saves the fleet state and drops the journal it covers. */
    snapshot(nowMs: number): void {
      writeQueuedNow();
      const seq = journalSeq;
      ports.transaction(() => {
        saveIdentity();
        ports.snapshots.save({ takenAtMs: nowMs, journalSeq: seq, parts: takeSnapshot(state) });
        ports.journal.truncateThrough(seq);
      });
    },

    /** Writes the open buckets (at shutdown), so the last minutes of history are kept. */
    flushHistory(): void {
      queueHistory(flush(minute), flush(fiveMinutes), flushGpuHour(gpuHours));
      writeQueuedNow();
    },
  };
}

export type Collector = ReturnType<typeof createCollector>;

/** Whether the batch's GPUs are exactly `slots`, in order. */
function sameSlots(state: FleetState, batch: IngestBatch, slots: readonly number[]): boolean {
  let i = 0;
  for (const s of batch.samples) {
    const slot = state.slotByUuid.get(s.uuid);
    if (slot === undefined) continue;
    if (slots[i] !== slot) return false;
    i++;
  }
  return i === slots.length;
}
