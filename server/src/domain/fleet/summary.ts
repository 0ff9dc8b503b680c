import type { FleetState } from './fleet-state.js';
import { newestRingIndex } from './fleet-state.js';
import { GPU_STATES, GpuState, type StateCounts } from './gpu-state.js';
import { NODE_GPU_OVERHEAD } from './presets.js';
import { podModels } from './topology.js';

/**
 * Figures of one scope (site, hall or pod) at one moment. Counts are GPUs per state.
 * `itWatts` is what telemetry accounts for: each node with a reading draws its base load
 * plus its GPUs' power and the fans/switches that follow it; a node with no reading adds
 * nothing (it is unknown, not idle).
 */
export interface ScopeFigures {
  counts: Int32Array;
  itWatts: number;
  facilityWatts: number;
  utilizationSum: number;
  utilizationCount: number;
  /** Time of the newest sample from any GPU of the scope, unix ms; 0 when none ever reported. */
  newestSampleMs: number;
  /** GPUs whose state the scheduler's allocation told (the rest: telemetry alone). */
  schedulerTold: number;
}

export interface FleetSummary {
  atMs: number;
  site: ScopeFigures;
  halls: ScopeFigures[];
  pods: ScopeFigures[];
  /** Figures of GPUs on unplaced nodes (also inside `site`). */
  unplaced: ScopeFigures;
  /** Per model pool (topology.ts `podModels`, same order): the sum of its pods; unplaced GPUs are in none. */
  models: Array<{ modelIndex: number; figures: ScopeFigures }>;
  /** Whether any fresh facility meter reported (else facility = IT × PUE). */
  metered: boolean;
}

function emptyFigures(): ScopeFigures {
  return {
    counts: new Int32Array(GPU_STATES.length),
    itWatts: 0,
    facilityWatts: 0,
    utilizationSum: 0,
    utilizationCount: 0,
    newestSampleMs: 0,
    schedulerTold: 0,
  };
}

/** Latest reported board power of a slot, or NaN. */
export function latestPowerWatts(state: FleetState, slot: number): number {
  return state.powerRing[newestRingIndex(state, slot)] ?? Number.NaN;
}

/**
 * Sums the classified fleet into site, hall and pod figures as of `nowMs`. Facility draw comes
 * from meters fresher than `staleAfterMs` (a site meter wins over hall meters); a hall with no
 * fresh meter is estimated as IT × PUE.
 */
export function summarizeFleet(state: FleetState, nowMs: number, staleAfterMs: number): FleetSummary {
  const summary = startSummary(state, nowMs);
  addNodes(state, summary, 0, state.topology.nodes.length, state.state, state.utilization);
  finishSummary(state, summary, nowMs, staleAfterMs);
  return summary;
}

/** An empty summary at `nowMs` (summarizeFleet in steps: startSummary, addNodes…, finishSummary). */
export function startSummary(state: FleetState, nowMs: number): FleetSummary {
  const { topology } = state;
  return {
    atMs: nowMs,
    site: emptyFigures(),
    halls: topology.halls.map(emptyFigures),
    pods: topology.pods.map(emptyFigures),
    unplaced: emptyFigures(),
    models: podModels(topology).map((modelIndex) => ({ modelIndex, figures: emptyFigures() })),
    metered: false,
  };
}

/**
 * Adds the GPUs of nodes [from, to) to the summary, with verdicts and estimates read from
 * `verdicts` and `utilizations` (indexed by slot; the state's own arrays, or the spare ones a
 * sliced tick fills). A slot past their length reads unknown.
 */
