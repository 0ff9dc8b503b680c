import { beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_MS,
  DECLINE_FROM_MS,
  evaluate as evaluateEngine,
  historyBefore,
  HORIZON_MS,
  HOUR_MS,
  REBOUND_WINDOW_MS,
  seriesAt,
  STEP_MS,
} from './helpers/backtest.js';
import {
  declineEvaluationTimes,
  declineTruth,
  oracleDecline,
  runDecline,
  summarizeDecline,
  type DeclineRecord,
  type DeclineSummary,
  type DeclineTruth,
} from './helpers/backtest-decline.js';
import { reboundTruth, runRebound, type ReboundRecord, type ReboundRun, type ReboundTruth } from './helpers/backtest-rebound.js';
import type { CapacityReport } from '../../server/src/domain/capacity/capacity.js';
import type { DemandPlan } from '../../server/src/domain/capacity/demand-plan.js';
import { demandPlanOf } from '../../server/src/domain/capacity/demand-plan-terms.js';
import { demoPlans } from '../../server/src/sim/demo-plans.js';
import type { AlertState } from '../../server/src/domain/alerts/alert-state.js';
import { DEFAULT_ALERT_RULES } from '../../server/src/domain/alerts/default-rules.js';
import { evaluateAlerts } from '../../server/src/domain/alerts/evaluate.js';
import type { AlertFigures } from '../../server/src/domain/alerts/figures.js';
import { planNotifications, type NotifyGroup } from '../../server/src/domain/alerts/plan.js';
import type { Receiver } from '../../server/src/domain/alerts/receiver.js';
import { simTenants } from '../../server/src/sim/sim-tenants.js';

/**
 * Issue 3's backtest acceptance, on the simulator (colossus preset, seed 42), whose future is
 * known. The engine runs as the app runs it (30 days of internal demand at 15 min, 90-day
 * horizon, reserve margin 5 %, whole pods), at its defaults; the figures, and the same runs with
 * other forecast options, are printed by `node --import tsx test/bench/backtest.manual.ts`.
 *
 * Acceptances the engine does not meet at its defaults are written as `it.fails` with the
 * acceptance's own assertion: they document the gap, and turn red once it closes, to be flipped.
 */

let decline: DeclineTruth;
let records: DeclineRecord[];
let summary: DeclineSummary;
let rebound: ReboundTruth;
let soldPods: ReboundRun;
let soldOnPaper: ReboundRun;
/** The same sale, and the owner enters its comeback as a plan two days before it (the app's demo plan in `rebound`). */
let plan: DemandPlan;
let plannedPods: ReboundRun;
let plannedOnPaper: ReboundRun;
const PLAN_LEAD_MS = 2 * DAY_MS;
/**
 * Issue 18: the engine also reads the simulator's scheduler at each evaluation (its queue and
 * reservations as a floor, scheduler-floor.ts), with the simulated site's tenants. Every 3 hours,
 * not every hour: the simulated scheduler costs ≈ 0.4 s a read at Colossus.
 */
const WITH_SCHEDULER = { scheduler: simTenants([]) };
const SCHEDULER_EVERY_MS = 3 * HOUR_MS;
let schedulerPods: ReboundRun;
let schedulerOnPaper: ReboundRun;
/** The decline with the scheduler, once a day (every fourth evaluation), and the same days without. */
let declineWithScheduler: DeclineSummary;
let declineDaily: DeclineSummary;

beforeAll(() => {
  decline = declineTruth();
  records = runDecline(decline);
  summary = summarizeDecline(records);
  rebound = reboundTruth(decline);
  soldPods = runRebound(rebound, 'pods');
  soldOnPaper = runRebound(rebound, 'paper');
  const [demo] = demoPlans('rebound', rebound.site.sim.params, rebound.site.totalGpus);
  if (!demo) throw new Error('the rebound scenario has no demo plan');
  plan = demandPlanOf(demo);
  const announced = { atMs: rebound.reboundAtMs - PLAN_LEAD_MS, plans: [plan] };
  plannedPods = runRebound(rebound, 'pods', {}, {}, announced);
  plannedOnPaper = runRebound(rebound, 'paper', {}, {}, announced);
  // ≈ 110 s alone; the machine the suite runs on may be shared.
}, 300_000);

