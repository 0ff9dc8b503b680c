import type { DemandPlan } from '../../../server/src/domain/capacity/demand-plan.js';
import type { DeclineTruth } from './backtest-decline.js';
import {
  createSite,
  evaluate,
  historyBefore,
  historyMsOf,
  HORIZON_MS,
  HOUR_MS,
  REBOUND_EVERY_MS,
  REBOUND_WINDOW_MS,
  SALE_BEFORE_REBOUND_MS,
  sampleInternal,
  seriesAt,
  spliceSeries,
  STEP_MS,
  type Evaluation,
  type EngineOptions,
  type Series,
  type Site,
} from './backtest.js';
import { quantile } from './backtest-stats.js';

/** The rebound backtest (issue 3's acceptance 3): the oversold warning against the true shortfall. */

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
  everyMs = REBOUND_EVERY_MS,
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
  if (fromMs % HOUR_MS !== 0 || everyMs % HOUR_MS !== 0) throw new RangeError('evaluations are on whole hours');
  let site = truth.site;
  let seen = truth.internal;
  if (mode === 'pods') {
    site = createSite('rebound', decline.site.seed, (p, tMs) => tMs >= saleAtMs && soldPods.has(p), decline.site.topology);
    seen = spliceSeries(truth.internal, sampleInternal(site.sim, saleAtMs, toMs), saleAtMs, toMs);
  }
  const sold = { gpus: soldGpus, pods: soldPods };

  const evaluations: Evaluation[] = [];
  const optionsAt = (t: number): EngineOptions =>
    announced && t >= announced.atMs ? { ...options, plans: [...(options.plans ?? []), ...announced.plans] } : options;
  for (let t = fromMs; t <= toMs; t += everyMs) evaluations.push(evaluate(site, t, historyBefore(seen, t, historyMs), sold, optionsAt(t)));
  const upByHour = new Map(evaluations.map((e) => [e.tMs, e.report.gpus.up]));
  const medianUp = quantile([...upByHour.values()], 0.5);
  // Up at an instant is the last evaluation's at or before it (hourly: that hour's).
  const upAt = (tMs: number): number => upByHour.get(fromMs + Math.floor((tMs - fromMs) / everyMs) * everyMs) ?? medianUp;
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
