import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

/**
 * Property-based fuzzing of every JSON endpoint over real HTTP: whatever the body, the answer is
 * never a 5xx, the server keeps serving, and a refused request changes nothing (no partial write).
 */
let h: TestHeadroom;
let contractId = '';
let webhookId = '';
beforeAll(async () => {
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo', BACKFILL_DAYS: '3' });
  contractId = String(((await (await fetch(`${h.url}/api/v1/contracts`)).json()) as { contracts: Array<{ id: string }> }).contracts[0]?.id);
  const created = await fetch(`${h.url}/api/v1/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz', url: 'http://127.0.0.1:9/hook' }) });
  webhookId = String(((await created.json()) as { id: string }).id);
});
afterAll(async () => {
  await h.stop();
});

/** Everything a write could change, read back through the API. */
async function state(): Promise<string> {
  const paths = ['/api/v1/contracts', '/api/v1/pricebook', '/api/v1/alerts/rules', '/api/v1/webhooks'];
  return JSON.stringify(await Promise.all(paths.map(async (p) => (await fetch(h.url + p)).json())));
}

const ENDPOINTS: Array<[string, () => string]> = [
  ['POST', () => '/api/v1/ingest/json'],
  ['POST', () => '/api/v1/contracts'],
  ['PUT', () => `/api/v1/contracts/${contractId}`],
  ['PUT', () => '/api/v1/pricebook'],
  ['POST', () => '/api/v1/what-if'],
  ['PUT', () => '/api/v1/alerts/rules'],
  ['POST', () => '/api/v1/webhooks'],
  ['PUT', () => `/api/v1/webhooks/${webhookId}`],
];

/** JSON values, near-miss JSON text, and junk, with the content types clients get wrong. */
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
  fc.constantFrom('', '{', '[]', 'null', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}', '"\\ud800"', '1e999', '{"a":'.repeat(200)),
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '');

describe('fuzz: every JSON endpoint over real HTTP', () => {
  it.each(ENDPOINTS)('%s %s: never a 5xx, and a refused request writes nothing', async (method, path) => {
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        const before = await state();
        const res = await fetch(h.url + path(), { method, body: text, headers: type ? { 'content-type': type } : {} });
        const answer = await res.text();
        expect(res.status, `${method} ${path()} ${JSON.stringify(text).slice(0, 200)} → ${answer.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect((JSON.parse(answer) as { error?: unknown }).error).toEqual(expect.any(String));
          expect(await state()).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
