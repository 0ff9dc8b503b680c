import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ADMIN_TOKEN, bearer } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/** Request budgets, CORS and the live view's gate, each a 4xx that names its limit. */
let h: TestHeadroom;
const sockets: Socket[] = [];
beforeAll(async () => {
  h = await startTestHeadroom({
    API_RATE_LIMIT_PER_MIN: '8',
    INGEST_RATE_LIMIT_PER_S: '3',
    INGEST_RATE_LIMIT_TOTAL_PER_S: '1000',
    CORS_ORIGINS: 'https://ops.example.com',
    LIVE_MAX_CONNECTIONS_PER_ADDRESS: '2',
  });
  await h.collectAt(h.clock.now());
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  // The server counts a connection until it sees it close.
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(() => h?.stop());

async function newToken(role: string): Promise<string> {
  const r = await fetch(`${h.url}/api/v1/tokens`, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': 'application/json' },
    body: JSON.stringify({ name: `limits ${role} ${Math.random()}`, role }),
  });
  return String(((await r.json()) as { token: string }).token);
}

const push = (token: string) =>
  fetch(`${h.url}/api/v1/ingest/json`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ gpus: [{ uuid: 'GPU-limits', host: 'limits-node', utilizationPercent: 10, powerWatts: 200 }] }),
  });

describe('rate limits per token', () => {
  it('answers 429 past the ingest budget, naming it, with Retry-After; another token keeps its own budget', async () => {
    const token = await newToken('operator');
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await push(token);
      statuses.push(r.status);
      if (r.status === 429) refused ??= r;
      else await r.arrayBuffer();
    }
    // Within one second of window at most 3 pass (a window edge may split the six 3 + 3).
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused?.json()) as { error: string }).error).toMatch(
      /more than 3 pushes per second from token "limits operator .*" \(INGEST_RATE_LIMIT_PER_S\)/,
    );
    const other = await newToken('operator');
    expect((await push(other)).status).toBe(200);
  });

  it('answers 429 past the API budget per minute, naming API_RATE_LIMIT_PER_MIN', async () => {
    const token = await newToken('viewer');
    const statuses: number[] = [];
    let body = '';
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${h.url}/api/v1/fleet`, { headers: bearer(token) });
      statuses.push(r.status);
      const text = await r.text();
      if (r.status === 429) body = text;
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
    expect(statuses.slice(8)).toEqual([429, 429]);
    expect(JSON.parse(body)).toMatchObject({
      error: expect.stringMatching(/more than 8 API requests per minute .*\(API_RATE_LIMIT_PER_MIN\)/),
    });
    // Health and /metrics are not budgeted: probes and scrapes never starve.
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(200);
  });
});

describe('CORS', () => {
  it('allows the configured origin, and no other, to call the API from a browser', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.url}/api/v1/fleet`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight('https://ops.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const evil = await preflight('https://evil.example.net');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${h.url}/api/v1/whoami`, { headers: { origin: 'https://evil.example.net' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the live view', () => {
  const connect = (options: { token?: string; origin?: string }) =>
    new Promise<{ ok: true; socket: Socket } | { ok: false; message: string }>((resolve) => {
      const socket = io(h.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        auth: options.token === undefined ? {} : { token: options.token },
        extraHeaders: options.origin ? { origin: options.origin } : {},
      });
      sockets.push(socket);
      socket.once('connect', () => resolve({ ok: true, socket }));
      socket.once('connect_error', (e) => resolve({ ok: false, message: e.message }));
    });

  it('takes the token in the handshake: none or a bad one is refused, a viewer connects', async () => {
    expect(await connect({})).toMatchObject({ ok: false, message: expect.stringMatching(/^unauthorized: missing token/) });
    expect(await connect({ token: 'hr_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject({
      ok: false,
      message: 'unauthorized: unknown token',
    });
    expect(await connect({ token: await newToken('viewer') })).toMatchObject({ ok: true });
  });

  it('drops the live connections of a token when it is revoked', async () => {
    const token = await newToken('viewer');
    const linked = await connect({ token });
    expect(linked.ok).toBe(true);
    if (!linked.ok) return;
    const dropped = new Promise<string>((resolve) => linked.socket.once('disconnect', resolve));
    const id = /^hr_([0-9a-f]{16})_/.exec(token)?.[1] ?? '';
    expect((await fetch(`${h.url}/api/v1/tokens/${id}`, { method: 'DELETE', headers: bearer() })).status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
    expect(await connect({ token })).toMatchObject({ ok: false, message: 'unauthorized: token revoked' });
  });

  it('refuses a foreign Origin before the upgrade and admits its own and the configured one', async () => {
    const foreign = await connect({ token: ADMIN_TOKEN, origin: 'https://evil.example.net' });
    expect(foreign.ok).toBe(false);
    expect(await connect({ token: ADMIN_TOKEN, origin: h.url })).toMatchObject({ ok: true });
    expect(await connect({ token: ADMIN_TOKEN, origin: 'https://ops.example.com' })).toMatchObject({ ok: true });
  });

  it('refuses connections past the limit per address, and admits again once one closes', async () => {
    const first = await connect({ token: ADMIN_TOKEN });
    const second = await connect({ token: ADMIN_TOKEN });
    expect([first.ok, second.ok]).toEqual([true, true]);
    const third = await connect({ token: ADMIN_TOKEN });
    expect(third.ok).toBe(false);
    if (first.ok) first.socket.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await connect({ token: ADMIN_TOKEN })).toMatchObject({ ok: true });
  });
});
