import { describe, expect, it } from 'vitest';
import { customerAccount, tenantOf, tenantsProblems, type Tenants } from '../../../server/src/domain/scheduler/tenants.js';
import { simTenants } from '../../../server/src/sim/sim-tenants.js';

const rule = (tenant: Tenants['rules'][number]['tenant'], names: Partial<Omit<Tenants['rules'][number], 'tenant'>>) => ({
  tenant,
  accounts: names.accounts ?? [],
  partitions: names.partitions ?? [],
  namespaces: names.namespaces ?? [],
});

describe('tenants', () => {
  const tenants: Tenants = {
    rules: [
      rule({ kind: 'internal', team: 'research' }, { partitions: ['gpu'] }),
      rule({ kind: 'customer', customer: 'Aurora Labs' }, { accounts: ['aurora-labs'] }),
      rule({ kind: 'internal', team: 'serving' }, { namespaces: ['vllm'] }),
    ],
    unmatched: null,
  };

  it('names an allocation by its account before its namespace, and its namespace before its partition', () => {
    expect(tenantOf(tenants, { account: 'aurora-labs', partition: 'gpu' })).toEqual({ kind: 'customer', customer: 'Aurora Labs' });
    expect(tenantOf(tenants, { account: 'someone', partition: 'gpu' })).toEqual({ kind: 'internal', team: 'research' });
    expect(tenantOf(tenants, { namespace: 'vllm', partition: 'gpu' })).toEqual({ kind: 'internal', team: 'serving' });
  });

  it('gives an allocation no rule names to the unmatched tenant, or to nobody', () => {
    expect(tenantOf(tenants, { account: 'x', partition: 'cpu' })).toBeNull();
    expect(tenantOf({ ...tenants, unmatched: { kind: 'internal', team: 'other' } }, {})).toEqual({ kind: 'internal', team: 'other' });
  });

  it('finds a name given to two tenants and a rule that names nothing', () => {
    const bad: Tenants = {
      rules: [
        rule({ kind: 'internal', team: 'a' }, { accounts: ['shared'] }),
        rule({ kind: 'customer', customer: 'B' }, { accounts: ['shared'] }),
        rule({ kind: 'internal', team: 'c' }, {}),
      ],
      unmatched: null,
    };
    expect(tenantsProblems(bad)).toEqual([
      'account shared is given to both internal:a and customer:B',
      'rule 3 (internal:c) names nothing',
    ]);
    expect(tenantsProblems(tenants)).toEqual([]);
  });

  it('turns a customer name into its account by convention', () => {
    expect(customerAccount('Aurora Labs')).toBe('aurora-labs');
    expect(customerAccount('  Helios AI, Inc. ')).toBe('helios-ai-inc');
    expect(customerAccount('!!!')).toBe('customer');
  });

  it('maps every account of the simulated site, soundly', () => {
    const sim = simTenants(['Aurora Labs', 'Helios AI']);
    expect(tenantsProblems(sim)).toEqual([]);
    expect(tenantOf(sim, { account: 'rl', partition: 'train' })).toEqual({ kind: 'internal', team: 'rl' });
    expect(tenantOf(sim, { namespace: 'inference' })).toEqual({ kind: 'internal', team: 'inference' });
    expect(tenantOf(sim, { account: 'helios-ai', partition: 'customer' })).toEqual({ kind: 'customer', customer: 'Helios AI' });
    expect(tenantOf(sim, { account: 'unknown', partition: 'customer' })?.kind).toBe('customer');
  });
});
