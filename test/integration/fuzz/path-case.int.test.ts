/**
 * Issue 16 item 2: every spelling of a budgeted path counts against its budget. Routing took
 * `/API/v1/ingest/json` for the ingest route while the limits compared the path as written, so
 * pushes and reads in another case (or with doubled slashes) escaped the per-token, server-wide
 * and API limits. Each property spends a fresh budget with generated spellings, then checks the
 * documented spelling is refused: the generated requests were counted.
 */
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_SEED } from '../../unit/fuzz/arbitraries.js';
import { ADMIN_TOKEN, bearer } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

const PUSH = '/api/v1/ingest/json';
const READ = '/api/v1/fleet';
const PUSH_BODY = JSON.stringify({ gpus: [{ uuid: 'GPU-path-case', host: 'path-case-node', utilizationPercent: 10, powerWatts: 200 }] });
const UNLIMITED = '1000000000';

/** `path` with each letter in either case, maybe a doubled slash and a trailing one; the documented spelling now and then. */
const spelling = (path: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: path.length, maxLength: path.length }),
      fc.option(fc.nat({ max: path.length - 1 }), { nil: undefined }),
      fc.boolean(),
    )
    .map(([upper, doubled, trailing]) => {
      let s = [...path].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      if (doubled !== undefined && s[doubled] === '/') s = `${s.slice(0, doubled)}/${s.slice(doubled)}`;
      return trailing ? `${s}/` : s;
    });

const agents: Agent[] = [];
/** A request from a loopback source address of its own (Linux routes all of 127/8 to lo): a fresh per-address budget. */
async function send(url: string, options: { path: string; method?: 'GET' | 'POST'; token?: string; from?: string }): Promise<number> {
  const agent = new Agent(options.from ? { localAddress: options.from } : {});
  agents.push(agent);
  const post = options.method === 'POST';
  const res = await request(url + options.path, {
    dispatcher: agent,
    method: options.method ?? 'GET',
    headers: { ...(options.token ? bearer(options.token) : {}), ...(post ? { 'content-type': 'application/json' } : {}) },
    body: post ? PUSH_BODY : undefined,
  });
  await res.body.dump();
  return res.statusCode;
}

const servers: TestHeadroom[] = [];
async function server(env: Record<string, string>): Promise<TestHeadroom> {
  const h = await startTestHeadroom({
    API_RATE_LIMIT_PER_MIN: UNLIMITED,
    INGEST_RATE_LIMIT_PER_S: UNLIMITED,
    INGEST_RATE_LIMIT_TOTAL_PER_S: UNLIMITED,
    ...env,
  });
  servers.push(h);
  return h;
}
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await Promise.all(servers.map((h) => h.stop()));
});

describe('rate limits count every spelling of a path (issue 16 item 2)', () => {
  let perToken: TestHeadroom;
  let total: TestHeadroom;
  let api: TestHeadroom;
  // Admin tokens: a push spelt otherwise matches no documented operation, so auth.ts's default
  // deny asks for admin and refuses an operator (403) before any limit; an admin's gets through.
  const admins: string[] = [];
  const RUNS = 25;
  beforeAll(async () => {
    [perToken, total, api] = await Promise.all([
      server({ INGEST_RATE_LIMIT_PER_S: '2' }),
      server({ INGEST_RATE_LIMIT_TOTAL_PER_S: '2' }),
      server({ API_RATE_LIMIT_PER_MIN: '2', PUBLIC_READ: 'true' }),
    ]);
    for (let i = 0; i < RUNS; i++) {
      const created = await perToken.post('/api/v1/tokens', JSON.stringify({ name: `path case ${i}`, role: 'admin' }), 'application/json');
      admins.push(String(created.body.token));
    }
  });

  it('the per-token ingest limit (INGEST_RATE_LIMIT_PER_S)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.tuple(spelling(PUSH), spelling(PUSH)), async (spelt) => {
        const token = admins[run++ % RUNS];
        for (const path of spelt) await send(perToken.url, { path, method: 'POST', token });
        expect(await send(perToken.url, { path: PUSH, method: 'POST', token }), `after ${spelt.join(', ')}`).toBe(429);
      }),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
  });

  it('the server-wide ingest limit (INGEST_RATE_LIMIT_TOTAL_PER_S)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(spelling(PUSH), spelling(PUSH)), async (spelt) => {
        // The window is one second, the same for every caller: start each case in a fresh one.
        await new Promise((resolve) => setTimeout(resolve, 1_050));
        for (const path of spelt) await send(total.url, { path, method: 'POST', token: ADMIN_TOKEN });
        expect(await send(total.url, { path: PUSH, method: 'POST', token: ADMIN_TOKEN }), `after ${spelt.join(', ')}`).toBe(429);
      }),
      { numRuns: 6, seed: FUZZ_SEED },
    );
  });

  it('the API limit per address (API_RATE_LIMIT_PER_MIN), reads without a token under PUBLIC_READ', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.tuple(spelling(READ), spelling(READ)), async (spelt) => {
        const from = `127.0.0.${10 + run++}`;
        for (const path of spelt) await send(api.url, { path, from });
        expect(await send(api.url, { path: READ, from }), `after ${spelt.join(', ')} from ${from}`).toBe(429);
      }),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
  });
});
