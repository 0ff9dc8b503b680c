import { GpuState } from '../domain/fleet/gpu-state.js';
import type { Topology } from '../domain/fleet/topology.js';
import { Activity, ALLOCATION_STATE, type NodeActivity } from './activity.js';
import type { SchedulerSnapshot } from './scheduler.js';

/**
 * The simulator's truth by allocation, per tenant class: what a reader of the scheduler and
 * telemetry together should count (issue 18's rules). GPUs, summing to the site's GPUs.
 */
export interface AllocationTruth {
  /** The owner's own jobs: computing (busy) or allocated and not computing (held). */
  internal: { busy: number; held: number };
  /** GPUs in a customer's job. */
  customer: { sold: number };
  /** Not allocated, no memory in use. */
  idle: number;
  /** Not allocated, memory in use (a process outside any job). */
  orphaned: number;
  /** Failed or drained. */
  down: number;
  /** Internal busy and held per team (the job's account). */
  teams: Record<string, { busy: number; held: number }>;
}

export function allocationTruthOf(topology: Topology, nodes: NodeActivity, scheduler: SchedulerSnapshot): AllocationTruth {
  const truth: AllocationTruth = { internal: { busy: 0, held: 0 }, customer: { sold: 0 }, idle: 0, orphaned: 0, down: 0, teams: {} };
  for (const node of topology.nodes) {
    const n = node.index;
    const gpus = node.slots.length;
    const activity = nodes.activity[n] ?? Activity.idle;
    const state = ALLOCATION_STATE[activity];
    if (state === GpuState.busy || state === GpuState.held) {
      const key = state === GpuState.busy ? 'busy' : 'held';
      truth.internal[key] += gpus;
      const team = scheduler.accounts[scheduler.nodeAccount[n] ?? -1] ?? 'unknown';
      const row = (truth.teams[team] ??= { busy: 0, held: 0 });
      row[key] += gpus;
    } else if (state === GpuState.sold) truth.customer.sold += gpus;
    else if (state === GpuState.down) truth.down += gpus;
    else if (activity === Activity.orphan) truth.orphaned += gpus;
    else truth.idle += gpus;
  }
  return truth;
}
