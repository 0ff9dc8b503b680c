/**
 * A test server for the endpoint fuzz, and the loop that drives one endpoint with generated
 * requests: never a 5xx, the request reaches its handler (no 401/403/429), every refusal has an
 * error message, and a refused request stores nothing.
 *
 * "Stores nothing" is checked after every refused case, exactly and cheaply: temporary triggers
 * on the server's own SQLite connection count the row changes it commits to every table but the
 * audit log (which records refused writes too, by design); a rolled-back change takes its count
 * with it. What the API shows (which could in principle change in memory only: the group's
 * `view`) is re-read after every case that stored something and compared every VIEW_CHECK_EVERY
 * cases; a comparison vouches for the cases since the last read, so refused cases just before a
 * write go unchecked this way (the summary line says what share of the refusals was checked).
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Headroom } from '../../../server/src/app/headroom.js';
import { FUZZ_RUNS, FUZZ_SEED, fuzzSummary } from '../../unit/fuzz/arbitraries.js';
import { bearer } from '../helpers/auth.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { FUZZ_GROUPS, type FuzzCase, type FuzzEndpoint, type FuzzGroup, type FuzzIds } from './endpoints.js';

/** Compare what the API shows this often (in cases); a comparison is one or two small GETs. */
const VIEW_CHECK_EVERY = 10;
/** Tables whose rows a refused request may add: the audit log records every write attempt with its status. */
const MAY_CHANGE_WHEN_REFUSED = ['audit_log'];

/**
 * Limits small enough for small generated bodies to reach the too_large paths too, rate limits
 * high enough never to answer in the handlers' place, and no snapshot timer writing mid-run.
 */
const FUZZ_ENV: Record<string, string> = {
  SIM_CONTRACTS: 'demo',
  // What-if needs some history to forecast from; without it the answer is 503 (unavailable).
  BACKFILL_DAYS: '3',
  MAX_BODY_BYTES: '8192',
  MAX_LINES_PER_BATCH: '32',
  MAX_SERIES_PER_BATCH: '32',
  MAX_LABEL_LENGTH: '64',
  API_RATE_LIMIT_PER_MIN: '1000000000',
  INGEST_RATE_LIMIT_PER_S: '1000000000',
  INGEST_RATE_LIMIT_TOTAL_PER_S: '1000000000',
  SNAPSHOT_INTERVAL_MS: '86400000',
};

/**
 * The fuzz tests input handling, not durability: its database lives in memory-backed /dev/shm
 * where available. On a disk every audited write attempt (refused ones too) waits for an fsync
 * (synchronous=FULL), 2–5 ms each here: 70,000 of them would be minutes of waiting on the disk.
 */
function fuzzDataDir(): string {
  return existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'headroom-fuzz-')) : tempDir();
}

export interface FuzzServer {
  h: TestHeadroom;
  ids: FuzzIds;
  /** A second token (operator): cases with `asOperator` push with it. */
  operatorToken: string;
  /** Row changes committed so far to tables a refused request must not touch. */
  committedWrites(): number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  text: string;
}

