import { computePooledCapacity, type CapacityReport, type PodView } from '../../domain/capacity/capacity.js';
import { plannedDemandDuring, withDemandPlans } from '../../domain/capacity/demand-plan.js';
import type { DemandForecast } from '../../domain/capacity/forecast-types.js';
import { createPoolForecaster } from './pool-forecaster.js';
import { sizeWhatIf } from './what-if-sizing.js';
import type { PodUnit } from '../../domain/contracts/allocation.js';
import type { ContractCapacity } from '../../domain/contracts/contract.js';
import { blockValueUsdPerMonth, sumBlockValues, type PriceBook } from '../../domain/contracts/price-book.js';
import { HOURS_PER_MONTH } from '../../domain/contracts/valuation.js';
import { DomainError } from '../../domain/errors.js';
import { invalidField } from '../../domain/invalid-input.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import { stateCountsOf, type FleetSummary } from '../../domain/fleet/summary.js';
import { apportionPlans, internalShares, modelPoolsOf, modelViews, poolCounts, sumForecasts } from './model-pools.js';
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

const DAY_S = 86_400;

/** A what-if sale: extra GPUs sold, per model pool, from `startS` until `endS`. */
export interface WhatIf {
  gpusByPool: number[];
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
  const pools = modelPoolsOf(topology, podGpus, podFullLoad);
  const poolOfPod = new Int32Array(topology.pods.length).fill(-1);
  pools.forEach((p, k) => p.pods.forEach((i) => (poolOfPod[i] = k)));
  const poolWattsPerGpu = pools.map((p) => (p.gpus > 0 ? p.fullLoadFacilityWatts / p.gpus : 0));
  const siteFullLoad = podFullLoad.reduce((a, b) => a + b, 0);
  const { feedWatts } = topology.site;
  /**
   * Capacity is priced by its share of the feed, as the reference deal counts facility MW (300 MW
   * for the whole site), not by its own draw. A GPU's share is its full-load facility watts' share
   * of the site's: a GB200 takes more of the feed than an H100 (the rule of domain/contracts/feed-share.ts, per GPU count).
   */
  const feedShareWatts = (gpus: number, pool: number): number =>
    pools.length === 1 ? gpus / (totalGpus / feedWatts) : (gpus * (poolWattsPerGpu[pool] ?? 0) * feedWatts) / siteFullLoad;
  const podUnits: PodUnit[] = podGpus.map((gpus, i) => ({ gpus, feedShareWatts: feedShareWatts(gpus, poolOfPod[i] ?? 0) }));
  const horizonS = deps.policy.horizonDays * DAY_S;
  /**
   * `fitted`: each pool's forecast of the history alone; `forecast`: the site's, with the plans and
   * the scheduler's floor of `inputs` (the plans' revision, the scheduler snapshot read, the prices).
   */
  type Computed = {
    atMs: number;
    inputs: string;
    fitted: DemandForecast[];
    forecast: DemandForecast;
    floor: SchedulerFloor | null;
    report: CapacityReport;
  };
  // Several pools draw on the power headroom in order of value per watt: the prices are an input.
  const bookKey = (): string => (pools.length > 1 ? JSON.stringify(deps.contracts.getPriceBook()) : '');
  const inputsKey = (): string => `${deps.plans?.revision() ?? 0}:${deps.scheduler?.latest()?.readAtMs ?? -1}:${bookKey()}`;
  const nodePod = new Map(topology.nodes.map((n) => [n.host, n.podIndex]));
  const nodeGpus = new Map(topology.nodes.map((n) => [n.host, n.slots.length]));
  let cached: Computed | null = null;
  /** The priced view of `cached`, kept while neither it nor the price book changes (every scrape reads it). */
  let priced: { of: Computed; bookKey: string; view: ReturnType<typeof priceReport> } | null = null;

  const { historyOf, historyParts, fitPools } = createPoolForecaster({ ...deps, pools, totalGpus, horizonS });

