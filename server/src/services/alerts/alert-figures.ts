import type { AlertFigures, ContractAlertFigures, SiteAlertFigures } from '../../domain/alerts/figures.js';
import type { AllocatedContract } from '../../domain/contracts/allocation.js';
import { DomainError } from '../../domain/errors.js';
import { GpuState } from '../../domain/fleet/gpu-state.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { Topology } from '../../domain/fleet/topology.js';
import type { TenantAttribution } from '../../domain/scheduler/attribution.js';
import type { CapacityFiguresPort } from './ports.js';

export interface AlertFigureSources {
  topology: Topology;
  latest(): FleetSummary | null;
  /** Throws DomainError('unavailable') while history loads. */
  capacity(): CapacityFiguresPort;
  contracts(): AllocatedContract[];
  /** GPUs a contract commits to now (0 outside its term). */
  contractedGpus(id: number): number;
  /** The last round's tenants' share of the site; null while no scheduler covers a node. */
  tenants?(): TenantAttribution | null;
  /** GPUs reporting a model the model table lacks. */
  unknownModelGpus(): number;
}

const UNKNOWN = Number.NaN;

/**
 * The figures alert rules watch, from the latest fleet summary, capacity report and contract
 * book. Unknown figures are NaN, so their alerts hold state instead of resolving while the
 * capacity report loads.
 */
export function alertFiguresOf(sources: AlertFigureSources, nowMs: number): AlertFigures {
  const { topology } = sources;
  const summary = sources.latest();
  let report: CapacityFiguresPort | null = null;
  try {
    report = sources.capacity();
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'unavailable')) throw error;
  }
  const atMs = report ? Date.parse(report.updatedAt) : nowMs;
  const lead = (iso: string | null | undefined): number =>
    iso === undefined ? UNKNOWN : iso === null ? Infinity : Math.max(0, (Date.parse(iso) - atMs) / 1000);
  const podIndex = new Map(topology.pods.map((p, i) => [p.id, i]));
  const soldUp = (podId: string): number => summary?.pods[podIndex.get(podId) ?? -1]?.counts[GpuState.sold] ?? 0;
  const contracts: ContractAlertFigures[] = summary
    ? sources
        .contracts()
        .filter((c) => c.status === 'active')
        .map((c) => ({
          contract: c.id,
          customer: c.customer,
          contractedGpus: sources.contractedGpus(Number(c.id)),
          deliveredGpus: c.pods.reduce((n, p) => n + soldUp(p), 0),
        }))
        .filter((c) => c.contractedGpus > 0)
    : [];
  const site: SiteAlertFigures = {
    site: topology.site.id,
    sellableWatts: report?.sellable.watts ?? UNKNOWN,
    sellableGpus: report?.sellable.gpus ?? UNKNOWN,
    sellableValueUsdPerMonth: report?.sellable.valueUsdPerMonth ?? UNKNOWN,
    oversold: report ? (report.risk.oversold ? 1 : 0) : UNKNOWN,
    shortfallGpus: report?.risk.shortfallGpus ?? UNKNOWN,
    shortfallLeadSeconds: lead(report?.risk.firstShortfallAt),
    riskLeadSeconds: lead(report?.risk.firstRiskAt),
    noticePeriodSeconds: report ? report.forecast.horizonDays * 86_400 : UNKNOWN,
    powerFeedWatts: topology.site.feedWatts,
    powerHeadroomWatts: summary ? topology.site.feedWatts - summary.site.facilityWatts : UNKNOWN,
    unknownModelGpus: summary ? sources.unknownModelGpus() : UNKNOWN,
    halls: topology.halls.map((hall, i) => {
      const newest = summary?.halls[i]?.newestSampleMs ?? 0;
      return { hall: hall.id, telemetryAgeSeconds: summary ? (newest > 0 ? Math.max(0, (nowMs - newest) / 1000) : Infinity) : UNKNOWN };
    }),
    contracts,
    ...tenantFigures(sources.tenants?.() ?? null),
  };
  return { sites: [site] };
}

/** The cross-checks' figures: site-wide counts, one instance per team and per customer (none without a scheduler). */
function tenantFigures(t: TenantAttribution | null): Partial<SiteAlertFigures> {
  if (!t) return {};
  const { crossChecks } = t;
  return {
    internalOnSoldGpus: crossChecks.internalOnSoldGpus,
    internalOnSoldPods: crossChecks.internalOnSoldPods,
    customerOnUnsoldGpus: crossChecks.customerOnUnsoldGpus,
    heldThresholdSeconds: crossChecks.heldThresholdSeconds,
    teams: t.teams.map((team) => ({
      team: team.team,
      heldGpus: team.held,
      heldOverThresholdGpus: team.heldOverThreshold,
      heldOverThresholdGpuHours: team.heldOverThresholdGpuHours,
      heldOverThresholdValueUsdPerMonth: team.heldOverThresholdValueUsdPerMonth ?? UNKNOWN,
      onSoldGpus: team.onSoldGpus,
    })),
    customers: t.customers.map((c) => ({ customer: c.customer, soldGpus: c.gpus, onUnsoldGpus: c.onUnsoldGpus })),
  };
}
