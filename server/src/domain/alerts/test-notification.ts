import type { AlertState } from './alert-state.js';
import { fingerprint } from './fingerprint.js';
import { groupKeyOf } from './group-key.js';
import { sortedLabels } from './labels.js';
import type { Receiver } from './receiver.js';
import { buildWebhookMessage, encodeWebhookMessage, type WebhookMessage } from './webhook-message.js';

/** The alertname of the "send test notification" alert. */
export const TEST_ALERT_NAME = 'HeadroomTestNotification';

export interface TestNotification {
  /** Its own group, so it never queues behind (or ahead of) the receiver's real notifications. */
  groupKey: string;
  message: WebhookMessage;
  body: string;
}

/**
 * The body of POST /api/v1/webhooks/:id/test: one firing info alert in Alertmanager's format,
 * so a receiver can check parsing and signature checks end to end. The adapter gives it an id
 * and a seq like any other notification and sends it through the outbox.
 */
export function buildTestNotification(receiver: Pick<Receiver, 'name'>, nowMs: number, externalUrl: string): TestNotification {
  const labels = sortedLabels({ alertname: TEST_ALERT_NAME, severity: 'info' });
  const state: AlertState = {
    fingerprint: fingerprint(labels),
    labels,
    annotations: { summary: `test notification from Headroom to receiver "${receiver.name}"` },
    status: 'firing',
    activeSinceMs: nowMs,
    firedAtMs: nowMs,
    resolvedAtMs: null,
    value: null,
    updatedAtMs: nowMs,
  };
  const groupLabels = { alertname: TEST_ALERT_NAME };
  const groupKey = groupKeyOf({ matchers: [] }, groupLabels);
  const message = buildWebhookMessage({ receiverName: receiver.name, groupKey, groupLabels, alerts: [state], externalUrl });
  return { groupKey, message, body: encodeWebhookMessage(message) };
}