export function addNodes(
  state: FleetState,
  summary: FleetSummary,
  from: number,
  to: number,
  verdicts: Uint8Array,
  utilizations: Float32Array,
): void {
  const { topology } = state;
  for (let n = from; n < to; n++) {
    const node = topology.nodes[n];
    if (!node) continue;
    const pod = node.podIndex >= 0 ? summary.pods[node.podIndex] : summary.unplaced;
    const hall = node.hallIndex >= 0 ? summary.halls[node.hallIndex] : undefined;
    let gpuWatts = 0;
    let reported = false;
    for (const slot of node.slots) {
      const code = verdicts[slot] ?? GpuState.unknown;
      const utilization = utilizations[slot] ?? Number.NaN;
      const newest = newestRingIndex(state, slot);
      const power = state.powerRing[newest] ?? Number.NaN;
      const sampledMs = state.timeRing[newest] ?? 0;
      const live = code !== GpuState.unknown && code !== GpuState.down;
      if (live && Number.isFinite(power)) {
        gpuWatts += power;
        reported = true;
      }
      const told = state.sched.source[slot] ?? 0;
      addGpu(summary.site, code, utilization, sampledMs, told);
      if (hall) addGpu(hall, code, utilization, sampledMs, told);
      if (pod) addGpu(pod, code, utilization, sampledMs, told);
    }
    if (!reported) continue;
    const nodeWatts = node.baseWatts + gpuWatts * (1 + NODE_GPU_OVERHEAD);
    summary.site.itWatts += nodeWatts;
    if (hall) hall.itWatts += nodeWatts;
    if (pod) pod.itWatts += nodeWatts;
  }
}

function addGpu(figures: ScopeFigures, code: number, utilization: number, sampledMs: number, schedulerTold: number): void {
  figures.counts[code] = (figures.counts[code] ?? 0) + 1;
  figures.schedulerTold += schedulerTold;
  if (!Number.isNaN(utilization)) {
    figures.utilizationSum += utilization;
    figures.utilizationCount++;
  }
  if (sampledMs > figures.newestSampleMs) figures.newestSampleMs = sampledMs;
}

/** Facility draw from the meters (or IT × PUE): the last step of a summary. */
export function finishSummary(state: FleetState, summary: FleetSummary, nowMs: number, staleAfterMs: number): void {
  applyFacilityPower(state, summary, nowMs, staleAfterMs);
  sumModels(state, summary);
}

/** Each model pool's figures: the sum of its pods' (a few hundred pods, not 230,000 GPUs). */
function sumModels(state: FleetState, summary: FleetSummary): void {
  const byModel = new Map(summary.models.map((m) => [m.modelIndex, m.figures]));
  state.topology.pods.forEach((pod, i) => {
    const into = byModel.get(pod.modelIndex);
    const from = summary.pods[i];
    if (!into || !from) return;
    for (let c = 0; c < from.counts.length; c++) into.counts[c] = (into.counts[c] ?? 0) + (from.counts[c] ?? 0);
    into.itWatts += from.itWatts;
    into.facilityWatts += from.facilityWatts;
    into.utilizationSum += from.utilizationSum;
    into.utilizationCount += from.utilizationCount;
    into.newestSampleMs = Math.max(into.newestSampleMs, from.newestSampleMs);
    into.schedulerTold += from.schedulerTold;
  });
}

function applyFacilityPower(state: FleetState, summary: FleetSummary, nowMs: number, staleAfterMs: number): void {
  const { pue } = state.topology.site;
  const hallMeters = new Map<string, number>();
  let siteMeter: number | null = null;
  for (const meter of state.meters.values()) {
    if (meter.atMs < nowMs - staleAfterMs) continue;
    summary.metered = true;
    if (meter.scope === 'site') siteMeter = (siteMeter ?? 0) + meter.watts;
    else hallMeters.set(meter.scope, (hallMeters.get(meter.scope) ?? 0) + meter.watts);
  }
  state.topology.halls.forEach((hall, i) => {
    const figures = summary.halls[i];
    if (figures) figures.facilityWatts = hallMeters.get(`hall:${hall.id}`) ?? figures.itWatts * pue;
  });
  for (const pod of summary.pods) pod.facilityWatts = pod.itWatts * pue;
  summary.unplaced.facilityWatts = summary.unplaced.itWatts * pue;
  const hallsTotal = summary.halls.reduce((sum, h) => sum + h.facilityWatts, 0);
  summary.site.facilityWatts = siteMeter ?? hallsTotal + summary.unplaced.facilityWatts;
}

/** Mean utilization estimate of a scope's GPUs with a verdict, or 0 when none has one. */
export function meanUtilization(figures: ScopeFigures): number {
  return figures.utilizationCount === 0 ? 0 : figures.utilizationSum / figures.utilizationCount;
}

/** A scope's per-state counts as named fields. */
export function stateCountsOf(figures: ScopeFigures): StateCounts {
  return Object.fromEntries(GPU_STATES.map((name, i) => [name, figures.counts[i] ?? 0])) as StateCounts;
}
