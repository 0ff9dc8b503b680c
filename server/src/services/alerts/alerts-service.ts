import { randomUUID } from 'node:crypto';
import type { AlertState, AlertTransition } from '../../domain/alerts/alert-state.js';
import { DEFAULT_ALERT_RULES } from '../../domain/alerts/default-rules.js';
import { evaluateAlerts } from '../../domain/alerts/evaluate.js';
import type { AlertFigures } from '../../domain/alerts/figures.js';
import { fingerprintsAwaitingResolve, planNotifications, type NotifyGroup } from '../../domain/alerts/plan.js';
import { parseAlertRules, type AlertRule } from '../../domain/alerts/rule.js';
import { buildTestNotification } from '../../domain/alerts/test-notification.js';
import { DomainError } from '../../domain/errors.js';
import type { OutboxState } from '../../domain/alerts/outbox-entry.js';
import { generateSecret } from './signing.js';
import {
  activeSecrets,
  publicView,
  receiverOf,
  webhookCreateSchema,
  webhookUpdateSchema,
  type WebhookRecord,
} from '../../domain/alerts/webhook.js';
import type { AlertStatePort, OutboxPort, ReceiverPort, WebhookTarget } from './ports.js';

export interface AlertsServiceDeps {
  store: AlertStatePort<AlertRule[], AlertState, NotifyGroup>;
  receivers: ReceiverPort<WebhookRecord>;
  outbox: OutboxPort;
  /** The figures rules watch, as of the latest collection round. */
  figures: () => AlertFigures;
  /** Collection time (the simulator's clock when it runs): alert and `for` times. */
  nowMs: () => number;
  /** Wall clock: outbox ages and secret rotation. */
  wallNowMs: () => number;
  /** How people reach this server (links in alerts); read at each use. */
  externalUrl: () => string;
  /** Rules from ALERT_RULES_FILE: replace the stored ones at start. */
  rulesFromFile: AlertRule[] | null;
  /** Why a webhook URL may not be a target (SSRF policy, resolved now), or null. */
  checkTarget: (url: string) => Promise<string | null>;
  /** Called after notifications were committed to the outbox (wakes delivery). */
  onEnqueued: () => void;
  /** Called with every evaluation's states (Alertmanager forwarding). */
  onEvaluated?: (states: readonly AlertState[], nowMs: number) => void;
}

/**
 * Alert rules → alert states → notifications in the outbox, once per collection round. The
 * states, the group timers and the notifications they cause are committed in one transaction,
 * so a crash keeps all or none: nothing is lost and nothing fires twice.
 */
/**
 * Each receiver gets every matching alert each round, signed and retried for a day: without a cap,
 * one operator token could make the server post to thousands of URLs (issue 16 item 13).
 */
export const MAX_WEBHOOK_RECEIVERS = 100;
/** Firings and resolutions are kept a year and a month: the charts' longest preset is 30 days, an absolute range may look back further. */
const TRANSITION_RETENTION_MS = 400 * 86_400_000;

