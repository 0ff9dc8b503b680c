import type { Config } from '../config.js';
import type { AllocatedContract } from '../domain/contracts/allocation.js';
import type { PriceBook } from '../domain/contracts/price-book.js';
import { HOURS_PER_MONTH } from '../domain/contracts/valuation.js';
import type { Topology } from '../domain/fleet/topology.js';
import type { Tenants, TenantsSource } from '../domain/scheduler/tenants.js';
import type { Collector } from '../pipeline/collector/fleet-collector.js';
import { createTenancyService } from '../services/tenancy/tenancy-service.js';
import { simTenants } from '../sim/sim-tenants.js';

interface Book {
  list(): AllocatedContract[];
  getPriceBook(): PriceBook;
}

/** Each job internal under its own account: a real site with no TENANTS_FILE. */
const BY_ACCOUNT: Tenants = { rules: [], unmatched: 'account' };

/**
 * The tenants in force: TENANTS_FILE's; else, on the simulated site, its default over the contract
 * book's customers (so a contract added later is a tenant at once); else every job internal under
 * its account name.
 */
export function tenantsOf(config: Config, simulated: boolean, book: () => Book) {
  let memo: { key: string; tenants: Tenants } | null = null;
  return (): { source: TenantsSource; tenants: Tenants } => {
    if (config.tenants.fromFile) return { source: 'file', tenants: config.tenants.fromFile };
    if (!simulated) return { source: 'accounts', tenants: BY_ACCOUNT };
    const customers = [
      ...new Set(
        book()
          .list()
          .map((c) => c.customer),
      ),
    ].sort();
    const key = customers.join('\n');
    if (memo?.key !== key) memo = { key, tenants: simTenants(customers) };
    return { source: 'simulator', tenants: memo.tenants };
  };
}

/** The tenancy service over the collector, the contract book (pods' customers in term) and the price book. */
export function tenancyOf(parts: {
  config: Config;
  topology: Topology;
  collector: Collector;
  tenants: ReturnType<typeof tenantsOf>;
  book: () => Book;
  soldPodsAt: (tMs: number) => ReadonlySet<number>;
}) {
  const podIndex = new Map(parts.topology.pods.map((p) => [p.id, p.index]));
  let customers: { tMs: number; byPod: Map<number, string> } | null = null;
  return createTenancyService({
    fleet: parts.collector,
    tenants: parts.tenants,
    podCustomer(pod, tMs) {
      if (customers?.tMs !== tMs) {
        const byPod = new Map<number, string>();
        const sold = parts.soldPodsAt(tMs);
        for (const c of parts.book().list())
          for (const id of c.pods) {
            const p = podIndex.get(id);
            if (p !== undefined && sold.has(p) && c.status === 'active') byPod.set(p, c.customer);
          }
        customers = { tMs, byPod };
      }
      return customers.byPod.get(pod) ?? null;
    },
    gpuMonthUsd(modelKey) {
      const rates = parts.book().getPriceBook().gpuHourUsd;
      const rate = Object.hasOwn(rates, modelKey) ? rates[modelKey] : undefined;
      return rate === undefined ? null : rate * HOURS_PER_MONTH;
    },
    heldThresholdMs: parts.config.tenants.heldThresholdMs,
  });
}
