import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { startHeadroom } from '../../../server/src/app/headroom.js';
import { ADMIN_TOKEN, bearer, NO_RATE_LIMITS } from '../helpers/auth.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom();
});
afterAll(() => h?.stop());

const call = async (method: string, path: string, token: string | null, body?: unknown) => {
  const response = await fetch(h.url + path, {
    method,
    headers: { ...(token ? bearer(token) : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};

describe('API tokens', () => {
  it('makes a token shown once, stored only hashed, and revokes it from the next request on', async () => {
    const created = await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: 'grafana reader', role: 'viewer' });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };
    expect(token).toMatch(/^hr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`hr_${id}_`)).toBe(true);
    expect(created.body).toMatchObject({
      name: 'grafana reader',
      role: 'viewer',
      createdBy: `token:env (HEADROOM_ADMIN_TOKEN)`,
      revokedAt: null,
    });

    expect((await call('GET', '/api/v1/fleet', token)).status).toBe(200);
    const listed = await call('GET', '/api/v1/tokens', ADMIN_TOKEN);
    const entry = (listed.body.tokens as Array<Record<string, unknown>>).find((t) => t.id === id);
    expect(entry).toMatchObject({ id, name: 'grafana reader', role: 'viewer' });
    expect(entry).not.toHaveProperty('token');
    expect(JSON.stringify(listed.body)).not.toContain(token.slice(20));

    // Nothing in the database file holds the token or its secret part.
    const db = new Database(`${h.dir}/headroom.db`, { readonly: true });
    const rows = db.prepare('SELECT * FROM api_tokens').all();
    db.close();
    expect(JSON.stringify(rows)).not.toContain(token.slice(20));

    const whoami = await call('GET', '/api/v1/whoami', token);
    expect(whoami.body).toMatchObject({ authenticated: true, id, name: 'grafana reader', role: 'viewer', publicRead: false });

    const revoked = await call('DELETE', `/api/v1/tokens/${id}`, ADMIN_TOKEN);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await call('GET', '/api/v1/fleet', token);
    expect(after).toMatchObject({ status: 401, body: { error: 'token revoked' } });
    expect((await call('GET', '/api/v1/whoami', token)).body).toEqual({ authenticated: false, publicRead: false, reason: 'token revoked' });
    expect((await call('DELETE', `/api/v1/tokens/${id}`, ADMIN_TOKEN)).status).toBe(404);
  });

  it('refuses a token body that is not { name, role } with 400 naming the field', async () => {
    expect(await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: 'x', role: 'root' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^role: /) },
    });
    expect(await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: '', role: 'viewer' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^name: /) },
    });
    expect(await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: 'x', role: 'viewer', token: 'mine' })).toMatchObject({ status: 400 });
  });
});

describe('the audit log', () => {
  it('records who changed what and when, for contracts, price book, rules, webhooks and tokens, secrets masked', async () => {
    const newest = (await call('GET', '/api/v1/audit?limit=1', ADMIN_TOKEN)).body.entries as Array<{ id: number }>;
    const lastId = newest[0]?.id ?? 0;
    const operator = (await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: 'ops bot', role: 'operator' })).body as {
      id: string;
      token: string;
    };
    const contract = await call('POST', '/api/v1/contracts', ADMIN_TOKEN, {
      customer: 'Audit Labs',
      capacity: { pods: 1 },
      start: '2026-12-01',
      end: '2027-11-30',
      monthlyPriceUsd: 1000,
      noticeDays: 30,
    });
    expect(contract.status).toBe(201);
    const book = (await call('GET', '/api/v1/pricebook', ADMIN_TOKEN)).body;
    expect((await call('PUT', '/api/v1/pricebook', ADMIN_TOKEN, book)).status).toBe(200);
    const rules = (await call('GET', '/api/v1/alerts/rules', ADMIN_TOKEN)).body;
    expect((await call('PUT', '/api/v1/alerts/rules', ADMIN_TOKEN, rules)).status).toBe(200);
    const secret = `whsec_${Buffer.from('dont-log-me-0123456789abcdef').toString('base64')}`;
    const hook = await call('POST', '/api/v1/webhooks', operator.token, { name: 'pager', url: 'http://127.0.0.1:9/hook', secret });
    expect(hook.status).toBe(201);
    expect((await call('DELETE', `/api/v1/contracts/${String(contract.body.id)}`, ADMIN_TOKEN)).status).toBe(204);
    // A refused change is recorded with its status too; a read is not recorded.
    expect((await call('POST', '/api/v1/contracts', ADMIN_TOKEN, { customer: '' })).status).toBe(400);
    await call('GET', '/api/v1/contracts', ADMIN_TOKEN);

    const log = await call('GET', '/api/v1/audit?limit=20', ADMIN_TOKEN);
    const entries = log.body.entries as Array<{
      id: number;
      at: string;
      actor: string;
      action: string;
      target: string;
      status: number;
      detail: unknown;
    }>;
    const mine = entries.filter((e) => e.id > lastId).reverse();
    expect(mine.every((e) => Math.abs(Date.parse(e.at) - Date.now()) < 60_000)).toBe(true);
    expect(mine.map((e) => `${e.action} ${e.status}`)).toEqual([
      'POST /api/v1/tokens 201',
      'POST /api/v1/contracts 201',
      'PUT /api/v1/pricebook 200',
      'PUT /api/v1/alerts/rules 200',
      'POST /api/v1/webhooks 201',
      `DELETE /api/v1/contracts/${String(contract.body.id)} 204`,
      'POST /api/v1/contracts 400',
    ]);
    expect(mine[1]).toMatchObject({
      actor: 'token:env (HEADROOM_ADMIN_TOKEN)',
      target: `/api/v1/contracts/${String(contract.body.id)}`,
      detail: { customer: 'Audit Labs' },
    });
    expect(mine[4]).toMatchObject({ actor: `token:${operator.id} (ops bot)`, detail: { name: 'pager', secret: '***' } });
    expect(JSON.stringify(entries)).not.toContain(secret.slice(6));
    expect(JSON.stringify(entries)).not.toContain(operator.token.slice(20));
    // Pages: older entries after `before`.
    const older = await call('GET', `/api/v1/audit?limit=2&before=${mine[2]?.id ?? 0}`, ADMIN_TOKEN);
    expect((older.body.entries as Array<{ id: number }>).map((e) => e.id)).toEqual([mine[1]?.id, mine[0]?.id]);
    // Admins only.
    expect((await call('GET', '/api/v1/audit', operator.token)).status).toBe(403);
  });
});

