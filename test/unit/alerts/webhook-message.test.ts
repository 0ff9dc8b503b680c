import { describe, expect, it } from 'vitest';
import { alertmanagerAlerts } from '../../../server/src/domain/alerts/alertmanager-alerts.js';
import { goJson, goTime, quoteMeta } from '../../../server/src/domain/alerts/go-json.js';
import { groupKeyOf, groupLabelsOf, routeKey } from '../../../server/src/domain/alerts/group-key.js';
import { buildTestNotification, TEST_ALERT_NAME } from '../../../server/src/domain/alerts/test-notification.js';
import { buildWebhookMessage, encodeWebhookMessage } from '../../../server/src/domain/alerts/webhook-message.js';
import { alert, MINUTE, receiver, resolved, T0 } from './builders.js';

const EXTERNAL = 'http://headroom.example:8080/';

describe('goTime', () => {
  it('writes RFC 3339 in UTC, dropping a zero fraction, as Go marshals time.Time', () => {
    expect(goTime(T0)).toBe('2026-06-01T00:00:00Z');
    expect(goTime(T0 + 250)).toBe('2026-06-01T00:00:00.25Z');
    expect(goTime(T0 + 7)).toBe('2026-06-01T00:00:00.007Z');
  });

  it("writes Go's zero time for null (endsAt of a firing alert)", () => {
    expect(goTime(null)).toBe('0001-01-01T00:00:00Z');
  });
});

describe('goJson', () => {
  it("escapes <, >, & and U+2028/2029 as Go's HTML-safe encoder, and ends with a newline", () => {
    expect(goJson({ a: '<b> & \u2028\u2029' })).toBe('{"a":"\\u003cb\\u003e \\u0026 \\u2028\\u2029"}\n');
  });

  it('writes control characters as Go (\\n, \\t, \\u0001) and a lone surrogate as U+FFFD', () => {
    expect(goJson(['\n\t\u0001', 'x\uD800y'])).toBe('["\\n\\t\\u0001","x\uFFFDy"]\n');
  });
});

describe('quoteMeta', () => {
  it('escapes regex metacharacters as Go regexp.QuoteMeta (Alertmanager applies it to the receiver name)', () => {
    expect(quoteMeta('ops')).toBe('ops');
    expect(quoteMeta('ops.team (eu)+')).toBe('ops\\.team \\(eu\\)\\+');
  });
});

describe('group keys', () => {
  it('are <route key>:<group labels> with the receiver as a child of the root route', () => {
    const r = receiver({ matchers: [{ name: 'severity', type: '=', value: 'critical' }] });
    expect(routeKey(r)).toBe('{}/{severity="critical"}');
    const labels = groupLabelsOf(r, alert().labels);
    expect(labels).toEqual({ alertname: 'A', site: 's1' });
    expect(groupKeyOf(r, labels)).toBe('{}/{severity="critical"}:{alertname="A", site="s1"}');
  });

  it('group by every label with ["..."], and by nothing with []', () => {
    expect(groupLabelsOf(receiver({ groupBy: ['...'] }), alert({ hall: 'h1' }).labels)).toEqual({
      alertname: 'A',
      hall: 'h1',
      severity: 'warning',
      site: 's1',
    });
    expect(groupKeyOf(receiver(), groupLabelsOf(receiver({ groupBy: [] }), alert().labels))).toBe('{}/{}:{}');
  });
});

