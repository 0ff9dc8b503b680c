import type { FleetState, GpuReplacement } from './fleet-state.js';
import { newestRingIndex } from './fleet-state.js';
import { gpuModelAt, modelLabel, unknownModelLabel } from './gpu-models.js';
import { modelCensus } from './model-census.js';
import { GPU_STATES, stateName, type StateCounts } from './gpu-state.js';
import { meanUtilization, stateCountsOf, type FleetSummary, type ScopeFigures } from './summary.js';

/** The API's shapes of the fleet, built from a summary. Pure: the HTTP layer only serialises. */

export function countsOf(figures: ScopeFigures): StateCounts & { total: number } {
  const counts = stateCountsOf(figures);
  const total = GPU_STATES.reduce((sum, name) => sum + counts[name], 0);
  return { total, ...counts };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (n: number, digits = 4): number => Number(n.toFixed(digits));

export function siteReport(state: FleetState, summary: FleetSummary) {
  const { site } = state.topology;
  const facility = Math.round(summary.site.facilityWatts);
  return {
    site: { id: site.id, name: site.name, feedWatts: site.feedWatts, pue: site.pue },
    gpus: countsOf(summary.site),
    power: {
      feedWatts: site.feedWatts,
      itDrawWatts: Math.round(summary.site.itWatts),
      facilityDrawWatts: facility,
      headroomWatts: site.feedWatts - facility,
      metered: summary.metered,
    },
    utilization: round(meanUtilization(summary.site)),
    topology: { halls: state.topology.halls.length, pods: state.topology.pods.length, nodes: state.topology.nodes.length },
    models: modelsReport(state, summary),
    unplaced: countsOf(summary.unplaced),
    toldBy: { scheduler: summary.site.schedulerTold, telemetry: totalOfFigures(summary.site) - summary.site.schedulerTold },
    ...modelsSeen(state),
    updatedAt: iso(summary.atMs),
  };
}

/** Unknown models as the API shows them, and GPUs whose telemetry contradicts the topology's model. */
function modelsSeen(state: FleetState) {
  const census = modelCensus(state);
  return {
    unknownModels: census.unknownModels.map((m) => ({ name: m.name, label: unknownModelLabel(m.name), gpus: m.gpus })),
    modelMismatchGpus: census.mismatchGpus,
  };
}

/** Each model pool's GPUs by state and draw; `pods` counts its fabric units. */
export function modelsReport(state: FleetState, summary: FleetSummary) {
  return summary.models.map(({ modelIndex, figures }) => ({
    model: gpuModelAt(modelIndex).key,
    gpus: countsOf(figures),
    itWatts: Math.round(figures.itWatts),
    facilityWatts: Math.round(figures.facilityWatts),
    pods: state.topology.pods.filter((p) => p.modelIndex === modelIndex).length,
  }));
}

function totalOfFigures(figures: ScopeFigures): number {
  let n = 0;
  for (const c of figures.counts) n += c;
  return n;
}

function scopeReport(figures: ScopeFigures) {
  return {
    gpus: countsOf(figures),
    power: { itDrawWatts: Math.round(figures.itWatts), facilityDrawWatts: Math.round(figures.facilityWatts) },
    utilization: round(meanUtilization(figures)),
  };
}

export function hallsReport(state: FleetState, summary: FleetSummary) {
  return {
    halls: state.topology.halls.map((hall, i) => ({
      id: hall.id,
      pods: state.topology.pods.filter((p) => p.hallIndex === i).length,
      ...scopeReport(summary.halls[i] ?? summary.unplaced),
    })),
    updatedAt: iso(summary.atMs),
  };
}

export function podsReport(state: FleetState, summary: FleetSummary) {
  return {
    pods: state.topology.pods.map((pod, i) => ({
      id: pod.id,
      hall: state.topology.halls[pod.hallIndex]?.id ?? null,
      nodes: pod.nodes.length,
      model: gpuModelAt(pod.modelIndex).key,
      fabric: pod.fabric,
      sold: (state.podSold[i] ?? 0) === 1,
      ...scopeReport(summary.pods[i] ?? summary.unplaced),
    })),
    updatedAt: iso(summary.atMs),
  };
}

/** One GPU's live view, or null when the UUID has never reported. */
export function gpuReport(state: FleetState, uuid: string) {
  const slot = state.slotByUuid.get(uuid);
  if (slot === undefined) return null;
  const { topology } = state;
  const node = topology.nodes[topology.slotNode[slot] ?? -1];
  const newest = newestRingIndex(state, slot);
  const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
  const lastAt = state.timeRing[newest] ?? 0;
  const utilization = finite(state.utilization[slot]);
  let samples = 0;
  for (let k = 0; k < state.windowSize; k++) if ((state.timeRing[slot * state.windowSize + k] ?? 0) > 0) samples++;
  // Swaps are rare (a handful a day on a large site): a scan is cheaper than an index kept up to date.
  let predecessor: GpuReplacement | null = null;
  for (const r of state.replaced.values())
    if (r.replacedBy === uuid && (predecessor === null || r.atMs > predecessor.atMs)) predecessor = r;
  return {
    uuid,
    host: node?.host ?? null,
    index: topology.slotGpuIndex[slot] ?? -1,
    hall: node && node.hallIndex >= 0 ? (topology.halls[node.hallIndex]?.id ?? null) : null,
    pod: node && node.podIndex >= 0 ? (topology.pods[node.podIndex]?.id ?? null) : null,
    model: modelLabel(state.modelIndex[slot] ?? -1, state.unknownModelNames.get(slot) ?? null),
    state: stateName(state.state[slot] ?? 5),
    utilization: utilization === null ? null : round(utilization),
    powerWatts: finite(state.powerRing[newest]),
    utilizationPercent: finite(state.utilRing[newest]),
    memoryUsedMiB: finite(state.memRing[newest]),
    memoryTotalMiB: finite(state.memTotalMiB[slot]),
    lastSampleAt: lastAt > 0 ? iso(lastAt) : null,
    samplesInWindow: samples,
    replaces: predecessor ? { uuid: predecessor.uuid, at: iso(predecessor.atMs) } : null,
    toldBy: (state.sched.source[slot] ?? 0) === 1 ? ('scheduler' as const) : ('telemetry' as const),
    orphaned: (state.sched.orphaned[slot] ?? 0) === 1,
    downReason: downReasonOf(state, topology.slotNode[slot] ?? -1, slot),
    job: jobOf(state, slot),
  };
}

function downReasonOf(state: FleetState, nodeIndex: number, slot: number): string | null {
  const schedDown = state.sched.down[nodeIndex] ?? 0;
  // On a draining node, only the GPUs no job holds are down (classify.ts).
  if (schedDown === 1 || (schedDown === 2 && (state.sched.job[slot] ?? -1) < 0)) return state.sched.downReason.get(nodeIndex) ?? null;
  if ((state.drained[nodeIndex] ?? 0) === 1) return state.drainReason.get(nodeIndex) ?? null;
  return null;
}

function jobOf(state: FleetState, slot: number) {
  const j = state.sched.job[slot] ?? -1;
  const job = state.sched.jobs[j];
  if (!job) return null;
  const tenant = state.sched.jobTenant[j] ?? null;
  const source = job.namespace === undefined ? ('slurm' as const) : ('kubernetes' as const);
  const { id, account, partition, user } = job;
  return { id, account, partition, user, namespace: job.namespace ?? null, source, tenant };
}