beforeAll(() => {
  schedulerPods = runRebound(rebound, 'pods', WITH_SCHEDULER, WITH_SCHEDULER, null, SCHEDULER_EVERY_MS);
  schedulerOnPaper = runRebound(rebound, 'paper', WITH_SCHEDULER, WITH_SCHEDULER, null, SCHEDULER_EVERY_MS);
  const daily = declineEvaluationTimes().filter((_, i) => i % 4 === 0);
  declineWithScheduler = summarizeDecline(runDecline(decline, WITH_SCHEDULER, daily));
  declineDaily = summarizeDecline(runDecline(decline, {}, daily));
}, 300_000);

describe('backtest truth', () => {
  it('is the simulator’s own: rollups agree with its telemetry, internalDemandAt with its allocation, and rebound is the decline until it rebounds', () => {
    const sim = decline.site.sim;
    sim.advance(DECLINE_FROM_MS);
    const counts = sim.aggregateAt(DECLINE_FROM_MS)[0]?.counts;
    const seen = sim.truthCounts();
    // Rollups are what telemetry shows (a job without a process reads idle, an orphan process held)…
    expect(counts && counts.busy + counts.held).toBe(seen.busy + seen.held);
    // …internal demand is what the scheduler allocates to the owner's jobs.
    const { internal } = sim.allocationTruth();
    expect(internal.busy + internal.held).toBe(seriesAt(decline.internal, DECLINE_FROM_MS));
    for (const before of [STEP_MS, 6 * 3_600_000, 3 * DAY_MS]) {
      const t = rebound.reboundAtMs - before;
      expect(rebound.site.sim.internalDemandAt(t)).toBe(seriesAt(decline.internal, t));
    }
    // After it, demand comes back (to 85 % of the site, from 55 %).
    const t = rebound.reboundAtMs + 2 * DAY_MS;
    expect(seriesAt(rebound.internal, t)).toBeGreaterThan(seriesAt(decline.internal, t) * 1.3);
  });
});

describe('acceptance 1: over a 30-day decline the reserve covers the next notice period’s true internal demand ≥ 95 % of the time', () => {
  it('asserts the strict reading: reserve ≥ the true peak of the following 90 days, per evaluation', () => {
    expect(records).toHaveLength(declineEvaluationTimes().length);
    expect(records.length).toBe(121);
    // Measured: 100 % (the smallest reserve is 9,583 GPUs above its true peak).
    expect(summary.peakCoverage).toBeGreaterThanOrEqual(0.95);
  });

  it('and so the loose one: reserve ≥ true demand for (evaluation, future 15-minute instant) pairs', () => {
    expect(summary.pairCoverage).toBeGreaterThanOrEqual(Math.max(0.95, summary.peakCoverage));
  });
});

describe('acceptance 2: sellable within 5 % of the true unused capacity minus the margin', () => {
  // Truth, GPUs: up − sold − ⌈true 90-day peak × 1.05⌉; the engine's: unsoldUnreserved (up − sold − reserve).
  it.fails('KNOWN GAP: unsoldUnreserved within 5 % of the truth at every evaluation (measured: none; median −26 %)', () => {
    expect(summary.relErr.min).toBeGreaterThanOrEqual(-0.05);
    expect(summary.relErr.max).toBeLessThanOrEqual(0.05);
  });

  it.fails('KNOWN GAP: the same in whole pods, sellable against ⌊truth / 256⌋ pods', () => {
    expect(summary.within5Pods).toBe(1);
  });

  it('errs on the safe side: never offers more than the truth (the band is what it gives up)', () => {
    expect(summary.relErr.max).toBeLessThan(0);
    expect(summary.relErrPods.max).toBeLessThan(0);
    // The median forecast centres on the true peak; the reserve's excess is the high band.
    expect(Math.abs(summary.medianPeakExcess.median)).toBeLessThan(0.02);
    expect(summary.reserveExcess.min).toBeGreaterThan(0.05);
  });

  it('cannot be met at every evaluation by any forecast: the scenario’s own curve, scaled in hindsight, is within 5 % at under 80 %', () => {
    // The slow noise (±3 % of the site) and which pods the scheduler fills move the 90-day
    // peak by ±4–5 %: 6–9k GPUs, 10–25 % of what is sellable.
    const oracle = oracleDecline(decline, 'shape');
    expect(oracle.peakCoverage).toBe(1);
    expect(oracle.within5).toBeLessThan(0.8);
  });
});