interface Client {
  send(method: string, path: string, c: FuzzCase): Promise<Answer>;
  /** The answers to `paths` (GETs) as one string. */
  read(paths: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const h = await startTestHeadroom(FUZZ_ENV, fuzzDataDir());
  const json = async <T>(path: string, init: RequestInit = {}): Promise<T> =>
    (await (await fetch(h.url + path, { ...init, headers: { ...bearer(), ...init.headers } })).json()) as T;
  const contracts = await json<{ contracts: Array<{ id: number }> }>('/api/v1/contracts');
  const webhook = await json<{ id: string }>('/api/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzz', url: 'http://127.0.0.1:9/hook' }),
  });
  const plan = await json<{ id: number }>('/api/v1/demand-plans', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzz', gpus: 64, start: '2026-06-01' }),
  });
  const operator = await json<{ token: string }>('/api/v1/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzz operator', role: 'operator' }),
  });
  const contractId = contracts.contracts[0]?.id;
  if (contractId === undefined || typeof webhook.id !== 'string' || typeof plan.id !== 'number')
    throw new Error('fuzz server: no demo contract, webhook or demand plan to PUT to');
  if (typeof operator.token !== 'string') throw new Error('fuzz server: no operator token');
  return {
    h,
    operatorToken: operator.token,
    ids: { contractId: String(contractId), demandPlanId: String(plan.id), webhookId: webhook.id },
    committedWrites: countCommittedWrites(h.db),
    async close() {
      await h.stop();
      rmSync(h.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Temporary triggers (they live on this connection only, in its temp schema) that count every
 * row inserted, updated or deleted in the main tables but MAY_CHANGE_WHEN_REFUSED. The count is
 * a temp table row, so a transaction that rolls back rolls its count back too.
 */
function countCommittedWrites(db: Headroom['db']): () => number {
  db.exec('CREATE TEMP TABLE fuzz_writes (n INTEGER NOT NULL); INSERT INTO fuzz_writes VALUES (0);');
  const tables = db
    .prepare<[], string>("SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all()
    .filter((t) => !MAY_CHANGE_WHEN_REFUSED.includes(t));
  if (tables.length < 10) throw new Error(`fuzz server: only ${tables.length} tables to watch`);
  for (const [i, table] of tables.entries()) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      // A token's last use is stamped whatever the request's fate (at most once a minute): not a write of the request's.
      const what =
        table === 'api_tokens' && op === 'UPDATE' ? 'UPDATE OF id, name, role, hash, created_at_ms, created_by, revoked_at_ms' : op;
      db.exec(`CREATE TEMP TRIGGER fuzz_${i}_${op} AFTER ${what} ON main."${table}" BEGIN UPDATE fuzz_writes SET n = n + 1; END`);
    }
  }
  const count = db.prepare<[], number>('SELECT n FROM temp.fuzz_writes').pluck();
  return () => count.get() ?? 0;
}

/** Kept-alive undici requests (lighter than fetch: the fuzz sends tens of thousands) with the admin token, or the operator's. */
function client(url: string, operatorToken: string): Client {
  const agent = new Agent({ connections: 1 });
  const send = async (method: string, path: string, c: FuzzCase): Promise<Answer> => {
    const headers: Record<string, string> = { ...bearer(c.asOperator ? operatorToken : undefined), ...c.headers };
    if (c.contentType) headers['content-type'] = c.contentType;
    const res = await request(url + path + (c.query ?? ''), { dispatcher: agent, method: method as 'GET', headers, body: c.body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  return {
    send,
    async read(paths) {
      return JSON.stringify(await Promise.all(paths.map((p) => send('GET', p, {}))));
    },
    close: () => agent.close(),
  };
}

/** `status → count`, sorted, for the summary line. */
const histogram = (counts: Map<number, number>): string =>
  [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');

const shown = (c: FuzzCase): string => JSON.stringify({ ...c, body: c.body?.slice(0, 300) });

/** Drives one endpoint with FUZZ_RUNS generated requests; `view`: what its writes could change. Prints the figures. */
export async function fuzzEndpoint(server: FuzzServer, endpoint: FuzzEndpoint, view: readonly string[]): Promise<void> {
  const { h, ids } = server;
  const path = endpoint.path(ids);
  const http = client(h.url, server.operatorToken);

  const statuses = new Map<number, number>();
  let cases = 0;
  let stored = 0;
  let refused = 0;
  let viewVouched = 0;
  /** Cases that stored nothing since the view was last read: a comparison now vouches for them. */
  let sinceRead: Array<{ c: FuzzCase; status: number }> = [];
  let baseline = await http.read(view);
  // Once a case fails, fast-check shrinks by re-running smaller cases: the baseline then means nothing.
  let failed = false;

  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(endpoint.cases, async (c) => {
        try {
          cases++;
          const before = server.committedWrites();
          const { status, text } = await http.send(endpoint.method, path, c);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const what = `${endpoint.method} ${path} ${shown(c)} → ${status} ${text.slice(0, 300)}`;
          check(status < 500, `5xx: ${what}`);
          check(status !== 401 && status !== 403 && status !== 429, `the fuzz must reach the handler: ${what}`);
          if (status >= 400) {
            refused++;
            check(typeof errorOf(text) === 'string', `a refusal names its problem in { error }: ${what}`);
            check(server.committedWrites() === before, `refused, yet rows were committed: ${what}`);
          }
          if (server.committedWrites() === before) {
            sinceRead.push({ c, status });
          } else if (!failed) {
            stored++;
            baseline = await http.read(view);
            sinceRead = [];
          }
          if (cases % VIEW_CHECK_EVERY === 0 && sinceRead.length > 0 && !failed) {
            check((await http.read(view)) === baseline, viewChanged(sinceRead));
            viewVouched += sinceRead.filter((x) => x.status >= 400).length;
            sinceRead = [];
          }
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    check((await http.read(view)) === baseline, viewChanged(sinceRead));
    viewVouched += sinceRead.filter((x) => x.status >= 400).length;
    expect((await http.send('GET', '/healthz', {})).status).toBe(200);
  } finally {
    await http.close();
  }
  const ms = performance.now() - started;
  const share = refused ? Math.round((viewVouched / refused) * 100) : 100;
  console.log(
    fuzzSummary(
      `${endpoint.method} ${endpoint.route}`,
      cases,
      ms,
      `${histogram(statuses)}; ${stored} stored; API view confirmed unchanged after ${share}% of refusals`,
    ),
  );
  expect(cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
}

/** A change of the view with nothing stored: a refused request changed something, or an accepted one only in memory (a restart would lose it). */
function viewChanged(cases: ReadonlyArray<{ c: FuzzCase; status: number }>): string {
  return `what the API shows changed, yet none of these requests stored anything:\n${cases.map((x) => `${x.status} ${shown(x.c)}`).join('\n')}`;
}

/** A per-case assertion: vitest's expect costs ≈ 10 % of a case's CPU, and runs 10,000 times per endpoint. */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** The `error` string of a `{ error, detail }` body, or undefined. */
function errorOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    return undefined;
  }
}

/** The tests of one group of FUZZ_GROUPS, on a server of its own (one file per group: vitest runs files in parallel). */
export function describeFuzzGroup(group: FuzzGroup): void {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await startFuzzServer();
  });
  afterAll(async () => {
    await server.close();
  });
  describe(`fuzz over real HTTP: ${group} endpoints`, () => {
    const { view, endpoints } = FUZZ_GROUPS[group];
    it.each(endpoints.map((e) => [`${e.method} ${e.route}`, e] as const))(
      '%s: never a 5xx, every refusal named, and a refused request stores nothing',
      async (_name, endpoint) => {
        await fuzzEndpoint(server, endpoint, view);
      },
      // 10,000 cases take 10–30 s on a loaded 2-core machine; the limit is for a machine far slower still.
      300_000,
    );
  });
}
