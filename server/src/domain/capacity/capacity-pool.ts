import type { StateCounts } from '../fleet/gpu-state.js';
import type { FabricKind } from '../fleet/topology.js';
import { firstCrossing, reserveFrom, type Reserve, type SafetyMargin } from './forecast-reserve.js';
import type { DemandForecast } from './forecast-types.js';
import type { MaintenanceWindow } from './maintenance-windows.js';

/**
 * One model pool of the capacity engine: the GPUs of one model, their reserve for the owner's own
 * work, what is left to sell in whole blocks of that model's pods, and its oversold risk. Pure.
 */

export interface PodView {
  index: number;
  id: string;
  hallId: string | null;
  /** GPU model key of the pod's GPUs (a pod is one fabric unit of one model). */
  model: string;
  fabric: FabricKind;
  counts: StateCounts;
  gpus: number;
  /** Facility draw now, watts. */
  facilityWatts: number;
  /** Facility draw with every node at its rated maximum input × PUE, watts. */
  fullLoadFacilityWatts: number;
  /** Allocated to a contract that has not ended (sold now, or sold from a later start). */
  committed: boolean;
  /** Maintenance booked on its nodes within the horizon (maintenance-windows.ts): not offered for sale. */
  maintenance?: MaintenanceWindow | null;
}

/** One model pool as the engine takes it. */
export interface PoolInput {
  /** GPU model key; null: every pod (a site taken as one pool). */
  model: string | null;
  /** The pool's GPUs by state (a one-pool site: the site's, unplaced GPUs included). */
  counts: StateCounts;
  /** Forecast of the pool's internal demand (busy + held GPUs). */
  forecast: DemandForecast;
  /** The pool's GPUs sold at a moment (contracts start and end over the horizon). */
  soldGpusAt: (unixSeconds: number) => number;
  /** Facility watts one of its GPUs takes at full load (node max input / GPUs × PUE). */
  fullLoadWattsPerGpu: number;
  /** USD a facility watt of its blocks fetches a month: pools draw on the shared power headroom highest first. */
  valueUsdPerWattMonth: number;
}

export interface SellableBlock {
  id: string;
  hall: string | null;
  pods: string[];
  model: string;
  fabric: FabricKind;
  gpus: number;
  /** Facility watts the block draws at full load. */
  watts: number;
  /** Facility watts it adds to today's draw when it runs at full load. */
  addedWatts: number;
}

export type SellableLimit = 'gpus' | 'power' | 'blocks';

export interface PoolGpus {
  total: number;
  up: number;
  busy: number;
  held: number;
  idle: number;
  sold: number;
  down: number;
  unknown: number;
  internal: number;
  reserve: number;
  sellable: number;
  unsoldUnreserved: number;
  /** max(0, sold + reserve − up): what the clamp of `unsoldUnreserved` at 0 hides. */
  overcommitted: number;
  /** unsoldUnreserved − sellable: GPUs no whole block carries. */
  outsideBlocks: number;
}

export interface PoolRisk {
  oversold: boolean;
  shortfallGpus: number;
  firstShortfallAt: number | null;
  firstRiskAt: number | null;
}

/** What a pool's own figures give before any block is packed. */
export interface PoolFigures {
  up: number;
  internal: number;
  reserve: Reserve;
  unsoldUnreserved: number;
  /** Facility watts internal demand growing to the reserve would add at full load. */
  reservedGrowthWatts: number;
  risk: PoolRisk;
}

export interface PackedPool {
  blocks: SellableBlock[];
  gpus: number;
  /** Unrounded sums (the site adds them up before rounding). */
  watts: number;
  addedWatts: number;
  limitedBy: SellableLimit;
}

const SHORTFALL_TOLERANCE = 1e-9;

export const internalOf = (c: StateCounts): number => c.busy + c.held;
export const upOf = (c: StateCounts): number => c.busy + c.held + c.idle + c.sold;

/**
 * A pool's reserve, GPUs over it and oversold risk.
 * - reserve = ⌈peak over the horizon of the high-quantile forecast × (1 + margin) + margin GPUs⌉;
 * - oversold when sold + median forecast > up at some moment before the horizon's end: the worst
 *   excess is the shortfall, the first such moment is when (never before `nowS`).
 */
