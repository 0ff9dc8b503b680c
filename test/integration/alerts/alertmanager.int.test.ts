import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertmanagerForwarder, type ForwardResult } from '../../../server/src/services/alerts/alertmanager-forwarder.js';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import { DEFAULT_ALERT_RULES } from '../../../server/src/domain/alerts/default-rules.js';
import { evaluateAlerts } from '../../../server/src/domain/alerts/evaluate.js';
import type { AlertFigures, SiteAlertFigures } from '../../../server/src/domain/alerts/figures.js';
import { goTime } from '../../../server/src/domain/alerts/go-json.js';
import { groupKeyOf } from '../../../server/src/domain/alerts/group-key.js';
import { pickLabels, type Labels } from '../../../server/src/domain/alerts/labels.js';
import { parseMatcher, type Matcher } from '../../../server/src/domain/alerts/matchers.js';
import { buildWebhookMessage, encodeWebhookMessage, type WebhookMessage } from '../../../server/src/domain/alerts/webhook-message.js';
import { freePort } from '../helpers/process.js';
import { alertmanagerVersion, startAlertmanager, type RunningAlertmanager } from './am-process.js';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from './am-receiver.js';

/**
 * Headroom → a real Alertmanager (Debian's prometheus-alertmanager on loopback) → its webhook
 * to a test receiver, with states from the real rule engine; plus the forwarder's behaviour
 * against bad Alertmanagers (hanging, redirecting, refusing).
 */

const EXTERNAL_URL = 'http://headroom.test:8080';
const GROUP_BY = ['alertname', 'site'];
const quietLog = { warn: () => {} };

/** A site with 4 MW sellable, a risk inside the notice period, and two of three halls silent. */
function site(over: Partial<SiteAlertFigures> = {}): SiteAlertFigures {
  return {
    site: 'dc-east',
    sellableWatts: 4_000_000,
    sellableGpus: 4_096,
    sellableValueUsdPerMonth: 9_200_000,
    oversold: 0,
    shortfallGpus: 0,
    shortfallLeadSeconds: Number.POSITIVE_INFINITY,
    riskLeadSeconds: 9 * 86_400,
    noticePeriodSeconds: 30 * 86_400,
    powerFeedWatts: 60_000_000,
    powerHeadroomWatts: 12_000_000,
    halls: [
      { hall: 'h1', telemetryAgeSeconds: 5 },
      { hall: 'h2', telemetryAgeSeconds: 600 },
      { hall: 'h3', telemetryAgeSeconds: 900 },
    ],
    contracts: [{ contract: 'c-1', customer: 'acme', contractedGpus: 512, deliveredGpus: 512 }],
    ...over,
  };
}

const figures = (s: SiteAlertFigures): AlertFigures => ({ sites: [s] });
const matcher = (text: string): Matcher => parseMatcher(text) ?? expect.unreachable(text);
const ROUTES = { critical: [matcher('severity="critical"')], rest: [matcher('severity!="critical"')] } as const;

/**
 * Each receiver a child route of an empty root (root's receiver gets nothing), as our own
 * receivers are modelled (group-key.ts), so Alertmanager's groupKeys are comparable with ours.
 */
function alertmanagerConfig(receiverUrl: string): string {
  return `
route:
  receiver: nobody
  group_by: [${GROUP_BY.join(', ')}]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - { receiver: critical, matchers: ['severity="critical"'] }
    - { receiver: rest, matchers: ['severity!="critical"'] }
receivers:
  - name: nobody
  - name: critical
    webhook_configs: [{ url: '${receiverUrl}/critical', send_resolved: true }]
  - name: rest
    webhook_configs: [{ url: '${receiverUrl}/rest', send_resolved: true }]
`;
}

