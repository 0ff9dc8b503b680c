import type { FleetState } from '../fleet/fleet-state.js';
import { GpuState } from '../fleet/gpu-state.js';

/**
 * Since when each GPU slot has been held under the same job: the cross-check "allocated but not
 * computing for longer than a threshold" needs the length of the spell, not one round's verdict.
 * Kept in memory across rounds (a restart starts every spell afresh).
 */
export interface HeldSince {
  /** Per slot: start of the current held spell, unix ms; NaN when not held. */
  sinceMs: Float64Array;
  /** Per slot: the id of the job the spell is under. */
  jobId: Array<string | undefined>;
}

export function createHeldSince(): HeldSince {
  return { sinceMs: new Float64Array(0), jobId: [] };
}

/**
 * Updates the spells from the fleet's verdicts as of `nowMs`: a slot held and allocated to a
 * job keeps its start while the job is the same, a new job (or a slot newly held) starts a spell
 * at `nowMs`, anything else (busy, idle, sold, down, unknown, held with no job) ends it. Call once
 * per round, after classify. O(slots).
 */
export function trackHeld(held: HeldSince, state: FleetState, nowMs: number): void {
  const slots = state.topology.slotNode.length;
  if (held.sinceMs.length < slots) {
    const grown = new Float64Array(Math.max(16, state.capacity, slots)).fill(Number.NaN);
    grown.set(held.sinceMs);
    held.sinceMs = grown;
  }
  const { sched } = state;
  for (let slot = 0; slot < slots; slot++) {
    const j = (sched.cover[state.topology.slotNode[slot] ?? 0] ?? 0) !== 0 ? (sched.job[slot] ?? -1) : -1;
    const job = j >= 0 ? sched.jobs[j] : undefined;
    if (!job || state.state[slot] !== GpuState.held) {
      held.sinceMs[slot] = Number.NaN;
      held.jobId[slot] = undefined;
    } else if (held.jobId[slot] !== job.id || Number.isNaN(held.sinceMs[slot] ?? Number.NaN)) {
      held.sinceMs[slot] = nowMs;
      held.jobId[slot] = job.id;
    }
  }
}

/** How long the slot has been held under its job as of `nowMs`, ms; 0 when not held. */
export function heldForMs(held: HeldSince, slot: number, nowMs: number): number {
  const since = held.sinceMs[slot] ?? Number.NaN;
  return Number.isNaN(since) ? 0 : Math.max(0, nowMs - since);
}
