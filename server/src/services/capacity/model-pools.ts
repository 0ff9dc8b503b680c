import type { PoolReport } from '../../domain/capacity/capacity.js';
import type { DemandPlan } from '../../domain/capacity/demand-plan.js';
import type { DemandForecast, ForecastPoint } from '../../domain/capacity/forecast-types.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import type { StateCounts } from '../../domain/fleet/gpu-state.js';
import { stateCountsOf, type FleetSummary } from '../../domain/fleet/summary.js';
import { podModels, type Topology } from '../../domain/fleet/topology.js';

/**
 * The site's model pools as the capacity service sees them: which pods each holds, their GPUs and
 * full-load draw, where each one's internal-demand history is stored, and the rule that splits
 * site-wide figures (plans, the scheduler's floor, a too-short history's forecast) between them.
 */

export interface ModelPool {
  model: string;
  /** Index into FleetSummary.models (topology.ts podModels order). */
  summaryIndex: number;
  pods: number[];
  gpus: number;
  fullLoadFacilityWatts: number;
  /** Rollup scope of its history: `site` for a one-model site (unplaced GPUs included), else `model:<key>`. */
  scope: string;
}

/** The pools, in podModels order; a one-model site is one pool whose history is the site's. */
export function modelPoolsOf(topology: Topology, podGpus: readonly number[], podFullLoad: readonly number[]): ModelPool[] {
  const indexes = podModels(topology);
  return indexes.map((modelIndex, summaryIndex) => {
    const model = gpuModelAt(modelIndex).key;
    const pods = topology.pods.flatMap((p, i) => (p.modelIndex === modelIndex ? [i] : []));
    return {
      model,
      summaryIndex,
      pods,
      gpus: pods.reduce((s, i) => s + (podGpus[i] ?? 0), 0),
      fullLoadFacilityWatts: pods.reduce((s, i) => s + (podFullLoad[i] ?? 0), 0),
      scope: indexes.length === 1 ? 'site' : `model:${model}`,
    };
  });
}

/** A pool's GPUs by state now: the site's on a one-pool site (unplaced GPUs count as today), else its pods' sum. */
export function poolCounts(pools: readonly ModelPool[], pool: ModelPool, summary: FleetSummary): StateCounts {
  if (pools.length === 1) return stateCountsOf(summary.site);
  const figures = summary.models[pool.summaryIndex]?.figures;
  return figures ? stateCountsOf(figures) : stateCountsOf(summary.unplaced);
}

/**
 * Each pool's share of site-wide internal demand now: its busy + held GPUs over the site's pools';
 * with no internal work anywhere, its share of the up GPUs; with none up, of all GPUs. Sums to 1.
 */
export function internalShares(counts: readonly StateCounts[], gpus: readonly number[]): number[] {
  const internal = counts.map((c) => c.busy + c.held);
  const up = counts.map((c) => c.busy + c.held + c.idle + c.sold);
  for (const basis of [internal, up, gpus]) {
    const total = basis.reduce((a, b) => a + b, 0);
    if (total > 0) return basis.map((x) => x / total);
  }
  return counts.map(() => 1 / Math.max(1, counts.length));
}

/** The forecast × share (median and high), with a note saying so; share 1 returns it unchanged. */
export function apportionForecast(forecast: DemandForecast, share: number, why: string): DemandForecast {
  if (share === 1) return forecast;
  const points = forecast.points.map(([t, m, h]): ForecastPoint => [t, m * share, h * share]);
  return { ...forecast, points, notes: [...forecast.notes, `${why}: the site's forecast × ${(share * 100).toFixed(1)} %`] };
}

/** Plans (site-wide: they name no model) × share. */
export function apportionPlans(plans: ReadonlyArray<DemandPlan>, share: number): DemandPlan[] {
  return plans.map((p) => (share === 1 ? p : { ...p, gpus: p.gpus * share }));
}

/**
 * The site's forecast as the pools' sum, point by point (they share one grid: same moment,
 * horizon and step); one pool's is itself. Basis `model` only when every pool's is.
 */
export function sumForecasts(models: readonly string[], forecasts: readonly DemandForecast[]): DemandForecast | null {
  const [first, ...rest] = forecasts;
  if (!first || rest.length === 0) return first ?? null;
  const points = first.points.map(([t], i): ForecastPoint => {
    let m = 0;
    let h = 0;
    for (const f of forecasts) {
      m += f.points[i]?.[1] ?? 0;
      h += f.points[i]?.[2] ?? 0;
    }
    return [t, m, h];
  });
  return {
    ...first,
    basis: forecasts.every((f) => f.basis === 'model') ? 'model' : 'recent-level',
    capacity: null,
    points,
    notes: forecasts.flatMap((f, i) => f.notes.map((n) => `${models[i] ?? ''}: ${n}`)),
  };
}

/**
 * The pools as GET /capacity shows them: their GPUs, how many of the site's (valued) blocks are
 * theirs with their GPUs, watts and value — whole cents summed as integers, exact to the cent —
 * and their oversold risk.
 */
export function modelViews(models: readonly PoolReport[], blocks: ReadonlyArray<{ model: string; valueUsdPerMonth: number }>) {
  return models.map((m) => ({
    model: m.model,
    gpus: m.gpus,
    sellable: {
      blocks: m.sellable.blocks.length,
      gpus: m.sellable.gpus,
      watts: m.sellable.watts,
      valueUsdPerMonth: blocks.reduce((s, b) => s + (b.model === m.model ? Math.round(b.valueUsdPerMonth * 100) : 0), 0) / 100,
    },
    risk: {
      oversold: m.risk.oversold,
      shortfallGpus: m.risk.shortfallGpus,
      firstShortfallAt: m.risk.firstShortfallAt === null ? null : new Date(Math.round(m.risk.firstShortfallAt * 1000)).toISOString(),
    },
  }));
}
