import { computeCapacity, type CapacityReport, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import { withDemandPlans, type DemandPlan } from '../../../server/src/domain/capacity/demand-plan.js';
import { forecastDemand } from '../../../server/src/domain/capacity/forecast.js';
import type { DemandForecast, DemandSample } from '../../../server/src/domain/capacity/forecast-types.js';
import type { StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { dailyFactorAt, weeklyFactorAt } from '../../../server/src/sim/demand.js';
import { createSimulator, demandShareAt, trendLevelAt, type ScenarioName, type Simulator, type SoldPodPredicate } from '../../../server/src/sim/simulator.js';

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

function historyMsOf(options: EngineOptions): number {
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
    if (v > value) (value = v), (atMs = series.startMs + i * series.stepMs);
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

export function createSite(scenario: ScenarioName, seed: number, soldPod?: SoldPodPredicate, topology: Topology = buildPreset('colossus')): Site {
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
  const forecast = withDemandPlans(options.adjust ? options.adjust(raw) : raw, options.plans ?? []);
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
  return { tMs, site: siteRollup.counts, forecast, report };
}

/** ⌈x × (1 + MARGIN)⌉ with the engine's tolerance for float noise. */
export function withMargin(gpus: number): number {
  return Math.ceil(gpus * (1 + MARGIN) - 1e-9);
}

// ---------------------------------------------------------------------------------------------
// Decline: reserve coverage and sellable error.

export interface DeclineRecord {
  tMs: number;
  up: number;
  internalNow: number;
  reserve: number;
  /** Peaks over the horizon of the forecast's high quantile and of its median. */
  peakHigh: number;
  peakMedian: number;
  /** True peak of internal demand over (t, t + 90 days], 15-minute instants. */
  truePeak: number;
  truePeakAtMs: number;
  /** reserve ≥ true peak of the notice period. */
  coversPeak: boolean;
  /** (evaluation, future 15-minute instant) pairs with reserve ≥ true demand, and all pairs. */
  pairsCovered: number;
  pairs: number;
  /** up − sold − ⌈true peak × (1 + margin)⌉, GPUs. */
  trueUnused: number;
  unsoldUnreserved: number;
  /** (unsoldUnreserved − trueUnused) / trueUnused. */
  relErr: number;
  /** The same error as a share of the up GPUs. */
  errOfUp: number;
  /** What the engine packs (whole pods, power headroom permitting) and the truth in whole pods. */
  sellable: number;
  limitedBy: CapacityReport['sellable']['limitedBy'];
  trueSellablePods: number;
  relErrPods: number;
}

export interface DeclineTruth {
  site: Site;
  /** True internal demand, 15-minute steps, from 30 days before the first evaluation to 90 days after the last. */
  internal: Series;
}

export function declineTruth(seed = SEED): DeclineTruth {
  const site = createSite('decline', seed);
  return { site, internal: sampleInternal(site.sim, DECLINE_FROM_MS - HISTORY_MS, DECLINE_TO_MS + HORIZON_MS) };
}

export function declineEvaluationTimes(): number[] {
  const times: number[] = [];
  for (let t = DECLINE_FROM_MS; t <= DECLINE_TO_MS; t += DECLINE_EVERY_MS) times.push(t);
  return times;
}

/** up − sold − ⌈peak × (1 + margin)⌉: what could be sold had the peak been known. */
export function unusedGiven(up: number, sold: number, peak: number): number {
  return Math.max(0, up - sold - withMargin(peak));
}

export function runDecline(truth: DeclineTruth, options: EngineOptions = {}): DeclineRecord[] {
  const noSale = { gpus: 0, pods: new Set<number>() };
  const podGpus = truth.site.podGpus[0] ?? 256;
  return declineEvaluationTimes().map((tMs) => {
    const { report, site, forecast } = evaluate(truth.site, tMs, historyBefore(truth.internal, tMs, historyMsOf(options)), noSale, options);
    const end = tMs + HORIZON_MS;
    const peak = peakOver(truth.internal, tMs, end);
    let pairsCovered = 0;
    let pairs = 0;
    for (let i = seriesIndex(truth.internal, tMs) + 1; i <= seriesIndex(truth.internal, end); i++) {
      pairs++;
      if (report.gpus.reserve >= (truth.internal.values[i] ?? Number.POSITIVE_INFINITY)) pairsCovered++;
    }
    let peakMedian = 0;
    for (const [t, median] of forecast.points) if (t < end / 1000) peakMedian = Math.max(peakMedian, median);
    const up = report.gpus.up;
    const trueUnused = unusedGiven(up, site.sold, peak.value);
    const trueSellablePods = Math.floor(trueUnused / podGpus) * podGpus;
    return {
      tMs,
      up,
      internalNow: report.gpus.internal,
      reserve: report.gpus.reserve,
      peakHigh: report.reserve.peakHigh,
      peakMedian,
      truePeak: peak.value,
      truePeakAtMs: peak.atMs,
      coversPeak: report.gpus.reserve >= peak.value,
      pairsCovered,
      pairs,
      trueUnused,
      unsoldUnreserved: report.gpus.unsoldUnreserved,
      relErr: (report.gpus.unsoldUnreserved - trueUnused) / trueUnused,
      errOfUp: (report.gpus.unsoldUnreserved - trueUnused) / up,
      sellable: report.gpus.sellable,
      limitedBy: report.sellable.limitedBy,
      trueSellablePods,
      relErrPods: (report.gpus.sellable - trueSellablePods) / trueSellablePods,
    };
  });
}

export interface DeclineSummary {
  evaluations: number;
  /** Share of evaluations whose reserve ≥ the true peak of the next 90 days. */
  peakCoverage: number;
  /** Share of (evaluation, future 15-minute instant) pairs with reserve ≥ true demand. */
  pairCoverage: number;
  /** Largest true peak − reserve, GPUs (< 0: every reserve covered its peak, by at least that much). */
  worstUncoveredGpus: number;
  /** Reserve over the true peak, and the forecast median's peak over it, as shares of the true peak. */
  reserveExcess: Distribution;
  medianPeakExcess: Distribution;
  relErr: Distribution;
  /** Share of evaluations with |relErr| ≤ 5 %. */
  within5: number;
  errOfUp: Distribution;
  within5OfUp: number;
  relErrPods: Distribution;
  within5Pods: number;
  limitedBy: Record<string, number>;
}

export function summarizeDecline(records: DeclineRecord[]): DeclineSummary {
  const limitedBy: Record<string, number> = {};
  for (const r of records) limitedBy[r.limitedBy] = (limitedBy[r.limitedBy] ?? 0) + 1;
  return {
    evaluations: records.length,
    peakCoverage: share(records, (r) => r.coversPeak),
    pairCoverage: records.reduce((s, r) => s + r.pairsCovered, 0) / records.reduce((s, r) => s + r.pairs, 0),
    worstUncoveredGpus: Math.max(...records.map((r) => r.truePeak - r.reserve)),
    reserveExcess: distribution(records.map((r) => (r.reserve - r.truePeak) / r.truePeak)),
    medianPeakExcess: distribution(records.map((r) => (r.peakMedian - r.truePeak) / r.truePeak)),
    relErr: distribution(records.map((r) => r.relErr)),
    within5: share(records, (r) => Math.abs(r.relErr) <= 0.05),
    errOfUp: distribution(records.map((r) => r.errOfUp)),
    within5OfUp: share(records, (r) => Math.abs(r.errOfUp) <= 0.05),
    relErrPods: distribution(records.map((r) => r.relErrPods)),
    within5Pods: share(records, (r) => Math.abs(r.relErrPods) <= 0.05),
    limitedBy,
  };
}

/**
 * How much the 15-minute grid understates the true peaks: around each distinct grid peak of the
 * records, the simulator read every minute for an hour either side (at most `limit` peaks).
 */
export function peakResolution(truth: DeclineTruth, records: DeclineRecord[], limit = 12): { peaks: number; worstUnder: number; meanUnder: number } {
  const peaks = [...new Map(records.map((r) => [r.truePeakAtMs, r.truePeak])).entries()].slice(0, limit);
  const under = peaks.map(([atMs, gridPeak]) => {
    let fine = gridPeak;
    for (let t = atMs - HOUR_MS; t <= atMs + HOUR_MS; t += MINUTE_MS) fine = Math.max(fine, truth.site.sim.internalDemandAt(t));
    return (fine - gridPeak) / gridPeak;
  });
  return { peaks: peaks.length, worstUnder: Math.max(...under), meanUnder: under.reduce((x, y) => x + y, 0) / under.length };
}

/**
 * The best any forecast of this demand could do: a reserve from the scenario's own demand curve
 * over the notice period, scaled by the one factor that, in hindsight, centres it on the true
 * peaks (the median of true peak / curve peak), + margin. `shape` knows the level, daily and
 * weekly shape but not the slow noise; `share` knows D(t) with its noise too, and misses only
 * which pods and nodes the owner's scheduler happened to fill.
 */
export function oracleDecline(truth: DeclineTruth, knows: 'shape' | 'share'): { scale: number; relErr: Distribution; within5: number; peakCoverage: number } {
  const { params } = truth.site.sim;
  const total = truth.site.totalGpus;
  const curve = (tMs: number): number =>
    knows === 'share'
      ? demandShareAt('decline', params, truth.site.seed, tMs)
      : trendLevelAt('decline', params, tMs) * dailyFactorAt(params, tMs) * weeklyFactorAt(params, tMs);
  const times = declineEvaluationTimes();
  const rows = times.map((tMs) => {
    let curvePeak = 0;
    for (let t = tMs + STEP_MS; t <= tMs + HORIZON_MS; t += STEP_MS) curvePeak = Math.max(curvePeak, curve(t) * total);
    return { curvePeak, truePeak: peakOver(truth.internal, tMs, tMs + HORIZON_MS).value, up: truth.site.sim.aggregateAt(tMs)[0]?.counts };
  });
  const scale = quantile(rows.map((r) => r.truePeak / r.curvePeak), 0.5);
  const errors = rows.map((r) => {
    const c = r.up ?? { busy: 0, held: 0, idle: 0, sold: 0, down: 0, unknown: 0 };
    const up = c.busy + c.held + c.idle + c.sold;
    const truthUnused = unusedGiven(up, c.sold, r.truePeak);
    return (unusedGiven(up, c.sold, r.curvePeak * scale) - truthUnused) / truthUnused;
  });
  return {
    scale,
    relErr: distribution(errors),
    within5: share(errors, (e) => Math.abs(e) <= 0.05),
    peakCoverage: share(rows, (r) => withMargin(r.curvePeak * scale) >= r.truePeak),
  };
}

// ---------------------------------------------------------------------------------------------
// Rebound: the oversold warning against the true shortfall.

export interface ReboundTruth {
  decline: DeclineTruth;
  /** The rebound scenario with nothing sold. */
  site: Site;
  /** The owner's true internal demand in `rebound` with nothing sold (what it wants, placed or not). */
  internal: Series;
  reboundAtMs: number;
}

/**
 * The rebound scenario is the decline until `reboundAtMs` (same seed, same slots: a slot's draw
 * reads demand at its start), so its truth is the decline's before it and sampled anew after.
 */
export function reboundTruth(decline: DeclineTruth): ReboundTruth {
  const site = createSite('rebound', decline.site.seed, undefined, decline.site.topology);
  const reboundAtMs = site.sim.params.reboundAtMs;
  const toMs = reboundAtMs + REBOUND_WINDOW_MS + HORIZON_MS;
  const after = sampleInternal(site.sim, reboundAtMs, toMs);
  return { decline, site, internal: spliceSeries(decline.internal, after, reboundAtMs, toMs), reboundAtMs };
}

/**
 * How the sale is made: `pods` sells the blocks in the simulator too (its soldPod hook), so the
 * owner's work cannot land on them and the site shows internal demand capped by the unsold pods,
 * as the collector would; `paper` only books the GPUs (constant soldGpusAt and the pods
 * committed) while the simulator runs unsold, so the engine sees the owner's full demand.
 */
export type SaleMode = 'pods' | 'paper';

export interface ReboundRecord {
  tMs: number;
  up: number;
  /** Internal demand the engine's site shows at t (busy + held). */
  seenInternal: number;
  reserve: number;
  oversold: boolean;
  shortfallGpus: number;
  firstShortfallAtMs: number | null;
  firstRiskAtMs: number | null;
  /** max over (t, t + 90 d] of sold + true internal − up. */
  trueWorstShortfall: number;
}

export interface ReboundRun {
  mode: SaleMode;
  saleAtMs: number;
  soldGpus: number;
  soldPods: number;
  records: ReboundRecord[];
  /** First 15-minute instant where sold + true internal demand > up (null if none within the truth). */
  trueFirstShortfallMs: number | null;
  /** First evaluation reporting risk.oversold (median), and the first with a high-quantile crossing. */
  firstOversoldMs: number | null;
  firstRiskMs: number | null;
  /** Lead of those first reports over the true shortfall, hours (negative: late). */
  leadHours: number | null;
  riskLeadHours: number | null;
  /** The engine's shortfall at its first oversold report, the truth over that notice period, and the error. */
  reportedAtWarning: number | null;
  trueWorstAtWarning: number | null;
  errAtWarning: number | null;
  /** The largest shortfall reported by an evaluation before the true shortfall, its truth and error. */
  maxReportedBeforeTruth: number;
  trueWorstBeforeTruth: number | null;
  errMaxBeforeTruth: number | null;
  /** The largest shortfall reported in the whole window (to 3 days after the rebound). */
  maxReported: number;
  /** The first evaluation whose reported shortfall is within 10 % of its truth. */
  firstWithin10Ms: number | null;
}

/**
 * The site sells what the engine called sellable a week before the rebound (its blocks, whole
 * pods, sold from then on for longer than the notice period: soldGpusAt is constant; `saleOptions`
 * when the sale is decided by another engine variant than the warnings); then the engine is asked every hour from 3 days before to 3 days after the rebound. The truth it is
 * judged against is what the owner wants: the rebound scenario with nothing sold. True up at an
 * hour = the engine's up at that hour's evaluation (196,608 − down); past the window, its median.
 */
/** Plans the owner enters at `atMs` (after the sale): evaluations from then on apply them. */
export interface AnnouncedPlans {
  atMs: number;
  plans: DemandPlan[];
}

export function runRebound(
  truth: ReboundTruth,
  mode: SaleMode,
  options: EngineOptions = {},
  saleOptions: EngineOptions = options,
  announced: AnnouncedPlans | null = null,
): ReboundRun {
  const { decline, reboundAtMs } = truth;
  const historyMs = historyMsOf(options);
  const saleAtMs = reboundAtMs - SALE_BEFORE_REBOUND_MS;
  // Before the rebound the rebound scenario is the decline: the sale is decided on the decline's truth.
  const saleHistory = historyBefore(decline.internal, saleAtMs, historyMsOf(saleOptions));
  const sale = evaluate(decline.site, saleAtMs, saleHistory, { gpus: 0, pods: new Set() }, saleOptions);
  const podIndex = new Map(decline.site.topology.pods.map((p, i) => [p.id, i]));
  const soldPods = new Set<number>(sale.report.sellable.blocks.flatMap((b) => b.pods.map((id) => podIndex.get(id) ?? -1)));
  const soldGpus = sale.report.gpus.sellable;
  const fromMs = reboundAtMs - REBOUND_WINDOW_MS;
  const toMs = reboundAtMs + REBOUND_WINDOW_MS;
  let site = truth.site;
  let seen = truth.internal;
  if (mode === 'pods') {
    site = createSite('rebound', decline.site.seed, (p, tMs) => tMs >= saleAtMs && soldPods.has(p), decline.site.topology);
    seen = spliceSeries(truth.internal, sampleInternal(site.sim, saleAtMs, toMs), saleAtMs, toMs);
  }
  const sold = { gpus: soldGpus, pods: soldPods };

  const evaluations: Evaluation[] = [];
  const optionsAt = (t: number): EngineOptions => (announced && t >= announced.atMs ? { ...options, plans: [...(options.plans ?? []), ...announced.plans] } : options);
  for (let t = fromMs; t <= toMs; t += REBOUND_EVERY_MS) evaluations.push(evaluate(site, t, historyBefore(seen, t, historyMs), sold, optionsAt(t)));
  const upByHour = new Map(evaluations.map((e) => [e.tMs, e.report.gpus.up]));
  const medianUp = quantile([...upByHour.values()], 0.5);
  const upAt = (tMs: number): number => upByHour.get(Math.floor(tMs / HOUR_MS) * HOUR_MS) ?? medianUp;
  const trueShortfallAt = (tMs: number): number => soldGpus + seriesAt(truth.internal, tMs) - upAt(tMs);
  const worstOver = (fromT: number): number => {
    let worst = Number.NEGATIVE_INFINITY;
    for (let t = fromT + STEP_MS; t <= fromT + HORIZON_MS; t += STEP_MS) worst = Math.max(worst, trueShortfallAt(t));
    return worst;
  };

  let trueFirstShortfallMs: number | null = null;
  const lastMs = truth.internal.startMs + (truth.internal.values.length - 1) * STEP_MS;
  for (let t = saleAtMs; t <= lastMs; t += STEP_MS) {
    if (trueShortfallAt(t) > 0) {
      trueFirstShortfallMs = t;
      break;
    }
  }
  const records: ReboundRecord[] = evaluations.map((e) => ({
    tMs: e.tMs,
    up: e.report.gpus.up,
    seenInternal: e.report.gpus.internal,
    reserve: e.report.gpus.reserve,
    oversold: e.report.risk.oversold,
    shortfallGpus: e.report.risk.shortfallGpus,
    firstShortfallAtMs: e.report.risk.firstShortfallAt === null ? null : e.report.risk.firstShortfallAt * 1000,
    firstRiskAtMs: e.report.risk.firstRiskAt === null ? null : e.report.risk.firstRiskAt * 1000,
    trueWorstShortfall: worstOver(e.tMs),
  }));
  const firstOversold = records.find((r) => r.oversold) ?? null;
  const firstRisk = records.find((r) => r.firstRiskAtMs !== null) ?? null;
  const lead = (r: ReboundRecord | null): number | null =>
    r === null || trueFirstShortfallMs === null ? null : (trueFirstShortfallMs - r.tMs) / HOUR_MS;
  const relative = (r: ReboundRecord): number => (r.shortfallGpus - r.trueWorstShortfall) / r.trueWorstShortfall;
  const before = records.filter((r) => trueFirstShortfallMs === null || r.tMs < trueFirstShortfallMs);
  const maxBefore = before.reduce<ReboundRecord | null>((m, r) => (m === null || r.shortfallGpus > m.shortfallGpus ? r : m), null);
  return {
    mode,
    saleAtMs,
    soldGpus,
    soldPods: soldPods.size,
    records,
    trueFirstShortfallMs,
    firstOversoldMs: firstOversold?.tMs ?? null,
    firstRiskMs: firstRisk?.tMs ?? null,
    leadHours: lead(firstOversold),
    riskLeadHours: lead(firstRisk),
    reportedAtWarning: firstOversold?.shortfallGpus ?? null,
    trueWorstAtWarning: firstOversold?.trueWorstShortfall ?? null,
    errAtWarning: firstOversold ? relative(firstOversold) : null,
    maxReportedBeforeTruth: maxBefore?.shortfallGpus ?? 0,
    trueWorstBeforeTruth: maxBefore?.trueWorstShortfall ?? null,
    errMaxBeforeTruth: maxBefore ? relative(maxBefore) : null,
    maxReported: Math.max(0, ...records.map((r) => r.shortfallGpus)),
    firstWithin10Ms: records.find((r) => r.oversold && Math.abs(relative(r)) <= 0.1)?.tMs ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics.

export interface Distribution {
  min: number;
  p5: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
  mean: number;
  meanAbs: number;
}

/** Linear-interpolation quantile of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

export function distribution(values: readonly number[]): Distribution {
  return {
    min: Math.min(...values),
    p5: quantile(values, 0.05),
    p25: quantile(values, 0.25),
    median: quantile(values, 0.5),
    p75: quantile(values, 0.75),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    meanAbs: values.reduce((s, v) => s + Math.abs(v), 0) / values.length,
  };
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / items.length;
}

export const iso = (tMs: number | null): string => (tMs === null ? '—' : new Date(tMs).toISOString().slice(0, 16) + 'Z');
export const pct = (x: number | null, digits = 1): string => (x === null || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(digits)} %`);