/** What our webhook-message.ts writes for the same group of alerts. */
function ourBody(receiverName: keyof typeof ROUTES, alerts: readonly AlertState[]): string {
  const first = alerts[0] ?? expect.unreachable('empty group');
  const groupLabels = pickLabels(first.labels, GROUP_BY);
  const groupKey = groupKeyOf({ matchers: [...ROUTES[receiverName]] }, groupLabels);
  return encodeWebhookMessage(buildWebhookMessage({ receiverName, groupKey, groupLabels, alerts, externalUrl: EXTERNAL_URL }));
}

const messageOf = (r: ReceivedRequest) => r.body as WebhookMessage;
const keysOf = (o: object) => Object.keys(o).join(',');

interface GettableAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL: string;
  receivers: Array<{ name: string }>;
  status: { state: string };
}

const amVersion = alertmanagerVersion();

describe.skipIf(amVersion === null)(`a real Alertmanager (${amVersion ?? 'not installed'})`, () => {
  let am: RunningAlertmanager;
  let receiver: TestReceiver;
  let wallMs = Date.now();
  const results: ForwardResult[] = [];
  let forwarder: ReturnType<typeof createAlertmanagerForwarder>;
  let firing: AlertState[];

  beforeAll(async () => {
    receiver = await startTestReceiver();
    am = await startAlertmanager({ config: alertmanagerConfig(receiver.url), port: freePort(), externalUrl: EXTERNAL_URL });
    forwarder = createAlertmanagerForwarder({
      urls: [am.url],
      externalUrl: EXTERNAL_URL,
      validForMs: 5 * 60_000,
      timeoutMs: 5_000,
      // The wall clock, read where the test sets it: alert times then match ours to the millisecond.
      nowMs: () => wallMs,
      log: quietLog,
      onResult: (r) => results.push(r),
    });
    // Conditions hold from 6 h 1 min ago; every default rule's `for` has run out by now.
    wallMs = Date.now();
    const pending = evaluateAlerts(DEFAULT_ALERT_RULES, figures(site()), [], wallMs - 6 * 3_600_000 - 60_000).states;
    firing = evaluateAlerts(DEFAULT_ALERT_RULES, figures(site()), pending, wallMs).states;
    await forwarder.forward(firing, wallMs);
  });

  afterAll(async () => {
    await forwarder?.stop();
    await am?.stop();
    await receiver?.close();
  });

  it('accepts every firing alert with our labels, annotations and fingerprints, routed by severity', async () => {
    expect(results).toEqual([expect.objectContaining({ outcome: 'sent', alerts: 4 })]);
    expect(firing.map((s) => `${s.labels.alertname}/${s.labels.hall ?? '-'}`)).toEqual([
      'OversoldRisk/-',
      'SellableCapacitySustained/-',
      'TelemetryStale/h2',
      'TelemetryStale/h3',
    ]);
    const listed = await am.get<GettableAlert[]>('/api/v2/alerts');
    expect(listed).toHaveLength(firing.length);
    for (const state of firing) {
      const alert = listed.find((a) => a.fingerprint === state.fingerprint) ?? expect.unreachable(`${state.labels.alertname} not listed`);
      expect(alert.labels).toEqual(state.labels);
      expect(alert.annotations).toEqual(state.annotations);
      expect(Date.parse(alert.startsAt)).toBe(state.firedAtMs);
      expect(Date.parse(alert.endsAt)).toBe(wallMs + 5 * 60_000);
      expect(alert.generatorURL).toBe(`${EXTERNAL_URL}/api/v1/alerts?fingerprint=${state.fingerprint}`);
      expect(alert.receivers.map((r) => r.name)).toEqual([state.labels.severity === 'critical' ? 'critical' : 'rest']);
    }
    expect(listed.find((a) => a.labels.alertname === 'SellableCapacitySustained')?.annotations.summary).toBe(
      '4 MW sellable for the last 6 hours — worth $9.2M a month',
    );
  });

  it("notifies each receiver through Alertmanager's own webhook (version 4), only with the alerts its route matches", async () => {
    const critical = await receiver.waitFor((r) => r.path === '/critical');
    const stale = await receiver.waitFor((r) => r.path === '/rest' && messageOf(r).groupLabels.alertname === 'TelemetryStale');
    const sellable = await receiver.waitFor(
      (r) => r.path === '/rest' && messageOf(r).groupLabels.alertname === 'SellableCapacitySustained',
    );
    expect(messageOf(critical)).toMatchObject({
      version: '4',
      receiver: 'critical',
      status: 'firing',
      groupLabels: { alertname: 'OversoldRisk', site: 'dc-east' },
    });
    expect(messageOf(critical).alerts.map((a) => a.labels.alertname)).toEqual(['OversoldRisk']);
    expect(messageOf(stale).alerts.map((a) => a.labels.hall)).toEqual(['h2', 'h3']);
    expect(messageOf(stale).commonLabels).toEqual({ alertname: 'TelemetryStale', severity: 'warning', site: 'dc-east' });
    expect(messageOf(sellable).receiver).toBe('rest');
    for (const r of receiver.received) {
      const m = messageOf(r);
      expect(m.alerts.every((a) => (a.labels.severity === 'critical') === (r.path === '/critical'))).toBe(true);
    }
  });

  it("matches our webhook body byte for byte: Alertmanager's webhook for the same alerts is what webhook-message.ts writes", async () => {
    const group = (name: string) => firing.filter((s) => s.labels.alertname === name);
    const critical = await receiver.waitFor((r) => r.path === '/critical');
    const stale = await receiver.waitFor((r) => r.path === '/rest' && messageOf(r).groupLabels.alertname === 'TelemetryStale');
    // Shape first (the readable failure), then the bytes.
    const ours = JSON.parse(ourBody('rest', group('TelemetryStale'))) as WebhookMessage;
    expect(keysOf(messageOf(stale))).toBe(keysOf(ours));
    expect(keysOf(messageOf(stale).alerts[0] ?? {})).toBe(keysOf(ours.alerts[0] ?? {}));
    expect(messageOf(stale).groupKey).toBe(ours.groupKey);
    expect(stale.raw).toBe(ourBody('rest', group('TelemetryStale')));
    expect(critical.raw).toBe(ourBody('critical', group('OversoldRisk')));
  });

  it('sends a resolved notification once the alert is forwarded resolved', async () => {
    wallMs = Date.now();
    const states = evaluateAlerts(DEFAULT_ALERT_RULES, figures(site({ riskLeadSeconds: Number.POSITIVE_INFINITY })), firing, wallMs).states;
    const resolved = states.filter((s) => s.status === 'resolved');
    expect(resolved.map((s) => s.labels.alertname)).toEqual(['OversoldRisk']);
    await forwarder.forward(states, wallMs);

    const notice = await receiver.waitFor((r) => r.path === '/critical' && messageOf(r).status === 'resolved');
    expect(messageOf(notice).alerts).toEqual([
      expect.objectContaining({ status: 'resolved', endsAt: goTime(wallMs), fingerprint: resolved[0]?.fingerprint }),
    ]);
    expect(notice.raw).toBe(ourBody('critical', resolved));
    const listed = await am.get<GettableAlert[]>('/api/v2/alerts');
    expect(listed.map((a) => a.labels.alertname).sort()).toEqual(['SellableCapacitySustained', 'TelemetryStale', 'TelemetryStale']);
    // Nothing else changed, so the other groups were not notified again.
    expect(receiver.received.filter((r) => r.path === '/rest')).toHaveLength(2);
  });
});