describe('issue 18, decline with the scheduler: its floor keeps the reserve’s coverage and does not narrow the band', () => {
  it('covers the next notice period’s true peak at ≥ 95 % of the daily evaluations, as without it', () => {
    expect(declineWithScheduler.evaluations).toBe(31);
    expect(declineWithScheduler.peakCoverage).toBeGreaterThanOrEqual(0.95);
    expect(declineWithScheduler.peakCoverage).toBeGreaterThanOrEqual(declineDaily.peakCoverage);
    console.info(
      `decline, median of (sellable − true unused) / true unused at daily evaluations: ${(declineWithScheduler.relErr.median * 100).toFixed(1)} % with the scheduler, ` +
        `${(declineDaily.relErr.median * 100).toFixed(1)} % without (all 121 evaluations, without: ${(summary.relErr.median * 100).toFixed(1)} %)`,
    );
  });

  it('a floor only raises the forecast: with it the unreserved capacity is never larger', () => {
    expect(declineWithScheduler.relErr.max).toBeLessThanOrEqual(declineDaily.relErr.max);
    expect(declineWithScheduler.relErr.median).toBeLessThanOrEqual(declineDaily.relErr.median);
  });
});

describe('acceptance 3: in rebound, oversold risk is reported before the shortfall happens, within 10 % of the true shortfall (telemetry alone, and with the scheduler)', () => {
  it('is set up to matter: the site sold what the engine called sellable, and the true shortfall falls in the window', () => {
    for (const run of [soldPods, soldOnPaper]) {
      expect(run.soldGpus).toBeGreaterThan(40_000);
      expect(run.trueFirstShortfallMs).not.toBeNull();
      expect(run.trueFirstShortfallMs ?? 0).toBeGreaterThan(rebound.reboundAtMs);
      expect(run.trueFirstShortfallMs ?? Infinity).toBeLessThan(rebound.reboundAtMs + REBOUND_WINDOW_MS);
      expect(run.records[0]?.oversold).toBe(false);
    }
  });

  it('the high-quantile early warning (firstRiskAt) comes before the true first shortfall', () => {
    // Measured: 2 h ahead, whether the pods are sold in the simulator or only on paper.
    expect(soldPods.riskLeadHours ?? -1).toBeGreaterThan(0);
    expect(soldOnPaper.riskLeadHours ?? -1).toBeGreaterThan(0);
  });

  it('from telemetry and the scheduler (no plan): risk.oversold is reported at least 24 h before the true first shortfall (from telemetry alone it was late)', () => {
    // Measured: 96 h ahead, pods sold or on paper: the run is queued four days and reserved three days ahead.
    for (const run of [schedulerPods, schedulerOnPaper]) {
      expect(run.soldGpus).toBeGreaterThan(40_000);
      expect(run.trueFirstShortfallMs ?? 0).toBeGreaterThan(rebound.reboundAtMs);
      expect(run.leadHours ?? -1).toBeGreaterThanOrEqual(24);
    }
    console.info(
      `rebound oversold lead, h: with the scheduler ${schedulerPods.leadHours} (pods sold), ${schedulerOnPaper.leadHours} (on paper); ` +
        `from telemetry alone ${soldPods.leadHours} and ${soldOnPaper.leadHours}`,
    );
  });

  it('from telemetry and the scheduler (no plan): shortfallGpus at the first oversold report, or the largest before the true shortfall, is within 10 % of the true worst', () => {
    for (const run of [schedulerPods, schedulerOnPaper]) {
      const best = Math.min(Math.abs(run.errAtWarning ?? Infinity), Math.abs(run.errMaxBeforeTruth ?? Infinity));
      expect(best).toBeLessThanOrEqual(0.1);
    }
    const line = (run: ReboundRun): string =>
      `${run.reportedAtWarning ?? '—'} vs true ${run.trueWorstAtWarning ?? '—'} (${((run.errAtWarning ?? Number.NaN) * 100).toFixed(1)} %), ` +
      `largest before the truth ${run.maxReportedBeforeTruth} (${((run.errMaxBeforeTruth ?? Number.NaN) * 100).toFixed(1)} %)`;
    console.info(
      `rebound shortfall at the first oversold report, GPUs: with the scheduler ${line(schedulerPods)} pods sold; ${line(schedulerOnPaper)} on paper; ` +
        `from telemetry alone ${line(soldPods)} pods sold; ${line(soldOnPaper)} on paper`,
    );
  });

  it('with the pods really sold the site cannot show demand that has nowhere to run: the reported shortfall stays far below the truth', () => {
    // The owner's work never lands on sold pods, so busy + held saturates at the unsold pods.
    const trueWorst = soldPods.records[0]?.trueWorstShortfall ?? 0;
    expect(trueWorst).toBeGreaterThan(30_000);
    expect(soldPods.maxReported).toBeLessThan(0.25 * trueWorst);
    // Sold on paper, the same engine reaches most of it once demand has come back (measured: 88 %, 2 days after).
    expect(soldOnPaper.maxReported).toBeGreaterThan(0.75 * (soldOnPaper.records[0]?.trueWorstShortfall ?? Infinity));
  });
});

