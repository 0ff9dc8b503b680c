import type { FabricKind } from '../fleet/topology.js';
import type { StateCounts } from '../fleet/gpu-state.js';
import { firstCrossing, reserveFrom, type SafetyMargin } from './forecast-reserve.js';
import type { DemandForecast } from './forecast-types.js';
import type { MaintenanceWindow } from './maintenance-windows.js';

/**
 * The capacity engine: from the fleet now, a forecast of internal demand and what is sold,
 * how much can be sold without starving the owner's own work, in which whole blocks, and
 * whether what is sold already is at risk. Pure: every input is an argument.
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

export interface CapacityPolicy {
  margin: SafetyMargin;
  /** Pods per sellable block (default 1: the pod is the natural block). */
  blockPods: number;
  /** How far ahead sold capacity stays sold: the notice period, seconds. */
  horizonSeconds: number;
}

export interface CapacityInput {
  /** The report's moment, unix seconds (fractional: the risk moments are never before it). */
  nowS: number;
  feedWatts: number;
  facilityDrawWatts: number;
  site: StateCounts;
  pods: PodView[];
  /** Forecast of internal demand (busy + held GPUs). */
  forecast: DemandForecast;
  /** GPUs sold at a moment (contracts start and end over the horizon). */
  soldGpusAt: (unixSeconds: number) => number;
  /** Facility watts one GPU takes at full load (node max input / GPUs × PUE). */
  fullLoadWattsPerGpu: number;
  policy: CapacityPolicy;
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

export interface CapacityReport {
  gpus: {
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
    /** unsoldUnreserved − sellable: GPUs no whole block carries (see `sellableTerms`). */
    outsideBlocks: number;
  };
  power: {
    feedWatts: number;
    facilityDrawWatts: number;
    headroomWatts: number;
    reservedGrowthWatts: number;
    strandedWatts: number;
    strandedGpus: number;
  };
  sellable: {
    blocks: SellableBlock[];
    gpus: number;
    watts: number;
    /** Facility watts the blocks add to today's draw at full load (what the power headroom must carry). */
    addedWatts: number;
    /** What stopped the packing: the GPUs over the reserve, the power headroom, or no pod left to offer. */
    limitedBy: 'gpus' | 'power' | 'blocks';
    /** Pods kept out of the blocks for maintenance booked within the horizon, with the reservation. */
    outForMaintenance: Array<{ pod: string } & MaintenanceWindow>;
  };
  reserve: { gpus: number; peakHigh: number; peakAt: number; marginGpus: number };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: number | null; firstRiskAt: number | null };
}

const internalOf = (c: StateCounts): number => c.busy + c.held;
const upOf = (c: StateCounts): number => c.busy + c.held + c.idle + c.sold;

/**
 * Computes sellable capacity and risk.
 *
 * - reserve = ⌈peak over the horizon of the high-quantile forecast × (1 + margin) + margin GPUs⌉;
 * - sellable GPUs = up − sold − reserve (≥ 0), where up excludes down and unknown;
 *   exactly: up − reserve − sold + overcommitted − outsideBlocks = sellable (the dashboard's
 *   equation), where outsideBlocks are the GPUs over the reserve that no whole block carries;
 * - packaged into whole blocks of uncommitted pods with every GPU up (unknown is never
 *   sellable) and no maintenance booked within the horizon, emptiest of internal work first, while the GPUs last and the site's power
 *   headroom — less what internal demand growing to its reserve would draw — carries each block
 *   at full load × PUE;
 * - oversold when sold + median forecast > up at some moment of the horizon: the worst such
 *   excess is the shortfall, the first is when (never before `nowS`, null past the horizon);
 *   `firstRiskAt` is the same with the high quantile.
 * - stranded: feed no GPU could use even at full load, or GPUs the feed could not carry at
 *   full load.
 */