describe('the Alertmanager forwarder against bad Alertmanagers', () => {
  const now = Date.now();
  const states = evaluateAlerts(DEFAULT_ALERT_RULES, figures(site()), [], now).states.map((s) => ({
    ...s,
    status: 'firing' as const,
    firedAtMs: now,
  }));
  const receivers: TestReceiver[] = [];
  const receiverFor = async (respond?: Parameters<typeof startTestReceiver>[0]) => {
    const r = await startTestReceiver(respond);
    receivers.push(r);
    return r;
  };
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('does not let a hanging Alertmanager delay a healthy one, and skips it while its POST is still running', async () => {
    const hanging = await receiverFor(() => {});
    const healthy = await receiverFor();
    const results: ForwardResult[] = [];
    const warnings: string[] = [];
    const forwarder = createAlertmanagerForwarder({
      urls: [hanging.url, healthy.url],
      externalUrl: EXTERNAL_URL,
      validForMs: 60_000,
      timeoutMs: 1_000,
      nowMs: Date.now,
      log: { warn: (_obj, msg) => warnings.push(msg) },
      onResult: (r) => results.push(r),
    });
    const first = forwarder.forward(states, now);
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]).toMatchObject({ url: `${healthy.url}/api/v2/alerts`, outcome: 'sent' });
    await forwarder.forward(states, now);
    expect(results.slice(1)).toEqual([
      { url: `${hanging.url}/api/v2/alerts`, outcome: 'skipped', alerts: states.length },
      expect.objectContaining({ url: `${healthy.url}/api/v2/alerts`, outcome: 'sent' }),
    ]);
    await first;
    expect(results[3]).toMatchObject({
      url: `${hanging.url}/api/v2/alerts`,
      outcome: 'failed',
      error: expect.stringMatching(/timeout|abort/i),
    });
    expect(healthy.received).toHaveLength(2);
    expect(hanging.received).toHaveLength(1);
    expect(warnings).toEqual(expect.arrayContaining(['alertmanager forward failed']));
    await forwarder.stop();
  });

  it('counts a redirect, an error status and a refused connection as failures, and follows no redirect', async () => {
    const target = await receiverFor();
    const redirecting = await receiverFor((_req, res) => res.writeHead(307, { location: `${target.url}/api/v2/alerts` }).end());
    const rejecting = await receiverFor((_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end('"invalid label set"'),
    );
    const gone = await startTestReceiver();
    await gone.close();
    const results: ForwardResult[] = [];
    const forwarder = createAlertmanagerForwarder({
      urls: [redirecting.url, rejecting.url, gone.url],
      externalUrl: EXTERNAL_URL,
      validForMs: 60_000,
      timeoutMs: 2_000,
      nowMs: Date.now,
      log: quietLog,
      onResult: (r) => results.push(r),
    });
    await forwarder.forward(states, now);
    const errors = Object.fromEntries(results.map((r) => [r.url, r.outcome === 'failed' ? r.error : r.outcome]));
    expect(errors).toEqual({
      [`${redirecting.url}/api/v2/alerts`]: expect.stringMatching(/^HTTP 307/),
      [`${rejecting.url}/api/v2/alerts`]: 'HTTP 400: "invalid label set"',
      [`${gone.url}/api/v2/alerts`]: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(target.received).toHaveLength(0);
  });

  it("moves alert times from the simulator's clock onto the wall clock, and sends nothing when nothing fires", async () => {
    const sink = await receiverFor();
    const wallMs = Date.UTC(2026, 4, 1, 12);
    const simNowMs = wallMs + 30 * 86_400_000;
    const forwarder = createAlertmanagerForwarder({
      urls: [sink.url],
      externalUrl: EXTERNAL_URL,
      validForMs: 60_000,
      timeoutMs: 2_000,
      nowMs: () => wallMs,
      log: quietLog,
    });
    const onSimClock = states.map((s) => ({ ...s, firedAtMs: simNowMs - 600_000 }));
    await forwarder.forward(onSimClock, simNowMs);
    await forwarder.forward([], simNowMs);
    expect(sink.received).toHaveLength(1);
    const posted = sink.received[0]?.body as Array<{ startsAt: string; endsAt: string }>;
    expect(posted[0]).toMatchObject({ startsAt: goTime(wallMs - 600_000), endsAt: goTime(wallMs + 60_000) });
  });
});