export function poolFigures(pool: PoolInput, nowS: number, horizonEnd: number, margin: SafetyMargin): PoolFigures {
  const up = upOf(pool.counts);
  const internal = internalOf(pool.counts);
  const reserve = reserveFrom(pool.forecast, { safetyMargin: margin, until: horizonEnd });
  const excess = (t: number): number => up - pool.soldGpusAt(t);
  let shortfall = 0;
  for (const [t, median] of pool.forecast.points) {
    if (t >= horizonEnd) break;
    shortfall = Math.max(shortfall, median - excess(t));
  }
  // A crossing in the forecast step that holds the report's moment is now, not the step's start
  // (a time already past), and one past the horizon is none: the shortfall ignores it too.
  const riskMoment = (t: number | null): number | null => (t === null || t >= horizonEnd ? null : Math.max(t, nowS));
  return {
    up,
    internal,
    reserve,
    unsoldUnreserved: Math.max(0, up - pool.counts.sold - reserve.gpus),
    reservedGrowthWatts: Math.max(0, reserve.gpus - internal) * pool.fullLoadWattsPerGpu,
    risk: {
      // The reserve's tolerance of float noise (forecast-reserve.ts): a flat 20 fits as 20.000000000000004.
      oversold: shortfall > SHORTFALL_TOLERANCE,
      shortfallGpus: Math.max(0, Math.ceil(shortfall - SHORTFALL_TOLERANCE)),
      firstShortfallAt: riskMoment(firstCrossing(pool.forecast, excess)),
      firstRiskAt: riskMoment(firstCrossing(pool.forecast, excess, { series: 'high' })),
    },
  };
}

/**
 * Packs a pool's pods into whole blocks: uncommitted pods of its model with every GPU up (unknown
 * is never sellable), in a hall, with no maintenance booked within the horizon, emptiest of
 * internal work first, `blockPods` pods of one hall per block, while the GPUs over the reserve
 * last and the power left carries each block's added draw at full load × PUE.
 */
export function packPool(
  pods: readonly PodView[],
  model: string | null,
  blockPods: number,
  gpuBudget: number,
  powerBudget: number,
): PackedPool {
  const candidates = pods
    .filter(
      (p) =>
        (model === null || p.model === model) &&
        !p.committed &&
        !p.maintenance &&
        p.hallId !== null &&
        p.counts.down === 0 &&
        p.counts.unknown === 0 &&
        p.counts.sold === 0,
    )
    .sort((a, b) => internalOf(a.counts) - internalOf(b.counts) || a.index - b.index);
  const blocks: SellableBlock[] = [];
  let gpus = 0;
  let watts = 0;
  let added = 0;
  let limitedBy: SellableLimit = 'blocks';
  for (const group of groupIntoBlocks(candidates, Math.max(1, blockPods))) {
    const blockGpus = group.reduce((s, p) => s + p.gpus, 0);
    const blockWatts = group.reduce((s, p) => s + p.fullLoadFacilityWatts, 0);
    const addedWatts = group.reduce((s, p) => s + Math.max(0, p.fullLoadFacilityWatts - p.facilityWatts), 0);
    if (gpus + blockGpus > gpuBudget) {
      limitedBy = 'gpus';
      break;
    }
    if (added + addedWatts > powerBudget) {
      limitedBy = 'power';
      break;
    }
    const first = group[0];
    if (!first) continue;
    blocks.push({
      id: group.map((p) => p.id).join('+'),
      hall: first.hallId,
      pods: group.map((p) => p.id),
      model: first.model,
      fabric: first.fabric,
      gpus: blockGpus,
      watts: Math.round(blockWatts),
      addedWatts: Math.round(addedWatts),
    });
    gpus += blockGpus;
    watts += blockWatts;
    added += addedWatts;
  }
  return { blocks, gpus, watts, addedWatts: added, limitedBy };
}

/**
 * Blocks of `size` candidate pods of one hall and one model (a block never mixes models, even in
 * a pool taken as the whole site), in the candidates' order of preference.
 */
function groupIntoBlocks(candidates: PodView[], size: number): PodView[][] {
  if (size === 1) return candidates.map((p) => [p]);
  const open = new Map<string, PodView[]>();
  const blocks: PodView[][] = [];
  for (const pod of candidates) {
    const key = `${pod.hallId ?? ''}\u0000${pod.model}`;
    const group = open.get(key) ?? [];
    group.push(pod);
    if (group.length === size) {
      blocks.push(group);
      open.delete(key);
    } else open.set(key, group);
  }
  return blocks;
}
