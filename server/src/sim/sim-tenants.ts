import { customerAccount, type Tenants } from '../domain/scheduler/tenants.js';
import { DEFAULT_CUSTOMER_ACCOUNT, INTERNAL_TEAMS, PARTITION } from './scheduler.js';

/**
 * The tenants of the simulated site, the default when no TENANTS_FILE is given: each internal
 * team's Slurm account (and the `inference` Kubernetes namespace the exporter labels) is its
 * team; each customer's account (`Aurora Labs` → `aurora-labs`) is that customer, and the
 * `customer` partition's unnamed account is reported as a customer too.
 */
export function simTenants(customers: readonly string[]): Tenants {
  return {
    rules: [
      ...INTERNAL_TEAMS.map((team) => ({
        tenant: { kind: 'internal' as const, team },
        accounts: [team],
        partitions: [],
        namespaces: team === 'inference' ? ['inference'] : [],
      })),
      ...customers.map((customer) => ({
        tenant: { kind: 'customer' as const, customer },
        accounts: [customerAccount(customer)],
        partitions: [],
        namespaces: [],
      })),
      {
        tenant: { kind: 'customer' as const, customer: DEFAULT_CUSTOMER_ACCOUNT },
        accounts: [DEFAULT_CUSTOMER_ACCOUNT],
        partitions: [PARTITION.customer],
        namespaces: [],
      },
    ],
    unmatched: null,
  };
}
