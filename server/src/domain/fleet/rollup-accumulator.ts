import type { FleetState } from './fleet-state.js';
import { gpuModelAt } from './gpu-models.js';
import { podModels } from './topology.js';
import { GPU_STATES, type StateCounts } from './gpu-state.js';
import type { ScopeRollup } from './rollup.js';
import { latestPowerWatts, meanUtilization, type FleetSummary, type ScopeFigures } from './summary.js';

/**
 * Averages per-tick figures into fixed buckets (1 min for site and halls, 5 min for pods),
 * so the store keeps a Colossus-scale site's history small. A bucket is emitted when the first
 * tick of a later bucket arrives.
 */
export interface ScopeAccumulator {
  resolutionS: number;
  scopes: string[];
  pick: (summary: FleetSummary) => ScopeFigures[];
  bucketS: number | null;
  ticks: number;
  /** Per scope: utilization, itWatts, facilityWatts, then one sum per state. */
  sums: Float64Array;
}

const FIELDS = 3 + GPU_STATES.length;

export function createScopeAccumulator(
  resolutionS: number,
  scopes: string[],
  pick: (summary: FleetSummary) => ScopeFigures[],
): ScopeAccumulator {
  return { resolutionS, scopes, pick, bucketS: null, ticks: 0, sums: new Float64Array(scopes.length * FIELDS) };
}

/**
 * Scope keys and pickers for the two standard accumulators. The 1-min one also keeps each model
 * pool (`model:<key>`, FleetSummary.models) when the site has more than one: the capacity engine
 * forecasts each pool's internal demand from it; a one-model site's pool is the site.
 */
export function siteAndHallScopes(state: FleetState): { scopes: string[]; pick: (s: FleetSummary) => ScopeFigures[] } {
  const models = podModels(state.topology);
  const modelScopes = models.length > 1 ? models.map((m) => `model:${gpuModelAt(m).key}`) : [];
  return {
    scopes: ['site', ...state.topology.halls.map((h) => `hall:${h.id}`), ...modelScopes],
    pick: modelScopes.length > 0 ? (s) => [s.site, ...s.halls, ...s.models.map((m) => m.figures)] : (s) => [s.site, ...s.halls],
  };
}

export function podScopes(state: FleetState): { scopes: string[]; pick: (s: FleetSummary) => ScopeFigures[] } {
  return { scopes: state.topology.pods.map((p) => `pod:${p.id}`), pick: (s) => s.pods };
}

/** Adds one tick; returns the rows of the bucket it closed, if any. */
export function addTick(acc: ScopeAccumulator, summary: FleetSummary): ScopeRollup[] {
  const bucketS = Math.floor(summary.atMs / 1000 / acc.resolutionS) * acc.resolutionS;
  const closed = acc.bucketS !== null && bucketS !== acc.bucketS ? flush(acc) : [];
  acc.bucketS = bucketS;
  acc.ticks++;
  acc.pick(summary).forEach((figures, i) => {
    const at = i * FIELDS;
    acc.sums[at] = (acc.sums[at] ?? 0) + meanUtilization(figures);
    acc.sums[at + 1] = (acc.sums[at + 1] ?? 0) + figures.itWatts;
    acc.sums[at + 2] = (acc.sums[at + 2] ?? 0) + figures.facilityWatts;
    for (let s = 0; s < GPU_STATES.length; s++) acc.sums[at + 3 + s] = (acc.sums[at + 3 + s] ?? 0) + (figures.counts[s] ?? 0);
  });
  return closed;
}

/** Emits the open bucket (also at shutdown) and starts empty. */
export function flush(acc: ScopeAccumulator): ScopeRollup[] {
  if (acc.bucketS === null || acc.ticks === 0) return [];
  const { ticks, bucketS } = acc;
  const rows = acc.scopes.map((scope, i): ScopeRollup => {
    const at = i * FIELDS;
    const mean = (k: number): number => (acc.sums[at + k] ?? 0) / ticks;
    const counts = Object.fromEntries(GPU_STATES.map((name, s) => [name, mean(3 + s)])) as StateCounts;
    return { scope, ts: bucketS, utilization: mean(0), itWatts: mean(1), facilityWatts: mean(2), counts };
  });
  acc.sums.fill(0);
  acc.ticks = 0;
  acc.bucketS = null;
  return rows;
}

