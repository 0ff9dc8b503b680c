import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertTransitionListAnswer } from '../../../server/src/protocol/alerts.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { send } from './api-client.js';

/** Holds on the small site (its feed is never 0); `op: '<'` turns it off. */
const WATCH = { name: 'FeedWatched', figure: 'power_feed_watts', op: '>', threshold: 0, for: 0, severity: 'warning', annotations: {} };

interface Transition {
  fingerprint: string;
  labels: Record<string, string>;
  from: string;
  to: string;
  at: string;
}

const listed = async (h: TestHeadroom, query = ''): Promise<Transition[]> => {
  const answer = await send(h, 'GET', `/api/v1/alerts/transitions${query}`);
  expect(answer.status).toBe(200);
  return alertTransitionListAnswer.parse(answer.body).transitions;
};

describe('GET /api/v1/alerts/transitions: every firing and resolution, for the charts', () => {
  let h: TestHeadroom;
  const dir = tempDir();
  beforeAll(async () => {
    h = await startTestHeadroom({}, dir);
    // Fire, resolve, fire again: two episodes of one alert, a minute apart each.
    for (const op of ['>', '<', '>']) {
      expect((await send(h, 'PUT', '/api/v1/alerts/rules', { rules: [{ ...WATCH, op }] })).status).toBe(200);
      h.evaluateAlerts();
      // The next episode a little later on the collection clock (it runs with the wall's).
      const at = h.clock.now();
      while (h.clock.now() <= at + 5) await new Promise((r) => setTimeout(r, 5));
    }
  });
  afterAll(async () => {
    await h.stop();
  });

  it('lists both firings and the resolution between them, oldest first, where GET /alerts keeps only the latest episode', async () => {
    const all = (await listed(h)).filter((t) => t.labels.alertname === WATCH.name);
    expect(all.map((t) => [t.from, t.to])).toEqual([
      ['inactive', 'firing'],
      ['firing', 'resolved'],
      ['resolved', 'firing'],
    ]);
    expect(new Set(all.map((t) => t.fingerprint)).size).toBe(1);
    const at = all.map((t) => Date.parse(t.at));
    expect(at[0]).toBeLessThan(at[1]!);
    expect(at[1]).toBeLessThan(at[2]!);
    const active = (await send(h, 'GET', '/api/v1/alerts')).body.active as Array<{ labels: Record<string, string>; startsAt: string }>;
    expect(active.filter((a) => a.labels.alertname === WATCH.name).map((a) => a.startsAt)).toEqual([all[2]!.at]);
  });

  it('keeps to the range asked for, and the latest `limit` of it', async () => {
    const all = (await listed(h)).filter((t) => t.labels.alertname === WATCH.name);
    const second = all[1]!.at;
    const fromSecond = (await listed(h, `?from=${encodeURIComponent(second)}`)).filter((t) => t.labels.alertname === WATCH.name);
    expect(fromSecond.map((t) => t.at)).toEqual([all[1]!.at, all[2]!.at]);
    const toSecond = (await listed(h, `?to=${encodeURIComponent(second)}`)).filter((t) => t.labels.alertname === WATCH.name);
    expect(toSecond.map((t) => t.at)).toEqual([all[0]!.at, all[1]!.at]);
    const last = await listed(h, '?limit=1');
    expect(last.map((t) => t.at)).toEqual([(await listed(h)).at(-1)!.at]);
  });

  it('refuses a range that ends before it starts, naming the field', async () => {
    const answer = await send(h, 'GET', '/api/v1/alerts/transitions?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^from: /);
  });

  it('keeps them across a restart', async () => {
    const before = await listed(h);
    await h.stop();
    h = await startTestHeadroom({}, dir);
    expect((await listed(h)).slice(0, before.length)).toEqual(before);
  });
});
