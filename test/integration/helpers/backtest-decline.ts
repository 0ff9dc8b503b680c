import type { CapacityReport } from '../../../server/src/domain/capacity/capacity.js';
import { dailyFactorAt, weeklyFactorAt } from '../../../server/src/sim/demand.js';
import { demandShareAt, trendLevelAt } from '../../../server/src/sim/simulator.js';
import {
  createSite,
  DECLINE_EVERY_MS,
  DECLINE_FROM_MS,
  DECLINE_TO_MS,
  evaluate,
  historyBefore,
  historyMsOf,
  HISTORY_MS,
  HORIZON_MS,
  HOUR_MS,
  MINUTE_MS,
  peakOver,
  sampleInternal,
  SEED,
  seriesIndex,
  STEP_MS,
  withMargin,
  type EngineOptions,
  type Series,
  type Site,
} from './backtest.js';
import { distribution, quantile, share, type Distribution } from './backtest-stats.js';

/** The decline backtest (issue 3's acceptances 1 and 2): reserve coverage and sellable error. */

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

export function runDecline(truth: DeclineTruth, options: EngineOptions = {}, times = declineEvaluationTimes()): DeclineRecord[] {
  const noSale = { gpus: 0, pods: new Set<number>() };
  const podGpus = truth.site.podGpus[0] ?? 256;
  return times.map((tMs) => {
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
export function peakResolution(
  truth: DeclineTruth,
  records: DeclineRecord[],
  limit = 12,
): { peaks: number; worstUnder: number; meanUnder: number } {
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
export function oracleDecline(
  truth: DeclineTruth,
  knows: 'shape' | 'share',
): { scale: number; relErr: Distribution; within5: number; peakCoverage: number } {
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
  const scale = quantile(
    rows.map((r) => r.truePeak / r.curvePeak),
    0.5,
  );
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
