import { notifiableStatus, type AlertState } from './alert-state.js';
import { goJson, goTime, quoteMeta } from './go-json.js';
import { compareGoStrings, labelSetBefore, sortedLabels, type Labels } from './labels.js';

/**
 * The body of Alertmanager's webhook (notify/webhook `Message`, template `Data`), so any
 * receiver written for Alertmanager takes ours. Fields in Go's order: the embedded `Data`
 * (receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL), then
 * version, groupKey, truncatedAlerts.
 */

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  /** When it fired. */
  startsAt: string;
  /** When it resolved; Go's zero time `0001-01-01T00:00:00Z` while firing, as Alertmanager writes. */
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: 0;
}

export interface MessageInput {
  receiverName: string;
  groupKey: string;
  groupLabels: Labels;
  /** Firing alerts and resolved ones (see `notifiableStatus`); others are skipped. */
  alerts: readonly AlertState[];
  /** Headroom's own URL, e.g. `https://headroom.example:8080`. */
  externalUrl: string;
}

/** Where an alert links to: our alert list, filtered to it. */
export function generatorUrl(externalUrl: string, fingerprint: string): string {
  return `${externalUrl.replace(/\/+$/, '')}/api/v1/alerts?fingerprint=${fingerprint}`;
}

/**
 * Alertmanager's `AlertSlice` order: by the `job` label, then `instance` (an alert with the
 * label before one without), then `LabelSet.Before`.
 */
function alertBefore(a: Labels, b: Labels): boolean {
  for (const key of ['job', 'instance']) {
    const inA = Object.hasOwn(a, key);
    const inB = Object.hasOwn(b, key);
    if (!inA && !inB) continue;
    if (!inA) return false;
    if (!inB) return true;
    const c = compareGoStrings(a[key] ?? '', b[key] ?? '');
    if (c !== 0) return c < 0;
  }
  return labelSetBefore(a, b);
}

/** Labels (or annotations) shared, name and value, by every set: `commonLabels`. */
function common(sets: readonly Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Labels = {};
  for (const [name, value] of Object.entries(first)) if (rest.every((s) => Object.hasOwn(s, name) && s[name] === value)) out[name] = value;
  return sortedLabels(out);
}

/** The webhook message for one notification of a group. */
export function buildWebhookMessage(input: MessageInput): WebhookMessage {
  const alerts: WebhookAlert[] = [];
  for (const state of input.alerts) {
    const status = notifiableStatus(state);
    if (status === null) continue;
    alerts.push({
      status,
      labels: sortedLabels(state.labels),
      annotations: sortedLabels(state.annotations),
      startsAt: goTime(state.firedAtMs),
      endsAt: goTime(status === 'resolved' ? state.resolvedAtMs : null),
      generatorURL: generatorUrl(input.externalUrl, state.fingerprint),
      fingerprint: state.fingerprint,
    });
  }
  alerts.sort((a, b) => (alertBefore(a.labels, b.labels) ? -1 : alertBefore(b.labels, a.labels) ? 1 : 0));
  return {
    receiver: quoteMeta(input.receiverName),
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: sortedLabels(input.groupLabels),
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: input.externalUrl,
    version: '4',
    groupKey: input.groupKey,
    truncatedAlerts: 0,
  };
}

/** The exact request body: the message as Alertmanager's Go encoder writes it (signed as is). */
export function encodeWebhookMessage(message: WebhookMessage): string {
  return goJson(message);
}
