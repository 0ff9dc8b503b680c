import type { SchedulerSnapshot } from '../scheduler/scheduler-snapshot.js';

/**
 * Maintenance the scheduler has booked (Slurm reservations with the MAINT flag) over the pods it
 * touches. A pod under maintenance at some moment of a block's term cannot be delivered for the
 * whole term, so it is kept out of the sellable blocks until the window has passed (a 90-day buyer
 * expects the block for 90 days, not a block that goes dark for four hours in week two; the
 * window's own hours are already out of `up` while it stands: allocation.ts reads its nodes down).
 */
export interface MaintenanceWindow {
  reservation: string;
  /** Unix seconds. */
  startS: number;
  endS: number;
}

/**
 * Per pod index, the earliest maintenance reservation on any of its nodes that stands at some
 * moment of [nowMs, untilMs). Node names map to pods through `podOfNode` (undefined: a node the
 * topology lacks, skipped). A stale snapshot's reservations still count: a booked window does not
 * go away because the scheduler stopped answering.
 */
export function maintenanceByPod(
  snapshot: SchedulerSnapshot | null,
  podOfNode: (node: string) => number | undefined,
  nowMs: number,
  untilMs: number,
): Map<number, MaintenanceWindow> {
  const out = new Map<number, MaintenanceWindow>();
  if (!snapshot) return out;
  for (const r of snapshot.reservations) {
    if (!r.maintenance || r.endMs <= nowMs || r.startMs >= untilMs) continue;
    const window: MaintenanceWindow = { reservation: r.name, startS: r.startMs / 1000, endS: r.endMs / 1000 };
    for (const node of r.nodes) {
      const pod = podOfNode(node);
      if (pod === undefined) continue;
      const known = out.get(pod);
      if (!known || window.startS < known.startS) out.set(pod, window);
    }
  }
  return out;
}
