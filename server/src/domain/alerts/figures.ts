import type { Labels } from './labels.js';

/**
 * The figures alert rules watch, as the adapter hands them in after each collection round
 * (built from the capacity report, the fleet's telemetry ages and the contract book).
 *
 * A value of NaN means "unknown right now" (e.g. the capacity report is still loading): the
 * alerts on it keep their state, neither starting, firing nor resolving. An instance that is
 * absent (a hall no longer reported, a contract that ended) counts as its condition being
 * false, so its alert resolves, as a vanished series resolves a Prometheus alert.
 */

export interface HallAlertFigures {
  hall: string;
  /** Seconds since the newest sample from any source in the hall; +∞ if none ever arrived. */
  telemetryAgeSeconds: number;
}

export interface ContractAlertFigures {
  /** The contract's id, as the API names it. */
  contract: string;
  customer: string;
  /** GPUs the contract commits to deliver now. */
  contractedGpus: number;
  /** GPUs delivered to it now (its pods' GPUs that are up and sold). */
  deliveredGpus: number;
}

/** One internal team's allocation (issue 18's cross-checks; docs/scheduler.md#tenants). */
export interface TeamAlertFigures {
  team: string;
  heldGpus: number;
  /** Held under the same job for at least the threshold (HELD_THRESHOLD_S). */
  heldOverThresholdGpus: number;
  heldOverThresholdGpuHours: number;
  /** What the GPUs held over the threshold would earn sold, at the price book; NaN when no price. */
  heldOverThresholdValueUsdPerMonth: number;
  /** GPUs of the team's jobs on pods the contract book says are sold. */
  onSoldGpus: number;
}

/** One customer's allocation. */
export interface CustomerAlertFigures {
  customer: string;
  soldGpus: number;
  /** GPUs in the customer's jobs on pods the contract book says are unsold. */
  onUnsoldGpus: number;
}

export interface SiteAlertFigures {
  site: string;
  sellableWatts: number;
  sellableGpus: number;
  sellableValueUsdPerMonth: number;
  /** 1 when sold + median forecast internal demand exceeds up capacity within the horizon, else 0. */
  oversold: number;
  shortfallGpus: number;
  /** Seconds until the first forecast shortfall (median band); +∞ when none within the horizon. */
  shortfallLeadSeconds: number;
  /** Seconds until the first risk (high band); +∞ when none within the horizon. */
  riskLeadSeconds: number;
  /** How far ahead sold capacity stays sold (the capacity horizon), seconds. */
  noticePeriodSeconds: number;
  powerFeedWatts: number;
  powerHeadroomWatts: number;
  /** GPUs reporting a model the model table lacks (read on their own power scale, never as another model). */
  unknownModelGpus?: number;
  /** Site-wide cross-checks; absent (unknown) while no scheduler covers a node. */
  internalOnSoldGpus?: number;
  internalOnSoldPods?: number;
  customerOnUnsoldGpus?: number;
  heldThresholdSeconds?: number;
  halls: HallAlertFigures[];
  contracts: ContractAlertFigures[];
  /** Absent or empty while no scheduler covers a node. */
  teams?: TeamAlertFigures[];
  customers?: CustomerAlertFigures[];
}

export interface AlertFigures {
  sites: SiteAlertFigures[];
}

export const FIGURE_SCOPES = ['site', 'hall', 'contract', 'team', 'customer'] as const;
export type FigureScope = (typeof FIGURE_SCOPES)[number];

type Reader<T> = (x: T) => number;

const SITE_FIGURES = {
  sellable_watts: (s) => s.sellableWatts,
  sellable_gpus: (s) => s.sellableGpus,
  sellable_value_usd_per_month: (s) => s.sellableValueUsdPerMonth,
  oversold: (s) => s.oversold,
  oversold_shortfall_gpus: (s) => s.shortfallGpus,
  shortfall_lead_seconds: (s) => s.shortfallLeadSeconds,
  risk_lead_seconds: (s) => s.riskLeadSeconds,
  notice_period_seconds: (s) => s.noticePeriodSeconds,
  power_feed_watts: (s) => s.powerFeedWatts,
  power_headroom_watts: (s) => s.powerHeadroomWatts,
  // A share of the feed, so one default threshold suits a 3 MW hall and a 300 MW campus.
  power_headroom_ratio: (s) => (s.powerFeedWatts > 0 ? s.powerHeadroomWatts / s.powerFeedWatts : Number.NaN),
  unknown_model_gpus: (s) => s.unknownModelGpus ?? 0,
  internal_on_sold_gpus: (s) => s.internalOnSoldGpus ?? Number.NaN,
  internal_on_sold_pods: (s) => s.internalOnSoldPods ?? Number.NaN,
  customer_on_unsold_gpus: (s) => s.customerOnUnsoldGpus ?? Number.NaN,
  held_threshold_seconds: (s) => s.heldThresholdSeconds ?? Number.NaN,
} satisfies Record<string, Reader<SiteAlertFigures>>;

