/**
 * Who a scheduler's allocation belongs to: the owner's own teams (internal work) or a customer
 * (sold capacity). Slurm jobs carry an account and a partition, Kubernetes pods a namespace;
 * the tenants configuration maps them. Pure: the file or environment is read at the edge
 * (config/tenants-file.ts).
 */

export type Tenant = { kind: 'internal'; team: string } | { kind: 'customer'; customer: string };
export type TenantClass = Tenant['kind'];
/** Where the tenants configuration came from: TENANTS_FILE, the simulated site's default, or none (each account its own team). */
export type TenantsSource = 'file' | 'simulator' | 'accounts';

/** What an allocation says about its owner; a missing field matches only rules that leave it out. */
export interface AllocationOwner {
  account?: string;
  partition?: string;
  namespace?: string;
}

/**
 * One mapping: an allocation whose account is in `accounts`, or partition in `partitions`, or
 * namespace in `namespaces` belongs to `tenant`.
 */
export interface TenantRule {
  tenant: Tenant;
  accounts: string[];
  partitions: string[];
  namespaces: string[];
}

export interface Tenants {
  rules: TenantRule[];
  /**
   * Tenant of an allocation no rule names: internal under a team name, null (reported as unknown),
   * or `account`: internal under its own account name (a real site with no tenants configured).
   */
  unmatched: Tenant | 'account' | null;
}

/**
 * The tenant of an allocation. Accounts are the most specific and are looked at first, then
 * namespaces, then partitions (a partition often mixes teams); within a kind the first rule in
 * the configuration wins. No match gives `tenants.unmatched` (with `account`: the internal team named
 * by the allocation's account, else its namespace, else its partition).
 */
export function tenantOf(tenants: Tenants, owner: AllocationOwner): Tenant | null {
  const { account, partition, namespace } = owner;
  if (account !== undefined) for (const rule of tenants.rules) if (rule.accounts.includes(account)) return rule.tenant;
  if (namespace !== undefined) for (const rule of tenants.rules) if (rule.namespaces.includes(namespace)) return rule.tenant;
  if (partition !== undefined) for (const rule of tenants.rules) if (rule.partitions.includes(partition)) return rule.tenant;
  if (tenants.unmatched !== 'account') return tenants.unmatched;
  return { kind: 'internal', team: account || namespace || partition || 'unknown' };
}

/**
 * A tenants configuration's problems: an account, partition or namespace given to two different
 * tenants (the answer would depend on rule order), or a rule that names nothing. [] when sound.
 */
export function tenantsProblems(tenants: Tenants): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const [i, rule] of tenants.rules.entries()) {
    const name = tenantName(rule.tenant);
    if (rule.accounts.length + rule.partitions.length + rule.namespaces.length === 0)
      problems.push(`rule ${i + 1} (${name}) names nothing`);
    const keys = [
      ...rule.accounts.map((a) => `account ${a}`),
      ...rule.partitions.map((p) => `partition ${p}`),
      ...rule.namespaces.map((n) => `namespace ${n}`),
    ];
    for (const key of keys) {
      const first = owners.get(key);
      if (first !== undefined && first !== name) problems.push(`${key} is given to both ${first} and ${name}`);
      owners.set(key, name);
    }
  }
  return problems;
}

/** `internal:pretrain` or `customer:Aurora Labs`. */
export function tenantName(tenant: Tenant): string {
  return tenant.kind === 'internal' ? `internal:${tenant.team}` : `customer:${tenant.customer}`;
}

/** The Slurm account name a customer's jobs run under by convention: `Aurora Labs` → `aurora-labs`. */
export function customerAccount(customer: string): string {
  return (
    customer
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'customer'
  );
}