describe('acceptance 3 met with the owner’s plan: entered two days before the comeback, oversold risk is reported at once and sized within 10 % of the truth', () => {
  it('the plan is the rebound’s level at the daily peak, from the day it begins (183,828 of 196,608 GPUs from 2026-12-01)', () => {
    expect(plan).toEqual({ gpus: 183_828, startS: Date.UTC(2026, 11, 1) / 1000, endS: null });
    expect(rebound.reboundAtMs).toBe(Date.UTC(2026, 11, 1));
  });

  it('reports risk.oversold from the evaluation the plan is entered at, not before, ahead of the true first shortfall', () => {
    // Measured: 72 h ahead (seed 42; 75 h and 78 h with seeds 7 and 1234), pods sold or on paper.
    for (const run of [plannedPods, plannedOnPaper]) {
      expect(run.firstOversoldMs).toBe(rebound.reboundAtMs - PLAN_LEAD_MS);
      expect(run.leadHours ?? -1).toBeGreaterThan(24);
    }
  });

  it('the shortfall at that first report, and at every report after it, is within 10 % of the true worst of its notice period', () => {
    // Measured at the first report: −5.3 % (pods sold) and −4.2 % (on paper); all reports −2.9 % to −6.8 %.
    // Below the truth: the plan states the daily peak, the truth adds the slow noise (up to +3 % of the site).
    for (const run of [plannedPods, plannedOnPaper]) {
      expect(Math.abs(run.errAtWarning ?? Infinity)).toBeLessThanOrEqual(0.1);
      const reports = run.records.filter((r) => r.oversold);
      expect(reports.length).toBeGreaterThan(100);
      for (const r of reports) expect(Math.abs(r.shortfallGpus - r.trueWorstShortfall) / r.trueWorstShortfall).toBeLessThanOrEqual(0.1);
    }
    console.info(
      `rebound with the plan entered ${PLAN_LEAD_MS / DAY_MS} d ahead: oversold reported ${plannedPods.leadHours} h before the true shortfall; ` +
        `shortfall ${plannedPods.reportedAtWarning} vs true ${plannedPods.trueWorstAtWarning} GPUs (${((plannedPods.errAtWarning ?? 0) * 100).toFixed(1)} %) pods sold, ` +
        `${plannedOnPaper.reportedAtWarning} vs ${plannedOnPaper.trueWorstAtWarning} (${((plannedOnPaper.errAtWarning ?? 0) * 100).toFixed(1)} %) on paper`,
    );
    // And the plan alone is the difference: without it the same sale is reported late and far too small.
    expect(soldPods.reportedAtWarning ?? 0).toBeLessThan(0.1 * (plannedPods.reportedAtWarning ?? 0));
  });
});

