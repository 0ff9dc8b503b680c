import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTokenService } from '../services/auth/token-service.js';
import { createAuditStore } from '../pipeline/store/audit-store.js';
import { closeDatabase, openDatabase } from '../pipeline/store/db.js';
import { createTokenStore } from '../pipeline/store/token-store.js';

/**
 * `npm run token -- --role admin --name "who"`: makes an API token straight in the database,
 * for the first admin token after a lost one (the server may be running: SQLite's lock keeps
 * the two writers apart). `--list` shows tokens, `--revoke <id>` revokes one. Audited as `cli`.
 */
const USAGE = 'usage: npm run token -- --role viewer|operator|admin --name <who> | --list | --revoke <id>   [--data-dir ./data]';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    list: { type: 'boolean', default: false },
    revoke: { type: 'string' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? './data' },
  },
});

const db = openDatabase(join(values['data-dir'], 'headroom.db'));
try {
  const tokens = createTokenService({ store: createTokenStore(db), envAdminToken: null, nowMs: Date.now });
  const audit = createAuditStore(db);
  const record = (action: string, target: string, detail: unknown): void =>
    void audit.record({ atMs: Date.now(), actor: 'cli', action, target, status: 200, detail });
  if (values.list) {
    for (const t of tokens.list())
      console.log(
        `${t.id}  ${t.role.padEnd(8)}  ${t.revokedAt ? `revoked ${t.revokedAt}` : 'live'}  last used ${t.lastUsedAt ?? 'never'}  ${t.name}`,
      );
  } else if (values.revoke !== undefined) {
    const revoked = tokens.revoke(values.revoke);
    record('revoke token', `/api/v1/tokens/${revoked.id}`, null);
    console.log(`revoked ${revoked.id} (${revoked.name})`);
  } else if (values.role !== undefined && values.name !== undefined) {
    const created = tokens.create({ name: values.name, role: values.role }, 'cli');
    record('create token', `/api/v1/tokens/${created.id}`, { name: created.name, role: created.role });
    console.log(`${created.role} token "${created.name}" (id ${created.id}); shown this once:\n${created.token}`);
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  closeDatabase(db);
}