describe('buildWebhookMessage', () => {
  const firing = alert({ hall: 'h03' }, { annotations: { summary: 'telemetry from hall h03 stopped', description: 'a < b & c' } });
  const gone = resolved(
    alert(
      { hall: 'h01' },
      { annotations: { summary: 'telemetry from hall h01 stopped', description: 'a < b & c' }, firedAtMs: T0 - 10 * MINUTE },
    ),
    T0 + MINUTE,
  );
  const message = buildWebhookMessage({
    receiverName: 'ops',
    groupKey: '{}/{}:{alertname="A", site="s1"}',
    groupLabels: { site: 's1', alertname: 'A' },
    alerts: [firing, gone],
    externalUrl: EXTERNAL,
  });

  it("writes exactly Alertmanager's version-4 body: Data fields first, then version, groupKey, truncatedAlerts", () => {
    const href = (fp: string) => `http://headroom.example:8080/api/v1/alerts?fingerprint=${fp}`;
    expect(encodeWebhookMessage(message)).toBe(
      `{"receiver":"ops","status":"firing","alerts":[` +
        `{"status":"resolved","labels":{"alertname":"A","hall":"h01","severity":"warning","site":"s1"},` +
        `"annotations":{"description":"a \\u003c b \\u0026 c","summary":"telemetry from hall h01 stopped"},` +
        `"startsAt":"2026-05-31T23:50:00Z","endsAt":"2026-06-01T00:01:00Z","generatorURL":"${href(gone.fingerprint)}","fingerprint":"${gone.fingerprint}"},` +
        `{"status":"firing","labels":{"alertname":"A","hall":"h03","severity":"warning","site":"s1"},` +
        `"annotations":{"description":"a \\u003c b \\u0026 c","summary":"telemetry from hall h03 stopped"},` +
        `"startsAt":"2026-06-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"${href(firing.fingerprint)}","fingerprint":"${firing.fingerprint}"}],` +
        `"groupLabels":{"alertname":"A","site":"s1"},` +
        `"commonLabels":{"alertname":"A","severity":"warning","site":"s1"},` +
        `"commonAnnotations":{"description":"a \\u003c b \\u0026 c"},` +
        `"externalURL":"http://headroom.example:8080/","version":"4","groupKey":"{}/{}:{alertname=\\"A\\", site=\\"s1\\"}","truncatedAlerts":0}\n`,
    );
  });

  it('is firing when any alert fires, resolved when all resolved', () => {
    expect(message.status).toBe('firing');
    const all = buildWebhookMessage({ receiverName: 'ops', groupKey: 'k', groupLabels: {}, alerts: [gone], externalUrl: EXTERNAL });
    expect(all.status).toBe('resolved');
    expect(all.commonAnnotations).toEqual(gone.annotations);
  });

  it('orders alerts by job, then instance, then labels (Alertmanager AlertSlice)', () => {
    const a = alert({ job: 'b', hall: 'h1' });
    const b = alert({ job: 'a', hall: 'h2' });
    const c = alert({ hall: 'h0' });
    const m = buildWebhookMessage({ receiverName: 'ops', groupKey: 'k', groupLabels: {}, alerts: [c, a, b], externalUrl: EXTERNAL });
    expect(m.alerts.map((x) => x.labels.hall)).toEqual(['h2', 'h1', 'h0']);
  });

  it('skips an alert that never fired (pending)', () => {
    const pending = alert({}, { status: 'pending', firedAtMs: null });
    expect(
      buildWebhookMessage({ receiverName: 'ops', groupKey: 'k', groupLabels: {}, alerts: [pending], externalUrl: EXTERNAL }).alerts,
    ).toEqual([]);
  });

  it('parses back to the same object', () => {
    expect(JSON.parse(encodeWebhookMessage(message))).toEqual(message);
  });
});

describe('buildTestNotification', () => {
  it('sends one firing info alert in its own group', () => {
    const t = buildTestNotification({ name: 'ops' }, T0, EXTERNAL);
    expect(t.groupKey).toBe(`{}/{}:{alertname="${TEST_ALERT_NAME}"}`);
    expect(t.message).toMatchObject({ status: 'firing', receiver: 'ops', version: '4', groupKey: t.groupKey });
    expect(t.message.alerts).toMatchObject([
      { status: 'firing', labels: { alertname: TEST_ALERT_NAME, severity: 'info' }, startsAt: '2026-06-01T00:00:00Z' },
    ]);
    expect(JSON.parse(t.body)).toEqual(t.message);
  });
});

describe('alertmanagerAlerts (POST /api/v2/alerts)', () => {
  it('sends firing alerts with endsAt ahead, resolved ones with their end for 15 min, and no pending ones', () => {
    const now = T0 + 10 * MINUTE;
    const states = [
      alert({ hall: 'h1' }),
      resolved(alert({ hall: 'h2' }), T0 + MINUTE),
      resolved(alert({ hall: 'h3' }), now - 16 * MINUTE),
      alert({ hall: 'h4' }, { status: 'pending', firedAtMs: null }),
    ];
    const posted = alertmanagerAlerts(states, now, { externalUrl: EXTERNAL, validForMs: 4 * MINUTE });
    expect(posted.map((p) => [p.labels.hall, p.startsAt, p.endsAt])).toEqual([
      ['h1', '2026-06-01T00:00:00Z', '2026-06-01T00:14:00Z'],
      ['h2', '2026-06-01T00:00:00Z', '2026-06-01T00:01:00Z'],
    ]);
  });
});
