import { forecastDemand } from '../../domain/capacity/forecast.js';
import type { DemandForecast, DemandSample } from '../../domain/capacity/forecast-types.js';
import type { StateCounts } from '../../domain/fleet/gpu-state.js';
import type { CapacityPolicyConfig } from './capacity-service.js';
import { apportionForecast, internalShares, type ModelPool } from './model-pools.js';
import type { HistoryPort } from './ports.js';

/** Internal demand history is read at this step: fine enough for the daily shape. */
const HISTORY_STEP_S = 900;
/** The history is read in this many queries, a turn apart (warm): ≈ 5 ms each at Colossus scale. */
const HISTORY_QUERY_PARTS = 3;
const FORECAST_STEP_S = 3_600;
const DAY_S = 86_400;

export type Metric = 'gpus_busy' | 'gpus_held';
type Rows = Array<[number, number]>;

export interface PoolForecasterDeps {
  history: HistoryPort;
  policy: CapacityPolicyConfig;
  pools: readonly ModelPool[];
  totalGpus: number;
  horizonS: number;
}

/** Reads each model pool's internal-demand history and fits its forecast (see fitPools). */
export function createPoolForecaster(deps: PoolForecasterDeps) {
  const { pools, totalGpus, horizonS } = deps;

  /** One metric of a scope's internal-demand history, 30 days at 15 min (≈ 15 ms of SQLite at Colossus). */
  function historyOf(scope: string, metric: Metric, nowS: number): Rows {
    return deps.history.query(scope, metric, nowS - deps.policy.historyDays * DAY_S, nowS + 1, HISTORY_STEP_S);
  }

  /**
   * historyOf in HISTORY_QUERY_PARTS queries over consecutive time ranges cut at multiples of the
   * step: each step's rows fall in one range, so its mean — and the whole answer — is the same.
   */
  function historyParts(scope: string, metric: Metric, nowS: number): Array<() => Rows> {
    const fromS = nowS - deps.policy.historyDays * DAY_S;
    const toS = nowS + 1;
    const cuts = [fromS];
    for (let k = 1; k < HISTORY_QUERY_PARTS; k++) {
      const cut = Math.floor((fromS + ((toS - fromS) * k) / HISTORY_QUERY_PARTS) / HISTORY_STEP_S) * HISTORY_STEP_S;
      if (cut > (cuts.at(-1) ?? fromS) && cut < toS) cuts.push(cut);
    }
    cuts.push(toS);
    return cuts.slice(1).map((to, i) => () => deps.history.query(scope, metric, cuts[i] ?? fromS, to, HISTORY_STEP_S));
  }

  function forecastOf(nowS: number, busy: Rows, heldRows: Rows, capacity: number): DemandForecast | null {
    const held = new Map(heldRows);
    const history: DemandSample[] = busy.map(([t, b]) => [t, b + (held.get(t) ?? 0)] as const);
    return forecastDemand(history, {
      now: nowS,
      horizonSeconds: horizonS,
      stepSeconds: FORECAST_STEP_S,
      capacity,
      ...(deps.policy.quantile === undefined ? {} : { quantile: deps.policy.quantile }),
      ...(deps.policy.bandConfidence === undefined ? {} : { bandConfidence: deps.policy.bandConfidence }),
    });
  }

  /**
   * One forecast per pool from its own history. A pool with too little of it (no forecast, or only
   * a recent level where the site's history fits a model: a pool scope younger than the site's)
   * takes the site's forecast × its share of internal demand now (model-pools.ts internalShares).
   */
  function fitPools(nowS: number, read: (scope: string, metric: Metric) => Rows, counts: StateCounts[]): DemandForecast[] | null {
    const own = pools.map((p) => forecastOf(nowS, read(p.scope, 'gpus_busy'), read(p.scope, 'gpus_held'), p.gpus));
    if (pools.length === 1) return own[0] ? [own[0]] : null;
    const site = own.some((f) => f?.basis !== 'model')
      ? forecastOf(nowS, read('site', 'gpus_busy'), read('site', 'gpus_held'), totalGpus)
      : null;
    const shares = internalShares(
      counts,
      pools.map((p) => p.gpus),
    );
    const out: DemandForecast[] = [];
    for (const [k, f] of own.entries()) {
      const short = !f || (f.basis !== 'model' && site?.basis === 'model');
      const chosen = short && site ? apportionForecast(site, shares[k] ?? 0, `${pools[k]?.model} has too little history of its own`) : f;
      if (!chosen) return null;
      out.push(chosen);
    }
    return out;
  }

  return { historyOf, historyParts, fitPools };
}
