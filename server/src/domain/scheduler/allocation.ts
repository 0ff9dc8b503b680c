import type { FleetState } from '../fleet/fleet-state.js';
import { pendingGpus, type SchedulerSnapshot } from './scheduler-snapshot.js';
import { tenantOf, type Tenants } from './tenants.js';

/** The reason a node in a maintenance reservation's window reads down with. */
export const MAINTENANCE_REASON = 'maintenance';
/** Unknown node names kept for the health report (the count is whole). */
const NAMES_KEPT = 10;

export interface AllocationReport {
  /** A snapshot was laid over the fleet (fresh or stale). */
  covered: boolean;
  /** Older than the bound: allocation is kept only as a floor (never idle), states come from telemetry. */
  stale: boolean;
  ageMs: number | null;
  nodesCovered: number;
  /** Scheduler nodes the topology lacks (no telemetry names them yet); first few names. */
  unknownNodes: number;
  unknownNodeNames: string[];
  /** Running jobs with GPUs on a node the topology lacks (counted, not fatal). */
  jobsOnUnknownNodes: number;
  /** Allocated GPU indices the topology's node does not have. */
  unknownGpus: number;
  downNodes: number;
  maintenanceNodes: number;
  allocatedGpus: number;
  pendingGpus: number;
}

/**
 * Lays a scheduler snapshot over the fleet state as of `nowMs` (classify reads it): which nodes
 * a scheduler covers, which are down and why (drained, down, or inside a maintenance
 * reservation's window → MAINTENANCE_REASON), and which job holds each GPU slot. A snapshot read
 * more than `staleAfterMs` before `nowMs` is stale: its allocations are kept as a floor (an
 * allocated GPU never reads idle) and its down nodes stay down, but the busy/held/idle verdicts
 * fall back to telemetry. Null clears the overlay (no scheduler configured or none answered yet).
 * Scheduler node names are matched to the topology's hosts exactly; names it lacks are counted.
 * With `tenants`, each running job's tenant is written too (sched.jobTenant: a customer's job
 * makes its GPUs sold); without, every job's tenant is null.
 * Cost: O(slots) to clear plus O(nodes + allocated GPUs).
 */
export function applySchedulerSnapshot(
  state: FleetState,
  snapshot: SchedulerSnapshot | null,
  nowMs: number,
  staleAfterMs: number,
  tenants: Tenants | null = null,
): AllocationReport {
  const { sched, topology } = state;
  const slots = topology.slotNode.length;
  sched.cover.fill(0);
  sched.down.fill(0);
  sched.downReason.clear();
  sched.job.fill(-1, 0, slots);
  const report: AllocationReport = {
    covered: snapshot !== null,
    stale: false,
    ageMs: null,
    nodesCovered: 0,
    unknownNodes: 0,
    unknownNodeNames: [],
    jobsOnUnknownNodes: 0,
    unknownGpus: 0,
    downNodes: 0,
    maintenanceNodes: 0,
    allocatedGpus: 0,
    pendingGpus: 0,
  };
  sched.jobs = snapshot?.running ?? [];
  sched.jobTenant = sched.jobs.map((job) => (tenants ? tenantOf(tenants, job) : null));
  if (!snapshot) return report;
  report.ageMs = Math.max(0, nowMs - snapshot.readAtMs);
  report.stale = report.ageMs > staleAfterMs;
  report.pendingGpus = pendingGpus(snapshot);
  const cover = report.stale ? 2 : 1;
  const unknown = (name: string): void => {
    report.unknownNodes++;
    if (report.unknownNodeNames.length < NAMES_KEPT) report.unknownNodeNames.push(name);
  };
  for (const node of snapshot.nodes) {
    const index = topology.nodeByHost.get(node.name);
    if (index === undefined) {
      unknown(node.name);
      continue;
    }
    sched.cover[index] = cover;
    report.nodesCovered++;
    if (node.down) {
      sched.down[index] = 1;
      sched.downReason.set(index, node.reason || node.state);
    }
  }
  for (const r of snapshot.reservations) {
    if (!r.maintenance || nowMs < r.startMs || nowMs >= r.endMs) continue;
    for (const name of r.nodes) {
      const index = topology.nodeByHost.get(name);
      if (index === undefined) continue;
      sched.down[index] = 1;
      sched.downReason.set(index, MAINTENANCE_REASON);
      report.maintenanceNodes++;
    }
  }
  snapshot.running.forEach((job, j) => {
    let onUnknown = false;
    for (const { node: name, indices } of job.gpus) {
      const node = topology.nodes[topology.nodeByHost.get(name) ?? -1];
      if (!node) {
        onUnknown = true;
        continue;
      }
      for (const i of indices) {
        const slot = node.slots[i];
        if (slot === undefined) report.unknownGpus++;
        else {
          sched.job[slot] = j;
          report.allocatedGpus++;
        }
      }
    }
    if (onUnknown) report.jobsOnUnknownNodes++;
  });
  for (let n = 0; n < topology.nodes.length; n++) if (sched.down[n] === 1) report.downNodes++;
  return report;
}
