import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATASTROPHIC_REGEXES, FUZZ_SEED, RE2_REFUSED_REGEXES } from '../../unit/fuzz/arbitraries.js';
import { authedFetch } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { describeFuzzGroup } from './fuzz-server.js';

/** Property-based fuzzing of the alert rules and webhooks (create, replace) endpoints over real HTTP (see fuzz-server.ts). */
describeFuzzGroup('alerts');

/** A label value `(a+)+` and `(.*a){25}` almost match: exponential for a backtracking engine. */
const ALMOST = `${'a'.repeat(28)}!`;
/** One round (rules, matchers over every firing alert) must stay far below a backtracking stall. */
const ROUND_LIMIT_MS = 250;

const send = async (h: TestHeadroom, method: string, path: string, body: unknown) => {
  const res = await authedFetch(h.url + path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
};

/**
 * Issue 16 (item 1): every regex field of a receiver (the text and the object form of a matcher,
 * on create and replace) with RE2-refused regexes → 400 naming that matcher; catastrophic ones
 * are saved and matched against firing alerts with label values built to make them backtrack,
 * and rounds stay fast and the server answers.
 */
describe('fuzz over real HTTP: webhook matcher regexes (ReDoS)', () => {
  let h: TestHeadroom;
  let id = '';
  beforeAll(async () => {
    h = await startTestHeadroom();
    const labels = { team: ALMOST, note: 'a'.repeat(24) };
    const rule = { name: 'Aaaaaaaaaaaaaaaaaaaaaaaaaaaaa0', figure: 'power_feed_watts', op: '>', threshold: 0, severity: 'warning', labels };
    expect((await send(h, 'PUT', '/api/v1/alerts/rules', [rule])).status).toBe(200);
    id = String((await send(h, 'POST', '/api/v1/webhooks', { name: 'fuzz', url: 'http://127.0.0.1:9/hook' })).body.id);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses RE2-incompatible regexes naming the matcher, saves catastrophic ones, and rounds stay fast', async () => {
    const regex = (values: readonly string[]) =>
      fc
        .tuple(fc.constantFrom('alertname', 'team', 'note', 'site'), fc.constantFrom('=~', '!~'), fc.constantFrom(...values), fc.boolean())
        .map(([name, type, value, asText]) => (asText ? `${name}${type}${JSON.stringify(value)}` : { name, type, value }));
    const matchers = fc.tuple(
      fc.array(regex(CATASTROPHIC_REGEXES), { maxLength: 3 }),
      fc.option(regex(RE2_REFUSED_REGEXES), { nil: undefined }),
      fc.nat(),
    );
    let slowestRoundMs = 0;
    await fc.assert(
      fc.asyncProperty(matchers, fc.boolean(), async ([ok, refused, at], create) => {
        const list: unknown[] = [...ok];
        const index = at % (list.length + 1);
        if (refused !== undefined) list.splice(index, 0, refused);
        const path = create ? '/api/v1/webhooks' : `/api/v1/webhooks/${id}`;
        const res = await send(h, create ? 'POST' : 'PUT', path, { name: 'fuzz', url: 'http://127.0.0.1:9/hook', matchers: list });
        if (refused !== undefined) {
          expect(res.status).toBe(400);
          expect(res.body.error).toMatch(new RegExp(`^matchers\\.${index}(\\.value)?: `));
          return;
        }
        expect(res.status).toBe(create ? 201 : 200);
        const started = performance.now();
        h.evaluateAlerts();
        slowestRoundMs = Math.max(slowestRoundMs, performance.now() - started);
        expect(performance.now() - started).toBeLessThan(ROUND_LIMIT_MS);
      }),
      { numRuns: 300, seed: FUZZ_SEED },
    );
    console.log(`fuzz webhook regexes: slowest alert evaluation ${slowestRoundMs.toFixed(1)} ms; replay with FUZZ_SEED=${FUZZ_SEED}`);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});
