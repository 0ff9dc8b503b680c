import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { parseTenants, readTenantsFile, TenantsFileError } from '../../../server/src/config/tenants-file.js';

const dir = mkdtempSync(join(tmpdir(), 'headroom-tenants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TENANTS_FILE', () => {
  it('reads teams, customers and the unmatched tenant into rules', () => {
    const file = join(dir, 'tenants.json');
    writeFileSync(
      file,
      JSON.stringify({
        internal: [{ team: 'pretrain', accounts: ['pretrain'], partitions: ['train'] }],
        customers: [{ customer: 'Aurora Labs', accounts: ['aurora-labs'] }],
        unmatched: { team: 'other' },
      }),
    );
    expect(readTenantsFile(file)).toEqual({
      rules: [
        { tenant: { kind: 'internal', team: 'pretrain' }, accounts: ['pretrain'], partitions: ['train'], namespaces: [] },
        { tenant: { kind: 'customer', customer: 'Aurora Labs' }, accounts: ['aurora-labs'], partitions: [], namespaces: [] },
      ],
      unmatched: { kind: 'internal', team: 'other' },
    });
  });

  it('refuses bad JSON, unknown fields, an empty team and a name given twice, naming the file', () => {
    expect(() => parseTenants('{', 'a.json')).toThrow(/TENANTS_FILE a.json: not JSON/);
    expect(() => parseTenants('{"teams": []}', 'a.json')).toThrow(TenantsFileError);
    expect(() => parseTenants('{"internal": [{"team": "", "accounts": ["x"]}]}', 'a.json')).toThrow(/internal.0.team/);
    expect(() =>
      parseTenants('{"internal": [{"team": "a", "accounts": ["x"]}], "customers": [{"customer": "B", "accounts": ["x"]}]}', 'a.json'),
    ).toThrow(/account x is given to both internal:a and customer:B/);
    expect(() => readTenantsFile(join(dir, 'missing.json'))).toThrow(/cannot read/);
  });

  it('is read by the config at start, and a bad one stops the start naming the file and the problem', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ customers: [{ customer: 'Aurora Labs', accounts: ['aurora-labs'] }] }));
    expect(loadConfig({ TENANTS_FILE: good }).tenants).toMatchObject({
      file: good,
      fromFile: { rules: [{ tenant: { kind: 'customer', customer: 'Aurora Labs' }, accounts: ['aurora-labs'] }], unmatched: null },
      heldThresholdMs: 3_600_000,
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        internal: [
          { team: 'a', accounts: ['x'] },
          { team: 'b', accounts: ['x'] },
        ],
      }),
    );
    expect(() => loadConfig({ TENANTS_FILE: bad })).toThrow(
      `invalid configuration: TENANTS_FILE ${bad}: account x is given to both internal:a and internal:b`,
    );
    expect(loadConfig({}).tenants).toEqual({ file: null, fromFile: null, heldThresholdMs: 3_600_000 });
    expect(loadConfig({ HELD_THRESHOLD_S: '900' }).tenants.heldThresholdMs).toBe(900_000);
  });
});