/** Per-GPU hourly means of the utilization estimate and board power. */
export interface GpuHourAccumulator {
  hourS: number | null;
  slotCount: number;
  utilSum: Float64Array;
  utilN: Uint32Array;
  powerSum: Float64Array;
  powerN: Uint32Array;
}

export interface GpuHour {
  ts: number;
  slotCount: number;
  utilization: Float32Array;
  powerWatts: Float32Array;
}

export function createGpuHourAccumulator(): GpuHourAccumulator {
  return {
    hourS: null,
    slotCount: 0,
    utilSum: new Float64Array(0),
    utilN: new Uint32Array(0),
    powerSum: new Float64Array(0),
    powerN: new Uint32Array(0),
  };
}

/** Adds the current verdicts of every GPU; returns the hour it closed, if any. */
export function addGpuTick(acc: GpuHourAccumulator, state: FleetState, nowMs: number): GpuHour | null {
  const slots = state.topology.slotNode.length;
  const closed = startGpuTick(acc, slots, nowMs);
  addGpuSlots(acc, state, 0, slots, state.utilization);
  return closed;
}

/**
 * addGpuTick in steps: opens the tick's hour for `slots` GPUs (returns the hour it closed, if
 * any); addGpuSlots then adds slots [from, to) with estimates read from `utilizations`.
 */
export function startGpuTick(acc: GpuHourAccumulator, slots: number, nowMs: number): GpuHour | null {
  const hourS = Math.floor(nowMs / 3_600_000) * 3600;
  const closed = acc.hourS !== null && hourS !== acc.hourS ? flushGpuHour(acc) : null;
  acc.hourS = hourS;
  acc.slotCount = slots;
  if (acc.utilSum.length < slots) {
    const size = Math.max(slots, acc.utilSum.length * 2);
    acc.utilSum = copy64(acc.utilSum, size);
    acc.powerSum = copy64(acc.powerSum, size);
    acc.utilN = copy32(acc.utilN, size);
    acc.powerN = copy32(acc.powerN, size);
  }
  return closed;
}

export function addGpuSlots(acc: GpuHourAccumulator, state: FleetState, from: number, to: number, utilizations: Float32Array): void {
  for (let slot = from; slot < to; slot++) {
    const u = utilizations[slot] ?? Number.NaN;
    if (!Number.isNaN(u)) {
      acc.utilSum[slot] = (acc.utilSum[slot] ?? 0) + u;
      acc.utilN[slot] = (acc.utilN[slot] ?? 0) + 1;
    }
    const p = latestPowerWatts(state, slot);
    if (Number.isFinite(p)) {
      acc.powerSum[slot] = (acc.powerSum[slot] ?? 0) + p;
      acc.powerN[slot] = (acc.powerN[slot] ?? 0) + 1;
    }
  }
}

function copy64(a: Float64Array, size: number): Float64Array {
  const next = new Float64Array(size);
  next.set(a);
  return next;
}

function copy32(a: Uint32Array, size: number): Uint32Array {
  const next = new Uint32Array(size);
  next.set(a);
  return next;
}

export function flushGpuHour(acc: GpuHourAccumulator): GpuHour | null {
  if (acc.hourS === null) return null;
  const { slotCount } = acc;
  const hour: GpuHour = {
    ts: acc.hourS,
    slotCount,
    utilization: new Float32Array(slotCount),
    powerWatts: new Float32Array(slotCount),
  };
  for (let slot = 0; slot < slotCount; slot++) {
    const un = acc.utilN[slot] ?? 0;
    const pn = acc.powerN[slot] ?? 0;
    hour.utilization[slot] = un ? (acc.utilSum[slot] ?? 0) / un : Number.NaN;
    hour.powerWatts[slot] = pn ? (acc.powerSum[slot] ?? 0) / pn : Number.NaN;
  }
  acc.utilSum.fill(0);
  acc.utilN.fill(0);
  acc.powerSum.fill(0);
  acc.powerN.fill(0);
  acc.hourS = null;
  return hour;
}
