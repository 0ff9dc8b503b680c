import type { Config } from '../config.js';
import type { FleetState } from '../domain/fleet/fleet-state.js';
import { unknownModelGpus } from '../domain/fleet/model-census.js';
import type { Topology } from '../domain/fleet/topology.js';
import type { TenantAttribution } from '../domain/scheduler/attribution.js';
import type { AlertFigureSources } from '../services/alerts/alert-figures.js';
import type { AlertingOptions } from '../services/alerts/alerting.js';
import type { CapacityService } from '../services/capacity/capacity-service.js';
import type { ContractService } from '../services/contracts/contract-service.js';
import { loadRulesFile } from './alert-rules-file.js';

/** Alerting's settings from the config (the rules file is read and checked here, at start). */
export function alertingOptions(config: Config): AlertingOptions {
  return {
    alertmanagerUrls: config.alerts.alertmanagerUrls,
    // An Alertmanager resolves an alert it stops hearing of after this: four rounds, five minutes at least.
    forwardValidForMs: Math.max(300_000, (4 * config.scrape.intervalMs) / config.sim.speed),
    webhook: config.alerts.webhook,
    rulesFromFile: config.alerts.rulesFile ? loadRulesFile(config.alerts.rulesFile) : null,
  };
}

/** What alert rules watch: the collector's latest summary, the capacity report and the contract book. */
export function alertFigureSources(parts: {
  topology: Topology;
  collector: Pick<AlertFigureSources, 'latest'> & { state: FleetState };
  capacity: Pick<CapacityService, 'capacity'>;
  contracts: Pick<ContractService, 'list' | 'valuation'>;
  tenancy: { latest(): { attribution: TenantAttribution } | null };
}): AlertFigureSources {
  const { collector, capacity, contracts } = parts;
  return {
    tenants: () => parts.tenancy.latest()?.attribution ?? null,
    topology: parts.topology,
    latest: () => collector.latest(),
    unknownModelGpus: () => unknownModelGpus(collector.state),
    capacity: () => capacity.capacity(),
    contracts: () => contracts.list(),
    contractedGpus: (id) => {
      const v = contracts.valuation(id);
      return v.phase === 'in-term' ? v.gpus : 0;
    },
  };
}