const HALL_FIGURES = {
  telemetry_age_seconds: (h) => h.telemetryAgeSeconds,
} satisfies Record<string, Reader<HallAlertFigures>>;

const CONTRACT_FIGURES = {
  contract_contracted_gpus: (c) => c.contractedGpus,
  contract_delivered_gpus: (c) => c.deliveredGpus,
  contract_undelivered_gpus: (c) => Math.max(0, c.contractedGpus - c.deliveredGpus),
} satisfies Record<string, Reader<ContractAlertFigures>>;

const TEAM_FIGURES = {
  team_held_gpus: (t) => t.heldGpus,
  team_held_over_threshold_gpus: (t) => t.heldOverThresholdGpus,
  team_held_over_threshold_gpu_hours: (t) => t.heldOverThresholdGpuHours,
  team_held_over_threshold_value_usd_per_month: (t) => t.heldOverThresholdValueUsdPerMonth,
  team_on_sold_gpus: (t) => t.onSoldGpus,
} satisfies Record<string, Reader<TeamAlertFigures>>;

const CUSTOMER_FIGURES = {
  customer_sold_gpus: (c) => c.soldGpus,
  customer_unsold_use_gpus: (c) => c.onUnsoldGpus,
} satisfies Record<string, Reader<CustomerAlertFigures>>;

export type FigureName =
  | keyof typeof SITE_FIGURES
  | keyof typeof HALL_FIGURES
  | keyof typeof CONTRACT_FIGURES
  | keyof typeof TEAM_FIGURES
  | keyof typeof CUSTOMER_FIGURES;

const scopeEntries = (names: object, scope: FigureScope) => Object.keys(names).map((n) => [n, scope] as const);

/** Every figure and the scope of its instances: one per site, per hall, or per contract. */
export const FIGURE_SCOPE: Readonly<Record<FigureName, FigureScope>> = Object.fromEntries([
  ...scopeEntries(SITE_FIGURES, 'site'),
  ...scopeEntries(HALL_FIGURES, 'hall'),
  ...scopeEntries(CONTRACT_FIGURES, 'contract'),
  ...scopeEntries(TEAM_FIGURES, 'team'),
  ...scopeEntries(CUSTOMER_FIGURES, 'customer'),
]) as Record<FigureName, FigureScope>;

export const FIGURE_NAMES = Object.keys(FIGURE_SCOPE) as [FigureName, ...FigureName[]];

/** Labels that name an instance; rules may not set them (two instances would share a fingerprint). */
export const INSTANCE_LABELS: Readonly<Record<FigureScope, readonly string[]>> = {
  site: ['site'],
  hall: ['site', 'hall'],
  contract: ['site', 'customer', 'contract'],
  // Not `team`: rules commonly set that label to route to the team that owns the alert.
  team: ['site', 'internal_team'],
  customer: ['site', 'customer'],
};

/** Figures readable from an instance of `scope`: its own scope's and its site's. */
export function figuresVisibleFrom(scope: FigureScope): FigureName[] {
  return FIGURE_NAMES.filter((name) => FIGURE_SCOPE[name] === scope || FIGURE_SCOPE[name] === 'site');
}

/** One thing a rule can alert on: a site, a hall, a contract, a team or a customer, with every figure it can read. */
export interface FigureInstance {
  labels: Labels;
  values: Partial<Record<FigureName, number>>;
}

function read<T>(readers: Record<string, Reader<T>>, x: T): Partial<Record<FigureName, number>> {
  return Object.fromEntries(Object.entries(readers).map(([name, fn]) => [name, fn(x)]));
}

/** The instances of a scope across the sites, each with its own and its site's figures. */
export function figureInstances(figures: AlertFigures, scope: FigureScope): FigureInstance[] {
  const out: FigureInstance[] = [];
  for (const site of figures.sites) {
    const siteValues = read(SITE_FIGURES, site);
    if (scope === 'site') out.push({ labels: { site: site.site }, values: siteValues });
    if (scope === 'hall') {
      for (const h of site.halls)
        out.push({ labels: { site: site.site, hall: h.hall }, values: { ...siteValues, ...read(HALL_FIGURES, h) } });
    }
    if (scope === 'contract') {
      for (const c of site.contracts) {
        out.push({
          labels: { site: site.site, customer: c.customer, contract: c.contract },
          values: { ...siteValues, ...read(CONTRACT_FIGURES, c) },
        });
      }
    }
    if (scope === 'team')
      for (const t of site.teams ?? [])
        out.push({ labels: { site: site.site, internal_team: t.team }, values: { ...siteValues, ...read(TEAM_FIGURES, t) } });
    if (scope === 'customer')
      for (const c of site.customers ?? [])
        out.push({ labels: { site: site.site, customer: c.customer }, values: { ...siteValues, ...read(CUSTOMER_FIGURES, c) } });
  }
  return out;
}