export function createAlertsService(deps: AlertsServiceDeps) {
  const { store, receivers, outbox } = deps;
  if (deps.rulesFromFile) store.putRules(deps.rulesFromFile, deps.wallNowMs());
  let rules: readonly AlertRule[] = store.getRules() ?? DEFAULT_ALERT_RULES;
  let states: AlertState[] = store.loadStates();
  let groups: NotifyGroup[] = store.loadGroups().map((g) => g.group);

  const activeReceivers = () => receivers.list().map((r) => receiverOf(r.id, r.receiver));
  const recordOf = (id: string): WebhookRecord => {
    const record = receivers.get(id);
    if (!record) throw new DomainError('not_found', `no webhook receiver with id ${id}`);
    return record;
  };

  async function refuseTarget(url: string): Promise<void> {
    const problem = await deps.checkTarget(url);
    if (problem) throw new DomainError('invalid', `url: refused target: ${problem}`, { path: 'url' });
  }

  return {
    /** One evaluation: returns the transitions (for logs and the live view). */
    evaluate(): AlertTransition[] {
      const nowMs = deps.nowMs();
      const evaluation = evaluateAlerts(rules, deps.figures(), states, nowMs, { keepFingerprints: fingerprintsAwaitingResolve(groups) });
      const plan = planNotifications(activeReceivers(), evaluation.states, groups, nowMs, { externalUrl: deps.externalUrl() });
      const createdAtMs = deps.wallNowMs();
      store.transaction(() => {
        store.replaceStates(
          evaluation.states.map((s) => ({ fingerprint: s.fingerprint, state: s })),
          nowMs,
        );
        store.appendTransitions(
          evaluation.transitions.filter((t) => t.to === 'firing' || t.to === 'resolved'),
          nowMs - TRANSITION_RETENTION_MS,
        );
        store.replaceGroups(plan.groups.map((g) => ({ receiverId: g.receiverId, groupKey: g.groupKey, group: g })));
        outbox.enqueue(
          plan.notifications.map(({ id, receiverId, groupKey, seq, body }) => ({ id, receiverId, groupKey, seq, body, createdAtMs })),
        );
      });
      states = evaluation.states;
      groups = plan.groups;
      if (plan.notifications.length) deps.onEnqueued();
      deps.onEvaluated?.(states, nowMs);
      return evaluation.transitions;
    },

    states: (): readonly AlertState[] => states,
    /** Firings and resolutions in [fromMs, toMs] (the last `limit`), oldest first. */
    transitions: (fromMs: number, toMs: number, limit: number): AlertTransition[] => store.transitions(fromMs, toMs, limit),
    rules: (): readonly AlertRule[] => rules,
    putRules(body: unknown): readonly AlertRule[] {
      const parsed = parseAlertRules(body);
      store.putRules(parsed, deps.wallNowMs());
      rules = parsed;
      return rules;
    },

    listWebhooks() {
      const now = deps.wallNowMs();
      return receivers.list().map((r) => publicView(r.id, r.receiver, now));
    },
    getWebhook: (id: string) => publicView(id, recordOf(id), deps.wallNowMs()),
    /** Creates a receiver; a generated secret is returned here and never again. */
    async createWebhook(body: unknown) {
      const { secret, ...rest } = webhookCreateSchema.parse(body);
      await refuseTarget(rest.url);
      // Counted after the await: two creations racing through the target check both count.
      if (receivers.list().length >= MAX_WEBHOOK_RECEIVERS) {
        throw new DomainError('conflict', `webhooks: at most ${MAX_WEBHOOK_RECEIVERS} receivers; delete one before adding another`);
      }
      const id = `wh_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const current = secret ?? generateSecret();
      receivers.put(id, { ...rest, secrets: [{ secret: current, expiresAtMs: null }] }, deps.wallNowMs());
      return { ...publicView(id, recordOf(id), deps.wallNowMs()), ...(secret ? {} : { secret: current }) };
    },
    /** Replaces a receiver; a new secret rotates: the old one signs alongside it for `rotationHours`. */
    async updateWebhook(id: string, body: unknown) {
      const existing = recordOf(id);
      const { secret, rotationHours, ...rest } = webhookUpdateSchema.parse(body);
      await refuseTarget(rest.url);
      const now = deps.wallNowMs();
      const current = existing.secrets.find((s) => s.expiresAtMs === null);
      const secrets =
        secret === undefined || secret === current?.secret
          ? existing.secrets
          : [
              { secret, expiresAtMs: null },
              ...existing.secrets.map((s) => ({ secret: s.secret, expiresAtMs: s.expiresAtMs ?? now + rotationHours * 3_600_000 })),
            ].filter((s) => s.expiresAtMs === null || s.expiresAtMs > now);
      receivers.put(id, { ...rest, secrets }, now);
      return publicView(id, recordOf(id), now);
    },
    deleteWebhook(id: string): void {
      if (!receivers.remove(id)) throw new DomainError('not_found', `no webhook receiver with id ${id}`);
    },
    /** Queues a test notification (its own group) through the outbox; returns its webhook-id. */
    sendTest(id: string): { id: string } {
      const record = recordOf(id);
      const nowMs = deps.wallNowMs();
      const test = buildTestNotification(record, nowMs, deps.externalUrl());
      const notificationId = `msg_test_${randomUUID().replaceAll('-', '')}`;
      outbox.enqueue([
        {
          id: notificationId,
          receiverId: id,
          groupKey: test.groupKey,
          seq: outbox.nextSeq(id, test.groupKey),
          body: test.body,
          createdAtMs: nowMs,
        },
      ]);
      deps.onEnqueued();
      return { id: notificationId };
    },
    deliveries(state: OutboxState | null, limit: number) {
      return outbox.list(state, limit).map(({ body: _body, ...entry }) => entry);
    },
    /** The delivery worker's view of a receiver (null once deleted). */
    target(id: string): WebhookTarget | null {
      const record = receivers.get(id);
      return record ? { id, name: record.name, url: record.url, secrets: activeSecrets(record, deps.wallNowMs()) } : null;
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