describe('issue 5: in rebound the OversoldRisk alert fires before the shortfall, and resolves with a resolved notification once capacity is freed', () => {
  const RECEIVER: Receiver = {
    id: 'ops',
    name: 'ops',
    matchers: [],
    groupBy: ['alertname', 'site'],
    groupWaitS: 0,
    groupIntervalS: 300,
    repeatIntervalS: 14_400,
    sendResolved: true,
  };
  const rules = DEFAULT_ALERT_RULES.filter((r) => r.name === 'OversoldRisk');
  type Risk = Pick<ReboundRecord, 'tMs' | 'oversold' | 'shortfallGpus' | 'firstShortfallAtMs' | 'firstRiskAtMs'>;
  const riskOf = (e: { tMs: number; report: CapacityReport }): Risk => ({
    tMs: e.tMs,
    oversold: e.report.risk.oversold,
    shortfallGpus: e.report.risk.shortfallGpus,
    firstShortfallAtMs: e.report.risk.firstShortfallAt === null ? null : e.report.risk.firstShortfallAt * 1000,
    firstRiskAtMs: e.report.risk.firstRiskAt === null ? null : e.report.risk.firstRiskAt * 1000,
  });
  // Only what OversoldRisk reads is filled in; the rest is unknown (NaN), as the alert core takes it.
  const figuresOf = (r: Risk): AlertFigures => {
    const lead = (atMs: number | null): number => (atMs === null ? Infinity : Math.max(0, (atMs - r.tMs) / 1000));
    return {
      sites: [
        {
          site: 'colossus',
          sellableWatts: Number.NaN,
          sellableGpus: Number.NaN,
          sellableValueUsdPerMonth: Number.NaN,
          oversold: r.oversold ? 1 : 0,
          shortfallGpus: r.shortfallGpus,
          shortfallLeadSeconds: lead(r.firstShortfallAtMs),
          riskLeadSeconds: lead(r.firstRiskAtMs),
          noticePeriodSeconds: HORIZON_MS / 1000,
          powerFeedWatts: Number.NaN,
          powerHeadroomWatts: Number.NaN,
          halls: [],
          contracts: [],
        },
      ],
    };
  };

  it('warns ahead of the true shortfall (pods sold), then resolves and notifies when the sale ends', () => {
    let states: AlertState[] = [];
    let groups: NotifyGroup[] = [];
    const sent: Array<{ tMs: number; status: string }> = [];
    const step = (e: Risk): void => {
      const evaluation = evaluateAlerts(rules, figuresOf(e), states, e.tMs);
      const plan = planNotifications([RECEIVER], evaluation.states, groups, e.tMs, { externalUrl: 'http://headroom.test' });
      states = evaluation.states;
      groups = plan.groups;
      for (const n of plan.notifications) sent.push({ tMs: e.tMs, status: n.status });
    };
    // The hourly evaluations of the run with the pods really sold (the harder case).
    let firedAtMs: number | null = null;
    for (const e of soldPods.records) {
      step(e);
      if (states.some((s) => s.status === 'firing')) {
        firedAtMs = e.tMs;
        break;
      }
    }
    const trueShortfall = soldPods.trueFirstShortfallMs ?? 0;
    expect(firedAtMs).not.toBeNull();
    // Measured: 1 h before the true first shortfall: the high band leads by 2 h, and at hourly evaluations the 5-minute `for` costs an hour (5 minutes in the app, which evaluates every round).
    expect(firedAtMs ?? Infinity).toBeLessThan(trueShortfall);
    expect(sent).toEqual([{ tMs: firedAtMs, status: 'firing' }]);

    // Capacity freed: the sale ends (notice given and served), nothing sold any more.
    const unsold = { gpus: 0, pods: new Set<number>() };
    let resolvedAtMs: number | null = null;
    for (let t = (firedAtMs ?? 0) + HOUR_MS; t <= (firedAtMs ?? 0) + 12 * HOUR_MS; t += HOUR_MS) {
      step(riskOf(evaluateEngine(rebound.site, t, historyBefore(rebound.internal, t), unsold)));
      if (states.every((s) => s.status === 'resolved')) {
        resolvedAtMs = t;
        break;
      }
    }
    expect(resolvedAtMs).not.toBeNull();
    expect(sent.at(-1)).toEqual({ tMs: resolvedAtMs, status: 'resolved' });
    expect(sent).toHaveLength(2);
    console.info(
      `rebound OversoldRisk: fired ${((trueShortfall - (firedAtMs ?? 0)) / HOUR_MS).toFixed(0)} h before the true shortfall; resolved ${(((resolvedAtMs ?? 0) - (firedAtMs ?? 0)) / HOUR_MS).toFixed(0)} h after the sale ended`,
    );
  });
});
