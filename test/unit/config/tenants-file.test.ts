import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