  /** GPUs sold per pool on each day of the horizon, and the pods committed to any contract in it. */
  function soldOverHorizon(nowS: number) {
    const soldByDay = new Map<string, number[]>();
    const committed = new Set<number>();
    for (let d = 0; d <= deps.policy.horizonDays; d++) {
      const day = isoDateOfMs((nowS + d * DAY_S) * 1000);
      const gpus = pools.map(() => 0);
      for (const p of deps.contracts.soldPodsAt(day)) {
        const k = poolOfPod[p] ?? -1;
        if (k >= 0) gpus[k] = (gpus[k] ?? 0) + (podGpus[p] ?? 0);
        committed.add(p);
      }
      soldByDay.set(day, gpus);
    }
    return { soldAt: (t: number, pool: number) => soldByDay.get(isoDateOfMs(t * 1000))?.[pool] ?? 0, committed };
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

  /** Facility USD a full-load watt of a pool's capacity fetches a month: the order pools draw on the feed. */
  function valuePerWatt(pool: number): number {
    const w = poolWattsPerGpu[pool] ?? 0;
    return w > 0 ? value(1, pools[pool]?.model ?? '', feedShareWatts(1, pool)).valueUsdPerMonth / w : 0;
  }

  function compute(summary: FleetSummary, extra: WhatIf | null, fittedNow?: DemandForecast[] | null): Omit<Computed, 'atMs'> {
    const nowS = Math.floor(summary.atMs / 1000);
    const inputs = inputsKey();
    const counts = pools.map((p) => poolCounts(pools, p, summary));
    const fitted =
      fittedNow !== undefined
        ? fittedNow
        : cached?.atMs === summary.atMs
          ? cached.fitted
          : fitPools(nowS, (scope, metric) => historyOf(scope, metric, nowS), counts);
    if (!fitted) throw new DomainError('unavailable', 'no internal-demand history to forecast from yet');
    const floor = floorAt(summary.atMs);
    // Plans and the scheduler's floor are site-wide: each pool carries its share of internal demand now.
    const shares = internalShares(
      counts,
      pools.map((p) => p.gpus),
    );
    const plans = deps.plans?.inForce() ?? [];
    const forecasts = fitted.map((f, k) =>
      withSchedulerFloor(withDemandPlans(f, apportionPlans(plans, shares[k] ?? 0)), floor, shares[k] ?? 0),
    );
    const { soldAt, committed } = soldOverHorizon(nowS);
    const podOf = (host: string): number | undefined => {
      const pod = nodePod.get(host);
      return pod === undefined || pod < 0 ? undefined : pod;
    };
    const maintenance = maintenanceByPod(deps.scheduler?.latest() ?? null, podOf, summary.atMs, summary.atMs + horizonS * 1000);
    const during = (t: number): boolean => extra !== null && t >= extra.startS && t < extra.endS;
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
    const report = computePooledCapacity({
      // The report's exact moment, so a risk that is already here reads as updatedAt to the ms.
      nowS: summary.atMs / 1000,
      feedWatts,
      facilityDrawWatts: summary.site.facilityWatts,
      pods,
      pools: pools.map((p, k) => ({
        model: pools.length === 1 ? null : p.model,
        counts: counts[k] ?? stateCountsOf(summary.unplaced),
        forecast: forecasts[k] ?? noForecast(),
        soldGpusAt: (t: number) => soldAt(t, k) + (during(t) ? (extra?.gpusByPool[k] ?? 0) : 0),
        fullLoadWattsPerGpu: poolWattsPerGpu[k] ?? 0,
        valueUsdPerWattMonth: pools.length === 1 ? 0 : valuePerWatt(k),
      })),
      policy: {
        margin: { fraction: deps.policy.marginFraction, gpus: deps.policy.marginGpus },
        blockPods: deps.policy.blockPods,
        horizonSeconds: horizonS,
      },
    });
    const forecast = sumForecasts(
      pools.map((p) => p.model),
      forecasts,
    );
    return { inputs, fitted, forecast: forecast ?? noForecast(), floor, report };
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
    // Each block at its own model's price, its MW-month value on its own share of the feed.
    const blocks = report.sellable.blocks.map((b) => {
      const first = podIndex.get(b.pods[0] ?? '') ?? 0;
      const priced = value(b.gpus, podModelKey[first] ?? 'H100-SXM', feedShareWatts(b.gpus, poolOfPod[first] ?? 0), book);
      return { ...b, valueUsdPerMonth: priced.valueUsdPerMonth };
    });
    const monthly = round2(blocks.reduce((s, b) => s + b.valueUsdPerMonth, 0));
    const { models, ...site } = report;
    return {
      ...site,
      models: modelViews(models, blocks),
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
      const rows = new Map<string, Array<[number, number]>>();
      for (const pool of pools) {
        for (const metric of ['gpus_busy', 'gpus_held'] as const) {
          const into: Array<[number, number]> = [];
          for (const part of historyParts(pool.scope, metric, nowS)) {
            for (const row of part()) into.push(row);
            await nextTurn();
          }
          rows.set(`${pool.scope}\u0000${metric}`, into);
        }
      }
      const counts = pools.map((p) => poolCounts(pools, p, summary));
      // The site's history only when a pool falls back to it (read at once: rare, and short-lived).
      const forecast = fitPools(nowS, (scope, metric) => rows.get(`${scope}\u0000${metric}`) ?? historyOf(scope, metric, nowS), counts);
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
    whatIf(request: { capacity: ContractCapacity; start: IsoDate; months: number; monthlyPriceUsd: number | null; model?: string | null }) {
      const model = request.model ?? null;
      const poolIndex = model === null ? -1 : pools.findIndex((p) => p.model === model);
      if (model !== null && poolIndex < 0) {
        invalidField('model', `the site has no ${model} GPUs; its models: ${pools.map((p) => p.model).join(', ')}`);
      }
      const pool = pools[poolIndex];
      const candidates = pool ? pool.pods : topology.pods.map((_, i) => i);
      const poolGpus = candidates.reduce((s, i) => s + (podGpus[i] ?? 0), 0);
      checkWhatIfBounds(request, { pods: candidates.length, gpus: poolGpus, feedWatts }, deps.now());
      const summary = latestSummary();
      const { pods, gpusByPool } = sizeWhatIf(request.capacity, candidates, summary, { podGpus, podUnits, poolOfPod, pools: pools.length });
      const gpus = gpusByPool.reduce((a, b) => a + b, 0);
      const startS = epochDay(request.start, 'start') * DAY_S;
      const endS = startS + Math.round(request.months * HOURS_PER_MONTH * 3600);
      const { report } = compute(summary, { gpusByPool, startS, endS });
      const facilityWatts =
        'watts' in request.capacity ? request.capacity.watts : gpusByPool.reduce((s, g, p) => s + feedShareWatts(g, p), 0);
      const book =
        pool || pools.length === 1
          ? value(gpus, pool?.model ?? pools[0]?.model ?? 'H100-SXM', facilityWatts)
          : sumBlockValues(gpusByPool.map((g, p) => value(g, pools[p]?.model ?? '', feedShareWatts(g, p))));
      const monthlyUsd = request.monthlyPriceUsd ?? book.valueUsdPerMonth;
      const now = current().report;
      const fits = (pool ? now.models.find((m) => m.model === pool.model)?.gpus.sellable : now.gpus.sellable) ?? 0;
      const risk = pool ? (report.models.find((m) => m.model === pool.model)?.risk ?? report.risk) : report.risk;
      return {
        gpus,
        pods,
        facilityWatts: Math.round(facilityWatts),
        months: request.months,
        monthlyUsd,
        totalUsd: round2(monthlyUsd * request.months),
        priceBook: book,
        fitsSellable: gpus <= fits,
        risk: { ...risk, firstShortfallAt: iso(risk.firstShortfallAt), firstRiskAt: iso(risk.firstRiskAt) },
      };
    },
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function noForecast(): never {
  throw new DomainError('unavailable', 'no internal-demand history to forecast from yet');
}

const iso = (s: number | null): string | null => (s === null ? null : new Date(Math.round(s * 1000)).toISOString());

export type CapacityService = ReturnType<typeof createCapacityService>;
/** The report GET /capacity serves (metrics, alerts and the live view read the same). */
export type CapacityView = ReturnType<CapacityService['capacity']>;
