import { afterAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, tempDir } from '../helpers/harness.js';
import { freePort, killAll, startProcess } from '../helpers/process.js';
import { waitFor } from './delivery-harness.js';
import { startReceiver } from './test-receiver.js';
import { authedFetch } from '../helpers/auth.js';

/** Holds on any site (the feed is never 0 W): fires at the first evaluation. */
const ALWAYS = {
  name: 'SiteWatched',
  figure: 'power_feed_watts',
  op: '>',
  threshold: 0,
  for: 0,
  severity: 'warning',
  annotations: { summary: 'watching' },
};

afterAll(killAll);

const json = async <T>(url: string, init?: RequestInit): Promise<T> => (await authedFetch(url, init)).json() as Promise<T>;
const post = (url: string, body: unknown, method = 'POST') =>
  authedFetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface Delivery {
  id: string;
  state: string;
  attempts: number;
}
interface Alerts {
  active: Array<{ fingerprint: string; status: string; startsAt: string | null; activeSince: string }>;
}

describe('alerts across a kill -9', () => {
  it('delivers notifications queued before the kill after the restart, with the same webhook-id, and fires nothing afresh', async () => {
    const receiver = await startReceiver();
    await receiver.close(); // refused until reopened
    const dir = tempDir();
    const port = freePort();
    // Rounds (and evaluations) every simulated 10 s = 1 s of wall time.
    const env = {
      SIM_SPEED: '10',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '300',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'warn',
    };
    const first = await startProcess(dir, port, env);
    expect((await post(`${first.url}/api/v1/webhooks`, { name: 'ops', url: receiver.url, groupWaitS: 0 })).status).toBe(201);
    expect((await post(`${first.url}/api/v1/alerts/rules`, [ALWAYS], 'PUT')).status).toBe(200);
    let pending: Delivery[] = [];
    const deadline = Date.now() + 20_000;
    while (!(pending.length > 0 && pending.every((d) => d.attempts >= 1))) {
      if (Date.now() > deadline) throw new Error(`nothing queued and failing: ${JSON.stringify(pending)} ${first.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
      pending = (await json<{ deliveries: Delivery[] }>(`${first.url}/api/v1/webhooks/deliveries?state=pending`)).deliveries;
    }
    const before = await json<Alerts>(`${first.url}/api/v1/alerts`);
    first.child.kill('SIGKILL');
    await first.exited;

    await receiver.reopen();
    const second = await startProcess(dir, port, env);
    await waitFor('the queued notifications', () => pending.every((d) => receiver.requests.some((r) => r.webhookId === d.id)), 20_000);
    // A few more rounds: a restored firing alert must not notify again as new.
    await new Promise((r) => setTimeout(r, 3_000));
    const ids = new Set(receiver.requests.map((r) => r.webhookId));
    expect([...ids].sort()).toEqual(pending.map((d) => d.id).sort());
    const after = await json<Alerts>(`${second.url}/api/v1/alerts`);
    expect(after.active.map((a) => [a.fingerprint, a.status, a.startsAt])).toEqual(
      before.active.map((a) => [a.fingerprint, a.status, a.startsAt]),
    );
    second.child.kill('SIGTERM');
    await second.exited;
    await receiver.close();
  }, 90_000);
});

describe('`for` timers across a restart', () => {
  it('fires an alert due at minute 30 at minute 30, though the process stopped at minute 20', async () => {
    const dir = tempDir();
    // 100 simulated seconds per wall second: 30 simulated minutes in 18 s.
    const env = { SIM_SPEED: '100' };
    let h = await startTestHeadroom(env, dir);
    const rule = { ...ALWAYS, name: 'HalfHour', for: '30m' };
    expect((await post(`${h.url}/api/v1/alerts/rules`, [rule], 'PUT')).status).toBe(200);
    h.evaluateAlerts();
    const startedAt = Date.parse((await json<Alerts>(`${h.url}/api/v1/alerts`)).active[0]?.activeSince ?? '');
    expect((await json<Alerts>(`${h.url}/api/v1/alerts`)).active[0]?.status).toBe('pending');
    await waitFor('minute 20', () => h.clock.now() >= startedAt + 20 * 60_000, 30_000);
    h.evaluateAlerts();
    await h.stop();

    h = await startTestHeadroom(env, dir);
    // The collection clock resumes where it stopped, so the timer keeps its start.
    h.evaluateAlerts();
    const resumed = (await json<Alerts>(`${h.url}/api/v1/alerts`)).active[0];
    expect(resumed?.status).toBe('pending');
    expect(Date.parse(resumed?.activeSince ?? '')).toBe(startedAt);
    await waitFor('minute 30', () => h.clock.now() >= startedAt + 30 * 60_000, 30_000);
    h.evaluateAlerts();
    const fired = (await json<Alerts>(`${h.url}/api/v1/alerts`)).active[0];
    expect(fired?.status).toBe('firing');
    // Fired at the first evaluation past minute 30: within a few simulated minutes of it.
    const firedAt = Date.parse(fired?.startsAt ?? '');
    expect(firedAt - startedAt).toBeGreaterThanOrEqual(30 * 60_000);
    expect(firedAt - startedAt).toBeLessThan(33 * 60_000);
    await h.stop();
  }, 90_000);
});
