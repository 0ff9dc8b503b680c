import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { waitFor } from './delivery-harness.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';
import { send } from './api-client.js';
import { MAX_WEBHOOK_RECEIVERS } from '../../../server/src/services/alerts/alerts-service.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** Holds on the small demo site whatever the forecast says: GPUs up are never negative. */
const ALWAYS = {
  name: 'SiteWatched',
  figure: 'power_feed_watts',
  op: '>',
  threshold: 0,
  for: 0,
  severity: 'warning',
  annotations: { summary: 'feed {{ value | power }}' },
};

describe('alert rules through the API', () => {
  let h: TestHeadroom;
  const dir = tempDir();
  beforeAll(async () => {
    h = await startTestHeadroom({}, dir);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('ships the default rules, enabled', async () => {
    const { body } = await send(h, 'GET', '/api/v1/alerts/rules');
    const rules = body.rules as Array<{ name: string; enabled: boolean }>;
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['SellableCapacitySustained', 'OversoldRisk', 'TelemetryStale', 'HeadroomLow', 'ContractUnderDelivered']),
    );
    expect(rules.every((r) => r.enabled)).toBe(true);
  });

  it('refuses a bad rule with a 400 naming the field, and keeps the rules in force', async () => {
    const bad = await send(h, 'PUT', '/api/v1/alerts/rules', { rules: [{ ...ALWAYS, figure: 'unicorns' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^0\.figure/);
    const badTemplate = await send(h, 'PUT', '/api/v1/alerts/rules', [{ ...ALWAYS, annotations: { summary: '{{ value | nope }}' } }]);
    expect(badTemplate.status).toBe(400);
    expect(badTemplate.body.error).toMatch(/annotations/);
    expect(((await send(h, 'GET', '/api/v1/alerts/rules')).body.rules as unknown[]).length).toBe(9);
  });

  it('keeps rules put through the API across a restart', async () => {
    expect((await send(h, 'PUT', '/api/v1/alerts/rules', { rules: [ALWAYS] })).status).toBe(200);
    await h.stop();
    h = await startTestHeadroom({}, dir);
    const { body } = await send(h, 'GET', '/api/v1/alerts/rules');
    expect((body.rules as Array<{ name: string }>).map((r) => r.name)).toEqual(['SiteWatched']);
  });
});

describe('webhook receivers through the API', () => {
  let h: TestHeadroom;
  beforeAll(async () => {
    h = await startTestHeadroom();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('creates a receiver: 201 with its id, a generated secret shown once, never again', async () => {
    const created = await send(h, 'POST', '/api/v1/webhooks', { name: 'ops', url: 'http://127.0.0.1:9/hook' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^wh_[0-9a-f]{16}$/),
      name: 'ops',
      secret: expect.stringMatching(/^whsec_/),
      groupWaitS: 30,
      sendResolved: true,
    });
    const id = String(created.body.id);
    expect((await send(h, 'GET', `/api/v1/webhooks/${id}`)).body).not.toHaveProperty('secret');
    expect(JSON.stringify((await send(h, 'GET', '/api/v1/webhooks')).body)).not.toContain(String(created.body.secret));
    const given = await send(h, 'POST', '/api/v1/webhooks', { name: 'given', url: 'http://127.0.0.1:9/given', secret: SECRET });
    expect(given.status).toBe(201);
    expect(given.body).not.toHaveProperty('secret');
  });

  it('refuses bad receivers with a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ url: 'http://127.0.0.1:9/' }, /^name/],
      [{ name: 'x', url: 'ftp://files.example/' }, /^url/],
      [{ name: 'x', url: 'http://127.0.0.1:9/', secret: 'whsec_short' }, /^secret/],
      [{ name: 'x', url: 'http://127.0.0.1:9/', secret: 'not-a-secret' }, /^secret: missing the whsec_ prefix/],
      [{ name: 'x', url: 'http://127.0.0.1:9/', groupWaitS: -1 }, /^groupWaitS/],
      [{ name: 'x', url: 'http://127.0.0.1:9/', matchers: ['severity=~"("'] }, /^matchers/],
      [{ name: 'x', url: 'http://127.0.0.1:9/', colour: 'red' }, /colour/],
    ] as const) {
      const res = await send(h, 'POST', '/api/v1/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toMatch(field);
    }
  });

  it('rotates a secret: both sign while the old one is in its rotation window', async () => {
    const created = await send(h, 'POST', '/api/v1/webhooks', { name: 'rotating', url: 'http://127.0.0.1:9/hook', secret: SECRET });
    const id = String(created.body.id);
    const next = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const rotated = await send(h, 'PUT', `/api/v1/webhooks/${id}`, { name: 'rotating', url: 'http://127.0.0.1:9/hook', secret: next });
    expect(rotated.body.signingSecrets).toBe(2);
    expect(h.alerts.target(id)?.secrets).toEqual([next, SECRET]);
    const ended = await send(h, 'PUT', `/api/v1/webhooks/${id}`, {
      name: 'rotating',
      url: 'http://127.0.0.1:9/hook',
      secret: next,
      rotationHours: 0,
    });
    expect(ended.body.signingSecrets).toBe(2);
  });

  it('deletes a receiver: 204, then 404', async () => {
    const id = String((await send(h, 'POST', '/api/v1/webhooks', { name: 'gone', url: 'http://127.0.0.1:9/hook' })).body.id);
    expect((await send(h, 'DELETE', `/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await send(h, 'GET', `/api/v1/webhooks/${id}`)).status).toBe(404);
    expect((await send(h, 'DELETE', `/api/v1/webhooks/${id}`)).status).toBe(404);
    expect((await send(h, 'GET', '/api/v1/webhooks/not-an-id')).status).toBe(400);
  });

  // Issue 16 item 13: there was no cap; each receiver is posted to every round.
  it(`refuses receivers beyond ${MAX_WEBHOOK_RECEIVERS} with a 409 naming the limit, and takes one again after a delete`, async () => {
    const count = async () => ((await send(h, 'GET', '/api/v1/webhooks')).body.webhooks as unknown[]).length;
    const add = (i: number) => send(h, 'POST', '/api/v1/webhooks', { name: `many ${i}`, url: `http://127.0.0.1:9/hook/${i}` });
    for (let i = await count(); i < MAX_WEBHOOK_RECEIVERS; i++) expect((await add(i)).status).toBe(201);
    const refused = await add(MAX_WEBHOOK_RECEIVERS);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(`webhooks: at most ${MAX_WEBHOOK_RECEIVERS} receivers; delete one before adding another`);
    expect(await count()).toBe(MAX_WEBHOOK_RECEIVERS);
    const first = (await send(h, 'GET', '/api/v1/webhooks')).body.webhooks as Array<{ id: string }>;
    expect((await send(h, 'DELETE', `/api/v1/webhooks/${first[0]?.id}`)).status).toBe(204);
    expect((await add(MAX_WEBHOOK_RECEIVERS)).status).toBe(201);
  });
});

describe('alerts end to end: rule → state → outbox → signed webhook', () => {
  let h: TestHeadroom;
  let receiver: TestReceiver;
  let id = '';
  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startTestHeadroom({ WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_MAX_MS: '200' });
    id = String(
      (await send(h, 'POST', '/api/v1/webhooks', { name: 'ops', url: receiver.url, secret: SECRET, groupWaitS: 0, groupIntervalS: 1 })).body
        .id,
    );
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });

  it('sends a test notification, signed, in Alertmanager format', async () => {
    const queued = await send(h, 'POST', `/api/v1/webhooks/${id}/test`);
    expect(queued.status).toBe(202);
    await waitFor('the test notification', () => receiver.requests.some((r) => r.webhookId === queued.body.id));
    const request = receiver.requests.find((r) => r.webhookId === queued.body.id);
    if (!request) throw new Error('no test notification');
    expect(new Webhook(SECRET).verify(request.body.toString('utf8'), request.headers)).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
    });
  });

  it('fires a rule, delivers it signed with the alert and its figures, and lists it as active', async () => {
    expect((await send(h, 'PUT', '/api/v1/alerts/rules', [ALWAYS])).status).toBe(200);
    h.evaluateAlerts();
    const { body } = await send(h, 'GET', '/api/v1/alerts');
    const active = body.active as Array<{
      status: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
      fingerprint: string;
    }>;
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'SiteWatched', site: 'small', severity: 'warning' },
      annotations: { summary: 'feed 585.9 kW' },
    });
    await waitFor('the firing notification', () => receiver.requests.some((r) => r.body.toString().includes('SiteWatched')));
    const request = receiver.requests.find((r) => r.body.toString().includes('SiteWatched'));
    if (!request) throw new Error('no notification');
    const message = new Webhook(SECRET).verify(request.body.toString('utf8'), request.headers) as {
      status: string;
      alerts: Array<{ fingerprint: string; labels: Record<string, string> }>;
    };
    expect(message.status).toBe('firing');
    expect(message.alerts[0]?.fingerprint).toBe(active[0]?.fingerprint);
    expect((await send(h, 'GET', `/api/v1/alerts?fingerprint=${active[0]?.fingerprint ?? ''}`)).body.active).toHaveLength(1);
  });

  it('resolves when the rule no longer holds, and sends the resolved notification', async () => {
    expect((await send(h, 'PUT', '/api/v1/alerts/rules', [{ ...ALWAYS, op: '<' }])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100)); // groupIntervalS 1
    h.evaluateAlerts();
    const { body } = await send(h, 'GET', '/api/v1/alerts');
    expect(body.active).toEqual([]);
    expect(body.recent).toMatchObject([{ status: 'resolved', labels: { alertname: 'SiteWatched' } }]);
    await waitFor('the resolved notification', () => receiver.requests.some((r) => r.body.toString().includes('"status":"resolved"')));
    const deliveries = (await send(h, 'GET', '/api/v1/webhooks/deliveries?state=delivered')).body.deliveries as unknown[];
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
  });
});
