import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { computeCapacity, type CapacityReport, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import { withDemandPlans, type DemandPlan } from '../../../server/src/domain/capacity/demand-plan.js';
import { forecastDemand } from '../../../server/src/domain/capacity/forecast.js';
import type { DemandForecast, DemandSample } from '../../../server/src/domain/capacity/forecast-types.js';
import type { StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { schedulerFloor, withSchedulerFloor, type SchedulerFloor } from '../../../server/src/domain/capacity/scheduler-floor.js';
import type { Tenants } from '../../../server/src/domain/scheduler/tenants.js';
import { domainSchedulerSnapshot } from '../../../server/src/sim/scheduler-domain.js';
import { createSimulator, type ScenarioName, type Simulator, type SoldPodPredicate } from '../../../server/src/sim/simulator.js';

/**
 * Backtest of the capacity engine on the simulator, whose future is known (issue 3's acceptance):
 * the engine sees only the past (internal demand = busy + held, sampled from the simulator's
 * truth, which the collector reproduces within 1 % — ground-truth.int.test.ts), the simulator then
 * tells what the notice period really brought.
 *
 * Built as the app builds it (capacity-service.ts): 30 days of site internal demand at 15-minute
 * steps, forecast to a 90-day horizon at 1-hour steps clamped to the site's GPUs, reserve margin
 * 5 %, pods of 256 GPUs as blocks; site and pod counts and facility draw from `aggregateAt`
 * (so `up` excludes GPUs down for failures and maintenance), computeCapacity called directly.
 *
 * The history is the simulator's instants every 15 minutes; the app reads 15-minute bucket means
 * of the collector's rollups, a little smoother (so, if anything, its band is a little narrower).
 *
 * This file: the series, the site and one evaluation of the engine; the runs are in
 * backtest-decline.ts (acceptances 1 and 2) and backtest-rebound.ts (acceptance 3), the
 * statistics in backtest-stats.ts.
 *
 * Cost: one `internalDemandAt` at Colossus is ≈ 1.4 ms (15-minute steps; ≈ 3 ms at 1-hour steps,
 * where the slot memo misses), so each truth series is computed once and shared.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** The history and the truth are sampled at this step (the app reads 15-minute history). */
export const STEP_MS = 15 * MINUTE_MS;
export const HORIZON_MS = 90 * DAY_MS;
export const HISTORY_MS = 30 * DAY_MS;
export const MARGIN = 0.05;
export const SEED = 42;

/** The decline run: evaluations every 6 hours over November 2026. */
export const DECLINE_FROM_MS = Date.UTC(2026, 10, 1);
export const DECLINE_TO_MS = Date.UTC(2026, 11, 1);
export const DECLINE_EVERY_MS = 6 * HOUR_MS;

/** The rebound run: the site sells a week before the rebound, evaluations every hour ±3 days around it. */
export const SALE_BEFORE_REBOUND_MS = 7 * DAY_MS;
export const REBOUND_WINDOW_MS = 3 * DAY_MS;
export const REBOUND_EVERY_MS = HOUR_MS;

/** A series sampled at a fixed step: values[i] at startMs + i × stepMs. */
export interface Series {
  startMs: number;
  stepMs: number;
  values: Float64Array;
}

export function seriesIndex(series: Series, tMs: number): number {
  const i = (tMs - series.startMs) / series.stepMs;
  if (!Number.isInteger(i) || i < 0 || i >= series.values.length) {
    throw new RangeError(`${new Date(tMs).toISOString()} is not on the series' grid`);
  }
  return i;
}

export function seriesAt(series: Series, tMs: number): number {
  return series.values[seriesIndex(series, tMs)] ?? Number.NaN;
}

/** True internal demand (GPUs busy + held, not sold) from `fromMs` to `toMs` inclusive. */
export function sampleInternal(sim: Simulator, fromMs: number, toMs: number, stepMs = STEP_MS): Series {
  const count = Math.floor((toMs - fromMs) / stepMs) + 1;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = sim.internalDemandAt(fromMs + i * stepMs);
  return { startMs: fromMs, stepMs, values };
}

/** A series that reads `late` from `switchMs` on and `early` before it (same step, same grid). */
export function spliceSeries(early: Series, late: Series, switchMs: number, toMs: number): Series {
  const count = Math.floor((toMs - early.startMs) / early.stepMs) + 1;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t = early.startMs + i * early.stepMs;
    values[i] = t < switchMs ? seriesAt(early, t) : seriesAt(late, t);
  }
  return { startMs: early.startMs, stepMs: early.stepMs, values };
}

/** The forecast's input: the samples of (nowMs − HISTORY_MS, nowMs], as [unix seconds, GPUs]. */
export function historyBefore(series: Series, nowMs: number, historyMs = HISTORY_MS): DemandSample[] {
  const out: DemandSample[] = [];
  for (let t = nowMs - historyMs + series.stepMs; t <= nowMs; t += series.stepMs) out.push([t / 1000, seriesAt(series, t)]);
  return out;
}

export function historyMsOf(options: EngineOptions): number {
  const days = options.historyDays ?? HISTORY_MS / DAY_MS;
  // The truth series start 30 days before the first evaluation.
  if (!(days > 0 && days * DAY_MS <= HISTORY_MS)) throw new RangeError(`historyDays must be in (0, 30], got ${days}`);
  return days * DAY_MS;
}

/** The peak of a series over (fromMs, toMs], and when. */
export function peakOver(series: Series, fromMs: number, toMs: number): { value: number; atMs: number } {
  let value = Number.NEGATIVE_INFINITY;
  let atMs = Number.NaN;
  for (let i = seriesIndex(series, fromMs) + 1; i <= seriesIndex(series, toMs); i++) {
    const v = series.values[i] ?? Number.NaN;
    if (v > value) {
      value = v;
      atMs = series.startMs + i * series.stepMs;
    }
  }
  return { value, atMs };
}

/** The site as the engine needs it: the topology's fixed figures and a simulator to read counts from. */
export interface Site {
  topology: Topology;
  sim: Simulator;
  seed: number;
  totalGpus: number;
  podGpus: number[];
  podFullLoadWatts: number[];
  fullLoadWattsPerGpu: number;
}

export function createSite(
  scenario: ScenarioName,
  seed: number,
  soldPod?: SoldPodPredicate,
  // The uniform site its hand-checked figures (183,828 of 196,608 GPUs) were computed on.
  topology: Topology = buildPreset('colossus-h100'),
): Site {
  const sim = createSimulator({ topology, scenario, seed, soldPod });
  const podGpus = topology.pods.map((pod) => pod.nodes.reduce((s, n) => s + (topology.nodes[n]?.slots.length ?? 0), 0));
  const podFullLoadWatts = topology.pods.map(
    (pod) => pod.nodes.reduce((s, n) => s + (topology.nodes[n]?.maxInputWatts ?? 0), 0) * topology.site.pue,
  );
  const totalGpus = podGpus.reduce((a, b) => a + b, 0);
  const fullLoadWattsPerGpu = podFullLoadWatts.reduce((a, b) => a + b, 0) / totalGpus;
  return { topology, sim, seed, totalGpus, podGpus, podFullLoadWatts, fullLoadWattsPerGpu };
}

/** Variants measured without touching the engine: forecast options and the history's length. */
export interface EngineOptions {
  /** The forecast's band confidence (the engine's default, 0.9, when absent). */
  bandConfidence?: number;
  /** The forecast's high quantile (default 0.95; 0.5 turns the band off: the reserve is the median's peak + margin). */
  quantile?: number;
  /** Days of history the forecast is fitted on (the app's FORECAST_HISTORY_DAYS, default 30). */
  historyDays?: number;
  /** A change to the forecast emulated outside the engine (see heldRise). */
  adjust?: (forecast: DemandForecast) => DemandForecast;
  /** The owner's planned internal demand, applied as the app applies it (withDemandPlans). */
  plans?: ReadonlyArray<DemandPlan>;
  /**
   * Read the simulator's scheduler at each evaluation with these tenants and lay its floor under
   * the forecast, as the capacity service does (scheduler-floor.ts); absent: telemetry alone.
   */
  scheduler?: Tenants;
}

/** The scheduler's floor at tMs as the app builds it from a poll at tMs (the shortcut: sim/scheduler-domain.ts). */
export function floorOf(site: Site, tMs: number, tenants: Tenants): SchedulerFloor {
  const snapshot = domainSchedulerSnapshot(site.topology, site.sim.schedulerAt(tMs));
  const gpusOf = new Map(site.topology.nodes.map((n) => [n.host, n.slots.length]));
  return schedulerFloor(snapshot, tenants, { nowMs: tMs, nodeGpus: (host) => gpusOf.get(host) ?? 0 });
}

/**
 * Emulates, outside the engine, a forecast that holds a positive last-hour offset for the whole
 * horizon instead of letting it fade with the residuals' persistence (a rise above the fitted
 * curve is carried, as a rising trend is). Approximate: applied to each hourly point at its start.
 */
export function heldRise(forecast: DemandForecast): DemandForecast {
  const offset = forecast.model.recentOffset;
  const persistenceS = forecast.model.persistenceHours * 3_600;
  if (!(offset > 0) || !(persistenceS > 0)) return forecast;
  const cap = forecast.capacity ?? Number.POSITIVE_INFINITY;
  const points = forecast.points.map(([t, median, high]) => {
    const added = offset * (1 - Math.exp(-Math.max(0, t - forecast.now) / persistenceS));
    return [t, Math.min(cap, median + added), Math.min(cap, high + added)] as const;
  });
  return { ...forecast, points };
}

export interface Evaluation {
  tMs: number;
  site: StateCounts;
  forecast: DemandForecast;
  report: CapacityReport;
  /** The scheduler's floor when the engine read the scheduler (options.scheduler). */
  floor: SchedulerFloor | null;
}

/**
 * Runs the engine at tMs as the app would: forecast of the history, the site's counts and pods from
 * the simulator's rollups at tMs, `soldGpus` sold over the whole horizon on the `soldPods`.
 */
export function evaluate(
  site: Site,
  tMs: number,
  history: DemandSample[],
  sold: { gpus: number; pods: ReadonlySet<number> },
  options: EngineOptions = {},
): Evaluation {
  const nowS = tMs / 1000;
  const raw = forecastDemand(history, {
    now: nowS,
    horizonSeconds: HORIZON_MS / 1000,
    stepSeconds: 3_600,
    capacity: site.totalGpus,
    ...(options.bandConfidence === undefined ? {} : { bandConfidence: options.bandConfidence }),
    ...(options.quantile === undefined ? {} : { quantile: options.quantile }),
  });
  if (!raw) throw new Error(`no history to forecast from at ${new Date(tMs).toISOString()}`);
  const floor = options.scheduler ? floorOf(site, tMs, options.scheduler) : null;
  const forecast = withSchedulerFloor(withDemandPlans(options.adjust ? options.adjust(raw) : raw, options.plans ?? []), floor);
  const rollups = site.sim.aggregateAt(tMs);
  const siteRollup = rollups[0];
  if (!siteRollup || siteRollup.scope !== 'site') throw new Error('aggregateAt: the site rollup comes first');
  const podOffset = 1 + site.topology.halls.length;
  const pods: PodView[] = site.topology.pods.map((pod, i) => {
    const rollup = rollups[podOffset + i];
    if (!rollup || rollup.scope !== `pod:${pod.id}`) throw new Error(`aggregateAt: no rollup for pod ${pod.id}`);
    return {
      index: i,
      id: pod.id,
      hallId: site.topology.halls[pod.hallIndex]?.id ?? null,
      model: gpuModelAt(pod.modelIndex).key,
      fabric: pod.fabric,
      counts: rollup.counts,
      gpus: site.podGpus[i] ?? 0,
      facilityWatts: rollup.facilityWatts,
      fullLoadFacilityWatts: site.podFullLoadWatts[i] ?? 0,
      committed: sold.pods.has(i),
    };
  });
  const report = computeCapacity({
    nowS,
    feedWatts: site.topology.site.feedWatts,
    facilityDrawWatts: siteRollup.facilityWatts,
    site: siteRollup.counts,
    pods,
    forecast,
    soldGpusAt: () => sold.gpus,
    fullLoadWattsPerGpu: site.fullLoadWattsPerGpu,
    policy: { margin: { fraction: MARGIN }, blockPods: 1, horizonSeconds: HORIZON_MS / 1000 },
  });
  return { tMs, site: siteRollup.counts, forecast, report, floor };
}

/** ⌈x × (1 + MARGIN)⌉ with the engine's tolerance for float noise. */
export function withMargin(gpus: number): number {
  return Math.ceil(gpus * (1 + MARGIN) - 1e-9);
}
