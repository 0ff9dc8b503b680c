import type { StateCounts } from '../fleet/gpu-state.js';
import {
  packPool,
  poolFigures,
  type PodView,
  type PoolGpus,
  type PoolInput,
  type PoolRisk,
  type SellableBlock,
  type SellableLimit,
} from './capacity-pool.js';
import type { Reserve, SafetyMargin } from './forecast-reserve.js';
import type { DemandForecast } from './forecast-types.js';
import type { MaintenanceWindow } from './maintenance-windows.js';

export type { PodView, PoolInput, SellableBlock } from './capacity-pool.js';

/**
 * The capacity engine: from the fleet now, a forecast of internal demand and what is sold,
 * how much can be sold without starving the owner's own work, in which whole blocks, and
 * whether what is sold already is at risk — per model pool (the owner's work may need H200s
 * back while GB200s stay free), and for the site as their sum. Pure: every input is an argument.
 */

export interface CapacityPolicy {
  margin: SafetyMargin;
  /** Pods per sellable block (default 1: the pod — one fabric unit — is the natural block). */
  blockPods: number;
  /** How far ahead sold capacity stays sold: the notice period, seconds. */
  horizonSeconds: number;
}

interface CapacityBase {
  /** The report's moment, unix seconds (fractional: the risk moments are never before it). */
  nowS: number;
  feedWatts: number;
  facilityDrawWatts: number;
  pods: PodView[];
  policy: CapacityPolicy;
}

/** The site taken as one pool (every pod, whatever its model). */
export interface CapacityInput extends CapacityBase {
  site: StateCounts;
  /** Forecast of internal demand (busy + held GPUs). */
  forecast: DemandForecast;
  /** GPUs sold at a moment (contracts start and end over the horizon). */
  soldGpusAt: (unixSeconds: number) => number;
  /** Facility watts one GPU takes at full load (node max input / GPUs × PUE). */
  fullLoadWattsPerGpu: number;
}

/** The site as model pools; the site's figures are their sums. */
export interface PooledCapacityInput extends CapacityBase {
  pools: PoolInput[];
}

/** One pool's part of the report. */
export interface PoolReport {
  model: string;
  gpus: PoolGpus;
  sellable: { blocks: SellableBlock[]; gpus: number; watts: number; addedWatts: number; limitedBy: SellableLimit };
  reserve: Reserve;
  risk: PoolRisk;
}

export interface CapacityReport {
  gpus: PoolGpus;
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
    limitedBy: SellableLimit;
    /** Pods kept out of the blocks for maintenance booked within the horizon, with the reservation. */
    outForMaintenance: Array<{ pod: string } & MaintenanceWindow>;
  };
  reserve: Reserve;
  risk: PoolRisk;
  /** Per model pool, in the order they drew on the power headroom. */
  models: PoolReport[];
}

/**
 * Computes sellable capacity and risk for the site taken as one pool (see computePooledCapacity).
 */
export function computeCapacity(input: CapacityInput): CapacityReport {
  const { site, forecast, soldGpusAt, fullLoadWattsPerGpu, ...base } = input;
  return computePooledCapacity({
    ...base,
    pools: [{ model: null, counts: site, forecast, soldGpusAt, fullLoadWattsPerGpu, valueUsdPerWattMonth: 0 }],
  });
}

/**
 * Computes sellable capacity and risk per model pool and for the site.
 *
 * Per pool (capacity-pool.ts): reserve = ⌈peak high-quantile forecast × (1 + margin) + margin
 * GPUs⌉; unsoldUnreserved = max(0, up − sold − reserve), up excluding down and unknown; blocks
 * are whole pods of the pool's model; oversold when sold + median forecast > up within the horizon.
 * Per pool and for the site, exactly: up − reserve − sold + overcommitted − outsideBlocks = sellable.
 *
 * One feed for all pools: the power budget is the site's headroom less what every pool's internal
 * demand growing to its reserve would draw (at its own full-load watts per GPU); pools draw on it
 * in falling order of `valueUsdPerWattMonth` (ties: the given order), each packing until its GPUs
 * or the power left run out.
 *
 * The site: counts, reserves, sellable GPUs and watts are the pools' sums; its blocks are the
 * pools' in drawing order; it is limited by power if any pool was, else by GPUs if any was; it is
 * oversold if any pool is, its shortfall the sum of each pool's worst, its first moments the
 * earliest. Stranded: feed no up GPU could use even at full load, or the GPUs (at the pools'
 * mean full-load watts) the feed could not carry at full load.
 */
