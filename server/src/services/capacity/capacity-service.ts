import { computeCapacity, type CapacityReport, type PodView } from '../../domain/capacity/capacity.js';
import { plannedDemandDuring, withDemandPlans } from '../../domain/capacity/demand-plan.js';
import { forecastDemand } from '../../domain/capacity/forecast.js';
import type { DemandForecast, DemandSample } from '../../domain/capacity/forecast-types.js';
import { podsNeeded } from '../../domain/contracts/allocation.js';
import type { ContractCapacity } from '../../domain/contracts/contract.js';
import { blockValueUsdPerMonth, type PriceBook } from '../../domain/contracts/price-book.js';
import { HOURS_PER_MONTH } from '../../domain/contracts/valuation.js';
import { DomainError } from '../../domain/errors.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import { stateCountsOf, type FleetSummary } from '../../domain/fleet/summary.js';
import type { FleetPort, HistoryPort, PlansPort, SchedulerPort, SoldPodsPort } from './ports.js';
import { schedulerFloor, withSchedulerFloor, type SchedulerFloor } from '../../domain/capacity/scheduler-floor.js';
import { maintenanceByPod } from '../../domain/capacity/maintenance-windows.js';
import { floorView } from './floor-view.js';
import { epochDay, isoDateOfMs, type IsoDate } from '../../domain/contracts/calendar.js';
import { checkWhatIfBounds } from '../../domain/capacity/what-if-bounds.js';

export interface CapacityPolicyConfig {
  horizonDays: number;
  marginFraction: number;
  marginGpus: number;
  blockPods: number;
  /** Days of internal-demand history the forecast is fitted on. */
  historyDays: number;
  /** The forecast's high quantile and its band confidence (the reserve is the band's peak + margin); the forecast's defaults when absent. */
  quantile?: number;
  bandConfidence?: number;
}

export interface CapacityServiceDeps {
  fleet: FleetPort;
  history: HistoryPort;
  contracts: SoldPodsPort;
  /** The owner's planned internal demand; `revision` changes whenever the plans do. */
  plans?: PlansPort;
  /** The scheduler's queue, reservations and maintenance (docs/scheduler.md#demand-from-the-queue); absent: telemetry alone. */
  scheduler?: SchedulerPort;
  now: () => number;
  policy: CapacityPolicyConfig;
}

/** Internal demand history is read at this step: fine enough for the daily shape. */
const HISTORY_STEP_S = 900;
/** The history is read in this many queries, a turn apart (warm): ≈ 5 ms each at Colossus scale. */
const HISTORY_QUERY_PARTS = 3;
const FORECAST_STEP_S = 3_600;
const DAY_S = 86_400;

/** A what-if sale: extra GPUs sold from `startS` for `months` (730-hour months). */
export interface WhatIf {
  gpus: number;
  startS: number;
  endS: number;
}

/**
 * Reads the fleet, the stored history, the contracts and the price book, and hands them to the
 * pure capacity engine. Results are cached per collection round (the summary's time).
 */