describe('the first admin token', () => {
  it('is made at first start, shown once with a dashboard URL that signs in, and not again', async () => {
    const dir = tempDir();
    const env = {
      PORT: '0',
      DATA_DIR: dir,
      PRESET: 'small',
      BACKFILL_DAYS: '0',
      LOG_LEVEL: 'silent',
      SIM_CONTRACTS: 'none',
      ...NO_RATE_LIMITS,
    };
    const shown: string[] = [];
    const first = await startHeadroom(loadConfig(env), { autoCollect: false, announce: (t) => shown.push(t) });
    expect(shown).toHaveLength(1);
    const token = /(hr_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(shown[0] ?? '')?.[1] ?? '';
    expect(shown[0]).toContain(`${first.url.replace('127.0.0.1', '127.0.0.1')}/#token=${token}`);
    const who = await fetch(`${first.url}/api/v1/whoami`, { headers: bearer(token) });
    expect(await who.json()).toMatchObject({ authenticated: true, role: 'admin' });
    expect((await fetch(`${first.url}/api/v1/fleet`)).status).toBe(401);
    await first.stop();

    const second = await startHeadroom(loadConfig(env), { autoCollect: false, announce: (t) => shown.push(t) });
    expect(shown).toHaveLength(1);
    expect((await fetch(`${second.url}/api/v1/tokens`, { headers: bearer(token) })).status).toBe(200);

    // Lost it? `npm run token` makes another straight in the database, with the server running.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/src/cli/token.ts', '--role', 'admin', '--name', 'recovery', '--data-dir', dir],
      { cwd: ROOT },
    );
    const recovered = /(hr_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(stdout)?.[1] ?? '';
    const me = await fetch(`${second.url}/api/v1/whoami`, { headers: bearer(recovered) });
    expect(await me.json()).toMatchObject({ authenticated: true, name: 'recovery', role: 'admin' });
    const audit = (await (await fetch(`${second.url}/api/v1/audit`, { headers: bearer(recovered) })).json()) as {
      entries: Array<{ actor: string; action: string }>;
    };
    expect(audit.entries[0]).toMatchObject({ actor: 'cli', action: 'create token' });
    await second.stop();
  });

  it('is not made when HEADROOM_ADMIN_TOKEN is set', async () => {
    const shown: string[] = [];
    const env = {
      PORT: '0',
      DATA_DIR: tempDir(),
      PRESET: 'small',
      BACKFILL_DAYS: '0',
      LOG_LEVEL: 'silent',
      SIM_CONTRACTS: 'none',
      HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const s = await startHeadroom(loadConfig(env), { autoCollect: false, announce: (t) => shown.push(t) });
    expect(shown).toEqual([]);
    expect((await fetch(`${s.url}/api/v1/tokens`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    await s.stop();
  });

  it('refuses a short HEADROOM_ADMIN_TOKEN at start, naming the variable', () => {
    expect(() => loadConfig({ HEADROOM_ADMIN_TOKEN: 'admin' })).toThrow(/HEADROOM_ADMIN_TOKEN: must be at least 32 characters/);
  });

  // Issue 16 item 13: 32 × a was accepted.
  it('refuses a guessable HEADROOM_ADMIN_TOKEN at start, naming the variable', () => {
    expect(() => loadConfig({ HEADROOM_ADMIN_TOKEN: 'a'.repeat(32) })).toThrow(
      /HEADROOM_ADMIN_TOKEN: looks guessable: is one short piece repeated/,
    );
    expect(() => loadConfig({ HEADROOM_ADMIN_TOKEN: `${'a'.repeat(31)}b` })).toThrow(/HEADROOM_ADMIN_TOKEN: looks guessable/);
    expect(loadConfig({ HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN }).auth.adminToken).toBe(ADMIN_TOKEN);
  });

  // Issue 16 item 13: the banner went to standard output beside the JSON log, which must never hold a token.
  it('writes the first admin token to an owner-only file in DATA_DIR, not to standard output, when that is not a terminal', async () => {
    const dir = tempDir();
    const env = { PORT: '0', DATA_DIR: dir, PRESET: 'small', BACKFILL_DAYS: '0', LOG_LEVEL: 'silent', SIM_CONTRACTS: 'none' };
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    const isTTY = process.stdout.isTTY;
    process.stdout.isTTY = false;
    process.stdout.write = spy as typeof process.stdout.write;
    const s = await startHeadroom(loadConfig(env), { autoCollect: false }).finally(() => {
      process.stdout.write = write;
      process.stdout.isTTY = isTTY;
    });
    const file = join(dir, 'first-admin-token.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = /(hr_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    expect(readFileSync(file, 'utf8')).toContain(`${s.url}/#token=${token}`);
    expect(written.join('')).not.toContain('hr_');
    expect(await (await fetch(`${s.url}/api/v1/whoami`, { headers: bearer(token) })).json()).toMatchObject({ role: 'admin' });
    await s.stop();
  });
});