export function computePooledCapacity(input: PooledCapacityInput): CapacityReport {
  const { policy } = input;
  const horizonEnd = input.nowS + policy.horizonSeconds;
  const margin = policy.margin;
  const figures = input.pools.map((pool) => poolFigures(pool, input.nowS, horizonEnd, margin));
  const headroomWatts = input.feedWatts - input.facilityDrawWatts;
  const reservedGrowthWatts = figures.reduce((s, f) => s + f.reservedGrowthWatts, 0);

  const order = input.pools.map((_, i) => i);
  order.sort((a, b) => (input.pools[b]?.valueUsdPerWattMonth ?? 0) - (input.pools[a]?.valueUsdPerWattMonth ?? 0) || a - b);
  let powerLeft = headroomWatts - reservedGrowthWatts;
  const models: PoolReport[] = [];
  let watts = 0;
  let addedWatts = 0;
  for (const i of order) {
    const pool = input.pools[i];
    const f = figures[i];
    if (!pool || !f) continue;
    const packed = packPool(input.pods, pool.model, policy.blockPods, f.unsoldUnreserved, powerLeft);
    powerLeft -= packed.addedWatts;
    watts += packed.watts;
    addedWatts += packed.addedWatts;
    const c = pool.counts;
    models.push({
      model: pool.model ?? input.pods[0]?.model ?? '',
      gpus: {
        total: f.up + c.down + c.unknown,
        up: f.up,
        busy: c.busy,
        held: c.held,
        idle: c.idle,
        sold: c.sold,
        down: c.down,
        unknown: c.unknown,
        internal: f.internal,
        reserve: f.reserve.gpus,
        sellable: packed.gpus,
        unsoldUnreserved: f.unsoldUnreserved,
        overcommitted: Math.max(0, c.sold + f.reserve.gpus - f.up),
        outsideBlocks: f.unsoldUnreserved - packed.gpus,
      },
      sellable: { ...packed, watts: Math.round(packed.watts), addedWatts: Math.round(packed.addedWatts) },
      reserve: f.reserve,
      risk: f.risk,
    });
  }

  const gpus = sumGpus(models.map((m) => m.gpus));
  const fullLoadAllUp = input.pools.reduce((s, p, i) => s + (figures[i]?.up ?? 0) * p.fullLoadWattsPerGpu, 0);
  // One pool: its own watts per GPU exactly (today's figure); several: their mean over the up GPUs.
  const onePool = input.pools.length === 1 ? input.pools[0] : undefined;
  const wattsPerUpGpu = onePool ? onePool.fullLoadWattsPerGpu : gpus.up > 0 ? fullLoadAllUp / gpus.up : 0;
  const limits = models.map((m) => m.sellable.limitedBy);
  const limitedBy: SellableLimit = limits.includes('power') ? 'power' : limits.includes('gpus') ? 'gpus' : 'blocks';
  return {
    gpus,
    power: {
      feedWatts: input.feedWatts,
      facilityDrawWatts: input.facilityDrawWatts,
      headroomWatts,
      reservedGrowthWatts,
      strandedWatts: Math.max(0, input.feedWatts - fullLoadAllUp),
      strandedGpus: wattsPerUpGpu > 0 ? Math.max(0, Math.ceil((fullLoadAllUp - input.feedWatts) / wattsPerUpGpu)) : 0,
    },
    sellable: {
      blocks: models.flatMap((m) => m.sellable.blocks),
      gpus: gpus.sellable,
      watts: Math.round(watts),
      addedWatts: Math.round(addedWatts),
      limitedBy,
      outForMaintenance: input.pods.flatMap((p) => (p.maintenance ? [{ pod: p.id, ...p.maintenance }] : [])),
    },
    reserve: siteReserve(models.map((m) => m.reserve)),
    risk: siteRisk(models.map((m) => m.risk)),
    models,
  };
}

function sumGpus(pools: PoolGpus[]): PoolGpus {
  const sum: PoolGpus = {
    total: 0,
    up: 0,
    busy: 0,
    held: 0,
    idle: 0,
    sold: 0,
    down: 0,
    unknown: 0,
    internal: 0,
    reserve: 0,
    sellable: 0,
    unsoldUnreserved: 0,
    overcommitted: 0,
    outsideBlocks: 0,
  };
  for (const p of pools) for (const k of Object.keys(sum) as Array<keyof PoolGpus>) sum[k] += p[k];
  return sum;
}

/** The pools' reserves summed (pools need not peak together: a safe upper bound); the peak moment of the largest. */
function siteReserve(reserves: Reserve[]): Reserve {
  const [first, ...rest] = reserves;
  if (!first) return { gpus: 0, peakHigh: 0, peakAt: 0, marginGpus: 0 };
  if (rest.length === 0) return first;
  const largest = reserves.reduce((a, b) => (b.gpus > a.gpus ? b : a));
  return {
    gpus: reserves.reduce((s, r) => s + r.gpus, 0),
    peakHigh: reserves.reduce((s, r) => s + r.peakHigh, 0),
    peakAt: largest.peakAt,
    marginGpus: reserves.reduce((s, r) => s + r.marginGpus, 0),
  };
}

function siteRisk(risks: PoolRisk[]): PoolRisk {
  const earliest = (ts: Array<number | null>): number | null =>
    ts.reduce<number | null>((a, t) => (t === null ? a : a === null ? t : Math.min(a, t)), null);
  return {
    oversold: risks.some((r) => r.oversold),
    shortfallGpus: risks.reduce((s, r) => s + r.shortfallGpus, 0),
    firstShortfallAt: earliest(risks.map((r) => r.firstShortfallAt)),
    firstRiskAt: earliest(risks.map((r) => r.firstRiskAt)),
  };
}
