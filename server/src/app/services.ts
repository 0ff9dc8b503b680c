import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DomainError } from '../domain/errors.js';
import type { Topology } from '../domain/fleet/topology.js';
import type { Collector } from '../pipeline/collector/fleet-collector.js';
import type { Stores } from '../pipeline/store/stores.js';
import { createCapacityService } from '../services/capacity/capacity-service.js';
import { createDemandPlanService } from '../services/capacity/demand-plans.js';
import { contractSiteOf, rankPodsByInternalUse } from '../services/contracts/contract-site.js';
import { customerAccount } from '../domain/scheduler/tenants.js';
import { createContractService } from '../services/contracts/contract-service.js';
import type { Simulator } from '../sim/simulator.js';
import { nextTurn } from './lifecycle.js';
import { seedDemoBook } from './sim-site.js';
import { isoDateOfMs } from '../domain/contracts/calendar.js';
import type { SchedulerSnapshot } from '../domain/scheduler/scheduler-snapshot.js';
import type { Tenants } from '../domain/scheduler/tenants.js';

/**
 * The contract book, the demand plans and the capacity service over the collector and the
 * stores (the demo book seeded when the simulator runs), with the sold-pods lookup the
 * collector and the simulator ask per pod.
 */
export function createServices(
  config: Config,
  parts: {
    stores: Stores;
    topology: Topology;
    collector: Collector;
    clock: { now(): number };
    sim: Simulator | null;
    log: Logger;
    /** The scheduler poller's latest snapshot (the poller is built after the services). */
    schedulerLatest?: () => SchedulerSnapshot | null;
    /** Who owns the scheduler's work (app/tenancy-parts.ts): only the owner's is demand. */
    tenants?: () => Tenants;
  },
) {
  const { stores, collector, clock, log } = parts;
  const contractSite = contractSiteOf(parts.topology);
  const contracts = createContractService({
    contracts: stores.contracts,
    priceBooks: stores.priceBooks,
    site: () => contractSite,
    rankPodsForSale: () => rankPodsByInternalUse(contractSite.pods, collector.latest()),
    today: () => isoDateOfMs(clock.now()),
    nowMs: clock.now,
  });
  // Asked per pod and per round: one lookup per moment.
  let soldMemo: { tMs: number; pods: ReadonlySet<number> } | null = null;
  function soldPodsAt(tMs: number): ReadonlySet<number> {
    if (soldMemo?.tMs !== tMs) soldMemo = { tMs, pods: contracts.soldPodsAt(isoDateOfMs(tMs)) };
    return soldMemo.pods;
  }
  // The simulated scheduler's account on each sold pod: its contract's customer (tenants.ts's convention).
  let customerMemo: { tMs: number; byPod: Map<number, string> } | null = null;
  function podCustomerAt(pod: number, tMs: number): string | null {
    if (customerMemo?.tMs !== tMs) {
      const podIndex = new Map(parts.topology.pods.map((p) => [p.id, p.index]));
      const byPod = new Map<number, string>();
      for (const c of contracts.list()) for (const id of c.pods) byPod.set(podIndex.get(id) ?? -1, customerAccount(c.customer));
      customerMemo = { tMs, byPod };
    }
    return customerMemo.byPod.get(pod) ?? null;
  }
  const demandPlans = createDemandPlanService({ store: stores.demandPlans, siteGpus: () => contractSite.gpus, nowMs: clock.now });
  seedDemoBook(config, { sim: parts.sim, meta: stores.meta, contractSite, contracts, demandPlans, nowMs: clock.now() });
  const capacity = createCapacityService({
    fleet: collector,
    history: stores.rollups,
    contracts,
    // Its revision changes with every plan change: the next request for capacity sees it.
    plans: demandPlans,
    // The queue and reservations floor the forecast; tenants say which work is the owner's.
    ...(config.slurm && parts.schedulerLatest && parts.tenants
      ? {
          scheduler: {
            latest: parts.schedulerLatest,
            staleAfterMs: config.slurm.staleAfterMs,
            tenants: parts.tenants,
          },
        }
      : {}),
    now: clock.now,
    policy: config.capacity,
  });
  /** Once per round, after it: the forecast is fitted in steps, a turn apart. */
  const warmCapacity = async (): Promise<void> => {
    try {
      await capacity.warm(nextTurn);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'unavailable')) log.error({ err: error }, 'capacity computation failed');
    }
  };
  return { contractSite, contracts, soldPodsAt, podCustomerAt, demandPlans, capacity, warmCapacity };
}
