/**
 * Issue 16 (item 1): webhook matcher regexes are RE2. What RE2 cannot run in linear time, or a
 * regex past MAX_REGEX_LENGTH, is refused at save time with a 400 naming the field; one stored
 * before (with a lookahead, say) still loads at start, never matches, and the API names it.
 */
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REGEX_LENGTH } from '../../../server/src/domain/alerts/matchers.js';
import { send } from './api-client.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';

const HOOK = { name: 'ops', url: 'http://127.0.0.1:9/hook', groupWaitS: 0 };
const ALWAYS = { name: 'SiteWatched', figure: 'power_feed_watts', op: '>', threshold: 0, severity: 'warning' };

describe('webhook matcher regexes (RE2)', () => {
  const dir = tempDir();
  let h: TestHeadroom;
  let id = '';
  beforeAll(async () => {
    h = await startTestHeadroom({}, dir);
    id = String((await send(h, 'POST', '/api/v1/webhooks', { ...HOOK, matchers: ['site=~"s1|s2"'] })).body.id);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses backreferences, lookaround and overlong regexes with a 400 naming the matcher', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [['severity="critical"', 'site=~"(s)\\\\1"'], /^matchers\.1: bad regex/],
      [['site=~"(?=s)s1"'], /^matchers\.0: bad regex.*RE2/],
      [['site!~"(?<!x)y"'], /^matchers\.0: bad regex/],
      [[{ name: 'site', type: '=~', value: 'a'.repeat(MAX_REGEX_LENGTH + 1) }], /^matchers\.0\.value: /],
      [[`site=~"${'a'.repeat(MAX_REGEX_LENGTH + 1)}"`], /^matchers\.0: value longer than 1024 characters/],
    ];
    for (const [matchers, field] of cases) {
      for (const [method, path] of [
        ['POST', '/api/v1/webhooks'],
        ['PUT', `/api/v1/webhooks/${id}`],
      ] as const) {
        const res = await send(h, method, path, { ...HOOK, matchers });
        expect(res.status, `${method} ${JSON.stringify(matchers).slice(0, 80)}`).toBe(400);
        expect(res.body.error).toMatch(field);
      }
    }
    expect((await send(h, 'GET', `/api/v1/webhooks/${id}`)).body.matchers).toEqual([{ name: 'site', type: '=~', value: 's1|s2' }]);
  });

  it('starts with a regex stored before RE2: the matcher never matches and the API names it', async () => {
    // As a receiver saved by the JavaScript-regex engine would be: a lookahead in its body.
    h.db
      .prepare('UPDATE webhook_receivers SET body = json_set(body, ?, json(?)) WHERE id = ?')
      .run('$.matchers', JSON.stringify([{ name: 'site', type: '=~', value: '(?=s)small' }]), id);
    await h.stop();
    const logged: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (logged.push(chunk.toString()), done()) });
    h = await startTestHeadroom({}, dir, { log: pino({ level: 'warn' }, sink) });
    expect(logged.join('')).toMatch(/"webhook":"wh_[0-9a-f]{16}".*matchers that never match/);
    const shown = await send(h, 'GET', `/api/v1/webhooks/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.matcherErrors).toEqual([expect.stringMatching(/^site=~"\(\?=s\)small": .*unsupported Perl syntax/)]);
    expect((await send(h, 'GET', '/api/v1/webhooks')).status).toBe(200);

    expect((await send(h, 'PUT', '/api/v1/alerts/rules', [ALWAYS])).status).toBe(200);
    h.evaluateAlerts();
    const alerts = await send(h, 'GET', '/api/v1/alerts');
    expect(alerts.body.active).toMatchObject([{ status: 'firing', labels: { site: 'small' } }]);
    // The site label is "small", which the lookahead would have matched: the broken matcher matches nothing.
    const queued = (await send(h, 'GET', '/api/v1/webhooks/deliveries')).body.deliveries as Array<{ receiverId: string }>;
    expect(queued.filter((d) => d.receiverId === id)).toEqual([]);

    // Saving it again with an RE2 regex clears the error.
    const fixed = await send(h, 'PUT', `/api/v1/webhooks/${id}`, { ...HOOK, matchers: ['site=~"s.*"'] });
    expect(fixed.status).toBe(200);
    expect(fixed.body.matcherErrors).toEqual([]);
  });
});