export function createCapacityService(deps: CapacityServiceDeps) {
  const { state } = deps.fleet;
  const { topology } = state;
  const podFullLoad = topology.pods.map(
    (pod) => pod.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.maxInputWatts ?? 0), 0) * topology.site.pue,
  );
  const podGpus = topology.pods.map((pod) => pod.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.slots.length ?? 0), 0));
  const podModelKey = topology.pods.map((pod) => gpuModelAt(pod.modelIndex).key);
  const totalGpus = podGpus.reduce((a, b) => a + b, 0);
  const fullLoadWattsPerGpu = totalGpus > 0 ? podFullLoad.reduce((a, b) => a + b, 0) / totalGpus : 0;
  // Capacity is priced by its share of the feed, as the reference deal counts facility MW
  // (300 MW for the whole site), not by its own full-load draw.
  const allocationSite = { gpusPerPod: podGpus[0] ?? 0, gpusPerFacilityWatt: totalGpus / topology.site.feedWatts };
  const feedShareWatts = (gpus: number): number => gpus / allocationSite.gpusPerFacilityWatt;
  const whatIfSite = { pods: topology.pods.length, gpus: totalGpus, feedWatts: topology.site.feedWatts };
  const horizonS = deps.policy.horizonDays * DAY_S;
  /**
   * `fitted`: the forecast of the history alone; `forecast`: with the plans and the scheduler's
   * floor of `inputs` (the plans' revision and the scheduler snapshot read).
   */
  type Computed = {
    atMs: number;
    inputs: string;
    fitted: DemandForecast;
    forecast: DemandForecast;
    floor: SchedulerFloor | null;
    report: CapacityReport;
  };
  const inputsKey = (): string => `${deps.plans?.revision() ?? 0}:${deps.scheduler?.latest()?.readAtMs ?? -1}`;
  const nodePod = new Map(topology.nodes.map((n) => [n.host, n.podIndex]));
  const nodeGpus = new Map(topology.nodes.map((n) => [n.host, n.slots.length]));
  let cached: Computed | null = null;
  /** The priced view of `cached`, kept while neither it nor the price book changes (every scrape reads it). */
  let priced: { of: Computed; bookKey: string; view: ReturnType<typeof priceReport> } | null = null;

  /** One metric of the site's internal-demand history, 30 days at 15 min (≈ 15 ms of SQLite at Colossus). */
  function historyOf(metric: 'gpus_busy' | 'gpus_held', nowS: number): Array<[number, number]> {
    return deps.history.query('site', metric, nowS - deps.policy.historyDays * DAY_S, nowS + 1, HISTORY_STEP_S);
  }

  /**
   * historyOf in HISTORY_QUERY_PARTS queries over consecutive time ranges cut at multiples of the
   * step: each step's rows fall in one range, so its mean — and the whole answer — is the same.
   */
  function historyParts(metric: 'gpus_busy' | 'gpus_held', nowS: number): Array<() => Array<[number, number]>> {
    const fromS = nowS - deps.policy.historyDays * DAY_S;
    const toS = nowS + 1;
    const cuts = [fromS];
    for (let k = 1; k < HISTORY_QUERY_PARTS; k++) {
      const cut = Math.floor((fromS + ((toS - fromS) * k) / HISTORY_QUERY_PARTS) / HISTORY_STEP_S) * HISTORY_STEP_S;
      if (cut > (cuts.at(-1) ?? fromS) && cut < toS) cuts.push(cut);
    }
    cuts.push(toS);
    return cuts.slice(1).map((to, i) => () => deps.history.query('site', metric, cuts[i] ?? fromS, to, HISTORY_STEP_S));
  }

  function forecastOf(nowS: number, busy: Array<[number, number]>, heldRows: Array<[number, number]>): DemandForecast | null {
    const held = new Map(heldRows);
    const history: DemandSample[] = busy.map(([t, b]) => [t, b + (held.get(t) ?? 0)] as const);
    return forecastDemand(history, {
      now: nowS,
      horizonSeconds: horizonS,
      stepSeconds: FORECAST_STEP_S,
      capacity: totalGpus,
      ...(deps.policy.quantile === undefined ? {} : { quantile: deps.policy.quantile }),
      ...(deps.policy.bandConfidence === undefined ? {} : { bandConfidence: deps.policy.bandConfidence }),
    });
  }

  /** GPUs sold on each day of the horizon, and the pods committed to any contract in it. */
  function soldOverHorizon(nowS: number) {
    const soldByDay = new Map<string, number>();
    const committed = new Set<number>();
    for (let d = 0; d <= deps.policy.horizonDays; d++) {
      const day = isoDateOfMs((nowS + d * DAY_S) * 1000);
      const pods = deps.contracts.soldPodsAt(day);
      let gpus = 0;
      for (const p of pods) {
        gpus += podGpus[p] ?? 0;
        committed.add(p);
      }
      soldByDay.set(day, gpus);
    }
    return { soldAt: (t: number) => soldByDay.get(isoDateOfMs(t * 1000)) ?? 0, committed };
  }

  /** The scheduler's floor under the forecast as of `nowMs` (null without a scheduler or a snapshot). */
  function floorAt(nowMs: number): SchedulerFloor | null {
    const snapshot = deps.scheduler?.latest() ?? null;
    if (!deps.scheduler || !snapshot) return null;
    return schedulerFloor(snapshot, deps.scheduler.tenants(), {
      nowMs,
      staleAfterMs: deps.scheduler.staleAfterMs,
      nodeGpus: (host) => nodeGpus.get(host) ?? 0,
    });
  }

  function compute(summary: FleetSummary, extra: WhatIf | null, fittedNow?: DemandForecast | null): Omit<Computed, 'atMs'> {
    const nowS = Math.floor(summary.atMs / 1000);
    const inputs = inputsKey();
    const fitted =
      fittedNow !== undefined
        ? fittedNow
        : cached?.atMs === summary.atMs
          ? cached.fitted
          : forecastOf(nowS, historyOf('gpus_busy', nowS), historyOf('gpus_held', nowS));
    if (!fitted) throw new DomainError('unavailable', 'no internal-demand history to forecast from yet');
    const floor = floorAt(summary.atMs);
    const forecast = withSchedulerFloor(withDemandPlans(fitted, deps.plans?.inForce() ?? []), floor);
    const { soldAt, committed } = soldOverHorizon(nowS);
    const podOf = (host: string): number | undefined => {
      const pod = nodePod.get(host);
      return pod === undefined || pod < 0 ? undefined : pod;
    };
    const maintenance = maintenanceByPod(deps.scheduler?.latest() ?? null, podOf, summary.atMs, summary.atMs + horizonS * 1000);
    const soldGpusAt = extra ? (t: number) => soldAt(t) + (t >= extra.startS && t < extra.endS ? extra.gpus : 0) : soldAt;
    const pods: PodView[] = topology.pods.map((pod, i) => {
      const figures = summary.pods[i];
      return {
        index: i,
        id: pod.id,
        hallId: topology.halls[pod.hallIndex]?.id ?? null,
        model: podModelKey[i] ?? '',
        fabric: pod.fabric,
        counts: figures ? stateCountsOf(figures) : stateCountsOf(summary.unplaced),
        gpus: podGpus[i] ?? 0,
        facilityWatts: figures?.facilityWatts ?? 0,
        fullLoadFacilityWatts: podFullLoad[i] ?? 0,
        committed: committed.has(i),
        maintenance: maintenance.get(i) ?? null,
      };
    });
    const report = computeCapacity({
      // The report's exact moment, so a risk that is already here reads as updatedAt to the ms.
      nowS: summary.atMs / 1000,
      feedWatts: topology.site.feedWatts,
      facilityDrawWatts: summary.site.facilityWatts,
      site: stateCountsOf(summary.site),
      pods,
      forecast,
      soldGpusAt,
      fullLoadWattsPerGpu,
      policy: {
        margin: { fraction: deps.policy.marginFraction, gpus: deps.policy.marginGpus },
        blockPods: deps.policy.blockPods,
        horizonSeconds: horizonS,
      },
    });
    return { inputs, fitted, forecast, floor, report };
  }

  function latestSummary(): FleetSummary {
    const summary = deps.fleet.latest();
    if (!summary) throw new DomainError('unavailable', 'fleet state is still loading: retry shortly (see /readyz)');
    return summary;
  }

  function current(): Computed {
    const summary = latestSummary();
    if (cached?.atMs !== summary.atMs || cached.inputs !== inputsKey()) cached = { atMs: summary.atMs, ...compute(summary, null) };
    return cached;
  }

  function value(gpus: number, modelKey: string, facilityWatts: number, book: PriceBook = deps.contracts.getPriceBook()) {
    return blockValueUsdPerMonth({ gpus, modelKey, facilityWatts }, book);
  }

  const podIndex = new Map(topology.pods.map((p, i) => [p.id, i]));

  /** The plans as the report counts them: how many, the largest in force now and over the horizon. */
  function plansAt(nowS: number) {
    const plans = deps.plans?.inForce() ?? [];
    return {
      count: plans.length,
      inForceGpus: plannedDemandDuring(plans, nowS, nowS + 1),
      horizonPeakGpus: plannedDemandDuring(plans, nowS, nowS + horizonS),
    };
  }

  /** The report with block values, as GET /capacity serves it. */
  function priceReport(
    { forecast, floor, report }: { forecast: DemandForecast; floor: SchedulerFloor | null; report: CapacityReport },
    atMs: number,
    book: PriceBook,
  ) {
    const blocks = report.sellable.blocks.map((b) => {
      const first = podIndex.get(b.pods[0] ?? '') ?? 0;
      const priced = value(b.gpus, podModelKey[first] ?? 'H100-SXM', feedShareWatts(b.gpus), book);
      return { ...b, valueUsdPerMonth: priced.valueUsdPerMonth };
    });
    const monthly = round2(blocks.reduce((s, b) => s + b.valueUsdPerMonth, 0));
    return {
      ...report,
      sellable: {
        ...report.sellable,
        blocks,
        valueUsdPerMonth: monthly,
        valueUsdOverHorizon: round2((monthly * deps.policy.horizonDays * 24) / HOURS_PER_MONTH),
        outForMaintenance: report.sellable.outForMaintenance.map(({ pod, reservation, startS, endS }) => ({
          pod,
          reservation,
          start: iso(startS) ?? '',
          end: iso(endS) ?? '',
        })),
      },
      risk: { ...report.risk, firstShortfallAt: iso(report.risk.firstShortfallAt), firstRiskAt: iso(report.risk.firstRiskAt) },
      plans: plansAt(Math.floor(atMs / 1000)),
      forecast: {
        horizonDays: deps.policy.horizonDays,
        basis: forecast.basis,
        points: forecast.points,
        notes: forecast.notes,
        floor: floor && floorView(floor, atMs + horizonS * 1000),
      },
      updatedAt: new Date(atMs).toISOString(),
    };
  }

  /**
   * The capacity report of the latest summary with block values, as GET /capacity serves it.
   * Computed once per summary (and price book): callers share the object and must not change it.
   */
  function capacity() {
    const computed = current();
    const book = deps.contracts.getPriceBook();
    const bookKey = JSON.stringify(book);
    if (priced?.of === computed && priced.bookKey === bookKey) return priced.view;
    const view = priceReport(computed, computed.atMs, book);
    priced = { of: computed, bookKey, view };
    return view;
  }

  return {
    capacity,

    /**
     * The last report computed (see warm), without computing a newer one: what a scrape reads, so
     * it never waits for the forecast. Computes one when none was yet, or when the plans changed.
     */
    lastComputed() {
      // A change of plans or a new scheduler poll is applied at once (on the round's fitted forecast, no history read).
      if (priced && cached?.inputs === inputsKey()) return priced.view;
      return capacity();
    },

    /**
     * Computes the latest summary's report in steps with an event-loop turn between them (busy
     * and held history in three queries each, forecast, engine, pricing: ≈ 5–15 ms each at
     * Colossus scale instead of one 45–70 ms block). The same figures as capacity(). Throws
     * DomainError ('unavailable') like it.
     */
    async warm(nextTurn: () => Promise<void>): Promise<void> {
      const summary = latestSummary();
      // Same round: the fitted forecast is kept, a change of plans is applied by capacity().
      if (cached?.atMs === summary.atMs) {
        if (cached.inputs !== inputsKey()) capacity();
        return;
      }
      const nowS = Math.floor(summary.atMs / 1000);
      const rows = { gpus_busy: [] as Array<[number, number]>, gpus_held: [] as Array<[number, number]> };
      for (const metric of ['gpus_busy', 'gpus_held'] as const) {
        for (const part of historyParts(metric, nowS)) {
          for (const row of part()) rows[metric].push(row);
          await nextTurn();
        }
      }
      const forecast = forecastOf(nowS, rows.gpus_busy, rows.gpus_held);
      await nextTurn();
      // A request may have computed it meanwhile (capacity() at once).
      if (cached?.atMs !== summary.atMs || cached.inputs !== inputsKey())
        cached = { atMs: summary.atMs, ...compute(summary, null, forecast) };
      await nextTurn();
      if (deps.fleet.latest() === summary) capacity();
    },

    /**
     * The value and risk of selling `capacity` more (whole pods, as a contract is delivered) from
     * the day `start` (UTC midnight) for `months` of 730 hours, at `monthlyPriceUsd` or else the price book.
     * @throws DomainError('invalid') for more than the site or a start before today (what-if-bounds.ts).
     */
    whatIf(request: { capacity: ContractCapacity; start: IsoDate; months: number; monthlyPriceUsd: number | null }) {
      checkWhatIfBounds(request, whatIfSite, deps.now());
      const summary = latestSummary();
      const pods = podsNeeded(request.capacity, allocationSite);
      const gpus = pods * allocationSite.gpusPerPod;
      const startS = epochDay(request.start, 'start') * DAY_S;
      const endS = startS + Math.round(request.months * HOURS_PER_MONTH * 3600);
      const { report } = compute(summary, { gpus, startS, endS });
      const facilityWatts = 'watts' in request.capacity ? request.capacity.watts : feedShareWatts(gpus);
      const book = value(gpus, podModelKey[0] ?? 'H100-SXM', facilityWatts);
      const monthlyUsd = request.monthlyPriceUsd ?? book.valueUsdPerMonth;
      return {
        gpus,
        pods,
        facilityWatts: Math.round(facilityWatts),
        months: request.months,
        monthlyUsd,
        totalUsd: round2(monthlyUsd * request.months),
        priceBook: book,
        fitsSellable: gpus <= current().report.gpus.sellable,
        risk: { ...report.risk, firstShortfallAt: iso(report.risk.firstShortfallAt), firstRiskAt: iso(report.risk.firstRiskAt) },
      };
    },
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

const iso = (s: number | null): string | null => (s === null ? null : new Date(Math.round(s * 1000)).toISOString());

export type CapacityService = ReturnType<typeof createCapacityService>;
/** The report GET /capacity serves (metrics, alerts and the live view read the same). */
export type CapacityView = ReturnType<CapacityService['capacity']>;
