import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer } from '../helpers/auth.js';
import { mountedOperations } from '../helpers/express-routes.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/**
 * The access policy, walked over the route table: every route the express app mounts is tried
 * with no token, with bad tokens and with each role too weak for it, so a route added later
 * cannot slip through untested. The role each needs is read from the OpenAPI document's
 * `x-required-role`, and a mounted route the document does not describe fails the test.
 */
type Need = 'public' | 'viewer' | 'operator' | 'admin';
const RANK: Record<Exclude<Need, 'public'>, number> = { viewer: 0, operator: 1, admin: 2 };
const ROLES = ['viewer', 'operator', 'admin'] as const;

// Path values that pass each route's parameter check, so the request reaches authorization and beyond.
const PATH_VALUES: Record<string, string> = {
  id: '1',
  uuid: 'GPU-access-test',
  host: 'h01-n0001',
};
const idFor = (template: string): string =>
  template.startsWith('/api/v1/webhooks/') ? 'wh_0123456789abcdef' : template.startsWith('/api/v1/tokens/') ? '0123456789abcdef' : '1';

const BAD_TOKENS = ['hr_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token', `${ADMIN_TOKEN}x`];

let h: TestHeadroom;
let routes: Array<{ method: string; template: string; path: string; need: Need }>;
const tokens: Record<string, string> = {};

async function send(method: string, path: string, headers: Record<string, string>, base = h.url): Promise<number> {
  const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
  const response = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  h = await startTestHeadroom();
  await h.collectAt(h.clock.now());
  const doc = (await (await fetch(`${h.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { 'x-required-role'?: Need }>>;
  };
  routes = mountedOperations(h.app).map((operation) => {
    const [method = '', template = ''] = operation.split(' ');
    const need = doc.paths[template]?.[method.toLowerCase()]?.['x-required-role'];
    if (need === undefined) throw new Error(`${operation} is mounted but the OpenAPI document gives it no x-required-role`);
    const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? idFor(template) : (PATH_VALUES[name] ?? name)));
    return { method, template, path, need };
  });
  for (const role of ROLES) {
    const created = await h.post('/api/v1/tokens', JSON.stringify({ name: `access ${role}`, role }), 'application/json');
    expect(created.status).toBe(201);
    tokens[role] = String(created.body.token);
  }
});
afterAll(() => h?.stop());

describe('every mounted route, by the role it needs', () => {
  it('covers the whole API: writes, reads and the admin-only routes', () => {
    const writes = routes.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThanOrEqual(15);
    expect(writes.every((r) => r.need !== 'public')).toBe(true);
    expect(routes.filter((r) => r.need === 'admin').map((r) => `${r.method} ${r.template}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/contracts',
        'PUT /api/v1/pricebook',
        'PUT /api/v1/alerts/rules',
        'POST /api/v1/tokens',
        'GET /api/v1/audit',
      ]),
    );
  });

  it('refuses no token and bad tokens with 401, and each weaker role with 403', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const label = `${r.method} ${r.template}`;
      if (r.need === 'public') {
        const status = await send(r.method, r.path, {});
        if (status === 401 || status === 403) wrong.push(`${label}: public but ${status} without a token`);
        continue;
      }
      const none = await send(r.method, r.path, {});
      if (none !== 401) wrong.push(`${label}: ${none} without a token (want 401)`);
      for (const bad of BAD_TOKENS) {
        const status = await send(r.method, r.path, bearer(bad));
        if (status !== 401) wrong.push(`${label}: ${status} with bad token ${bad.slice(0, 12)}… (want 401)`);
      }
      const basic = await send(r.method, r.path, { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` });
      if (basic !== 401) wrong.push(`${label}: ${basic} with Basic credentials (want 401)`);
      for (const role of ROLES) {
        const status = await send(r.method, r.path, bearer(tokens[role]));
        const enough = RANK[role] >= RANK[r.need];
        if (enough && (status === 401 || status === 403)) wrong.push(`${label}: ${role} refused with ${status}`);
        if (!enough && status !== 403) wrong.push(`${label}: ${role} got ${status} (want 403)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('applies the same policy to the same route spelt otherwise (case, trailing or doubled slash)', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.need !== 'public')) {
      for (const variant of [
        r.path.toUpperCase(),
        r.path.replace('/api/v1/', '/Api/V1/'),
        `${r.path}/`,
        r.path.replace('/api/v1/', '/api/v1//'),
      ]) {
        const status = await send(r.method, variant, {});
        if (status !== 401 && status !== 404) wrong.push(`${r.method} ${variant}: ${status} without a token`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('routes only the documented spelling: another case is a 404 even for a token that could use the route (issue 16 item 2)', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const variant of [
        r.path.toUpperCase(),
        r.path.replace('/api/v1/', '/Api/V1/'),
        // The first fixed segment's initial only (`/api/v1/Fleet/pods`): parameters may rightly take any case.
        r.path.replace(/^\/(api\/v1\/)?([a-z])/, (_m, prefix: string | undefined, c: string) => `/${prefix ?? ''}${c.toUpperCase()}`),
      ]) {
        if (variant === r.path) continue;
        const status = await send(r.method, variant, bearer(ADMIN_TOKEN));
        if (status !== 404) wrong.push(`${r.method} ${variant}: ${status} with the admin token (want 404)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('names the role needed and the role held in a 403', async () => {
    const refused = await fetch(`${h.url}/api/v1/contracts`, {
      method: 'POST',
      headers: { ...bearer(tokens.operator), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'token "access operator" has role operator; this needs admin' });
    const missing = await fetch(`${h.url}/api/v1/fleet`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as { error: string }).error).toMatch(/missing token: this needs role viewer/);
  });
});

describe('PUBLIC_READ=true', () => {
  let open: TestHeadroom;
  beforeAll(async () => {
    open = await startTestHeadroom({ PUBLIC_READ: 'true' });
    await open.collectAt(open.clock.now());
  });
  afterAll(() => open?.stop());

  it('serves every viewer read without a token and still refuses every write and every stronger read', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      if (r.need === 'public') continue;
      const status = await send(r.method, r.path, {}, open.url);
      const openRead = r.need === 'viewer' && (r.method === 'GET' || r.template === '/api/v1/what-if');
      if (openRead && status === 401) wrong.push(`${r.method} ${r.template}: 401 though reads are public`);
      if (!openRead && status !== 401) wrong.push(`${r.method} ${r.template}: ${status} without a token (want 401)`);
    }
    expect(wrong).toEqual([]);
    expect((await fetch(`${open.url}/api/v1/fleet`)).status).toBe(200);
  });

  it('still refuses a bad token rather than reading it as no token', async () => {
    expect(
      (await fetch(`${open.url}/api/v1/fleet`, { headers: bearer('hr_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }))
        .status,
    ).toBe(401);
  });
});