export function computeCapacity(input: CapacityInput): CapacityReport {
  const { site, policy } = input;
  const up = upOf(site);
  const internal = internalOf(site);
  const total = up + site.down + site.unknown;
  const horizonEnd = input.nowS + policy.horizonSeconds;
  const reserve = reserveFrom(input.forecast, { safetyMargin: policy.margin, until: horizonEnd });
  const unsoldUnreserved = Math.max(0, up - site.sold - reserve.gpus);

  const headroomWatts = input.feedWatts - input.facilityDrawWatts;
  const reservedGrowthWatts = Math.max(0, reserve.gpus - internal) * input.fullLoadWattsPerGpu;
  const blocks = packBlocks(input, unsoldUnreserved, headroomWatts - reservedGrowthWatts);

  const fullLoadAllUp = up * input.fullLoadWattsPerGpu;
  const strandedWatts = Math.max(0, input.feedWatts - fullLoadAllUp);
  const strandedGpus = Math.max(0, Math.ceil((fullLoadAllUp - input.feedWatts) / input.fullLoadWattsPerGpu));

  const excess = (t: number): number => up - input.soldGpusAt(t);
  let shortfall = 0;
  for (const [t, median] of input.forecast.points) {
    if (t >= horizonEnd) break;
    shortfall = Math.max(shortfall, median - excess(t));
  }
  // A crossing in the forecast step that holds the report's moment is now, not the step's start
  // (a time already past), and one past the horizon is none: the shortfall ignores it too.
  const riskMoment = (t: number | null): number | null => (t === null || t >= horizonEnd ? null : Math.max(t, input.nowS));
  const firstShortfallAt = riskMoment(firstCrossing(input.forecast, excess));
  return {
    gpus: {
      total,
      up,
      busy: site.busy,
      held: site.held,
      idle: site.idle,
      sold: site.sold,
      down: site.down,
      unknown: site.unknown,
      internal,
      reserve: reserve.gpus,
      sellable: blocks.gpus,
      unsoldUnreserved,
      overcommitted: Math.max(0, site.sold + reserve.gpus - up),
      outsideBlocks: unsoldUnreserved - blocks.gpus,
    },
    power: {
      feedWatts: input.feedWatts,
      facilityDrawWatts: input.facilityDrawWatts,
      headroomWatts,
      reservedGrowthWatts,
      strandedWatts,
      strandedGpus,
    },
    sellable: blocks,
    reserve,
    risk: {
      oversold: shortfall > 0,
      shortfallGpus: Math.ceil(Math.max(0, shortfall)),
      firstShortfallAt,
      firstRiskAt: riskMoment(firstCrossing(input.forecast, excess, { series: 'high' })),
    },
  };
}

function packBlocks(input: CapacityInput, gpuBudget: number, powerBudget: number): CapacityReport['sellable'] {
  const candidates = input.pods
    .filter(
      (p) => !p.committed && !p.maintenance && p.hallId !== null && p.counts.down === 0 && p.counts.unknown === 0 && p.counts.sold === 0,
    )
    .sort((a, b) => internalOf(a.counts) - internalOf(b.counts) || a.index - b.index);
  const groups = groupIntoBlocks(candidates, Math.max(1, input.policy.blockPods));
  const blocks: SellableBlock[] = [];
  let gpus = 0;
  let watts = 0;
  let added = 0;
  let limitedBy: CapacityReport['sellable']['limitedBy'] = 'blocks';
  for (const group of groups) {
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
  const outForMaintenance = input.pods.flatMap((p) => (p.maintenance ? [{ pod: p.id, ...p.maintenance }] : []));
  return { blocks, gpus, watts: Math.round(watts), addedWatts: Math.round(added), limitedBy, outForMaintenance };
}

/** Blocks of `size` candidate pods of one hall, in the candidates' order of preference. */
function groupIntoBlocks(candidates: PodView[], size: number): PodView[][] {
  if (size === 1) return candidates.map((p) => [p]);
  const open = new Map<string, PodView[]>();
  const blocks: PodView[][] = [];
  for (const pod of candidates) {
    const hall = pod.hallId ?? '';
    const group = open.get(hall) ?? [];
    group.push(pod);
    if (group.length === size) {
      blocks.push(group);
      open.delete(hall);
    } else open.set(hall, group);
  }
  return blocks;
}
