import type { AlertState } from '../../domain/alerts/alert-state.js';
import type { NotifyGroup } from '../../domain/alerts/plan.js';
import type { AlertRule } from '../../domain/alerts/rule.js';
import type { WebhookRecord } from '../../domain/alerts/webhook.js';
import { alertFiguresOf, type AlertFigureSources } from './alert-figures.js';
import { createAlertmanagerForwarder, type ForwardResult } from './alertmanager-forwarder.js';
import { createAlertsService } from './alerts-service.js';
import { createDeliveryWorker, type DeliveryLog } from './delivery.js';
import type { AlertStatePort, DeliveryEvent, OutboxPort, ReceiverPort } from './ports.js';
import { targetProblem } from './target-guard.js';

export interface AlertingOptions {
  /** Alertmanagers to forward alerts to (their base URLs). */
  alertmanagerUrls: string[];
  /** An Alertmanager resolves an alert it stops hearing of after this. */
  forwardValidForMs: number;
  webhook: {
    timeoutMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    giveUpAfterMs: number;
    allowPrivate: boolean;
    keepErrorBody: boolean;
  };
  /** Rules from ALERT_RULES_FILE: replace the stored ones at start. */
  rulesFromFile: AlertRule[] | null;
}

export interface AlertingDeps {
  /** The SQLite stores (pipeline/store), passed in by the composition root. */
  stores: {
    alerts: AlertStatePort<AlertRule[], AlertState, NotifyGroup>;
    receivers: ReceiverPort<WebhookRecord>;
    outbox: OutboxPort;
  };
  options: AlertingOptions;
  figures: AlertFigureSources;
  /** Collection time (the simulator's clock when it runs). */
  nowMs: () => number;
  /** How people reach this server, for links in alerts; read when first needed (the port is known after listen). */
  externalUrl: () => string;
  log: DeliveryLog;
  version: string;
  /** Told of every delivery attempt's outcome (metrics; the live view re-reads the outbox state). */
  onDeliveryEvent?: (event: DeliveryEvent) => void;
  /** Told of every round of alerts posted to an Alertmanager (metrics). */
  onForwardResult?: (result: ForwardResult) => void;
}

/** Delivered notifications are kept this long for the deliveries list, then pruned; dead letters stay. */
const DELIVERED_KEPT_MS = 7 * 86_400_000;

/**
 * Alerting wired: rules and states (alerts service), the durable outbox and its delivery
 * worker and Alertmanager forwarding; their metrics hear of them through `onDeliveryEvent` and
 * `onForwardResult`. Evaluated after every collection round.
 */
export function createAlerting(deps: AlertingDeps) {
  const { options, log } = deps;
  const { outbox } = deps.stores;
  const policy = { allowPrivate: options.webhook.allowPrivate };
  const forwarder = options.alertmanagerUrls.length
    ? createAlertmanagerForwarder({
        urls: options.alertmanagerUrls,
        externalUrl: deps.externalUrl(),
        validForMs: options.forwardValidForMs,
        timeoutMs: options.webhook.timeoutMs,
        nowMs: Date.now,
        log,
        onResult: deps.onForwardResult,
      })
    : null;
  const alerts = createAlertsService({
    store: deps.stores.alerts,
    receivers: deps.stores.receivers,
    outbox,
    figures: () => alertFiguresOf(deps.figures, deps.nowMs()),
    nowMs: deps.nowMs,
    wallNowMs: Date.now,
    externalUrl: deps.externalUrl,
    rulesFromFile: options.rulesFromFile,
    checkTarget: (url) => targetProblem(url, policy),
    onEnqueued: () => delivery.kick(),
    onEvaluated: forwarder ? (states, nowMs) => void forwarder.forward(states, nowMs) : undefined,
  });
  // Regexes saved before they were RE2 load but never match: say so once at start (the API shows them too).
  for (const w of alerts.listWebhooks()) {
    if (w.matcherErrors.length)
      log.warn(
        { webhook: w.id, matcherErrors: w.matcherErrors },
        `webhook ${w.name}: matchers that never match; save it again with RE2 regexes`,
      );
  }
  const delivery = createDeliveryWorker({
    outbox,
    target: (id) => alerts.target(id),
    nowMs: Date.now,
    timeoutMs: options.webhook.timeoutMs,
    giveUpAfterMs: options.webhook.giveUpAfterMs,
    backoff: { baseMs: options.webhook.backoffBaseMs, maxMs: options.webhook.backoffMaxMs },
    onEvent: (event) => deps.onDeliveryEvent?.(event),
    log,
    userAgent: `Headroom/${deps.version}`,
    keepErrorBody: options.webhook.keepErrorBody,
    policy,
  });

  /** One evaluation; a failure is logged, never thrown into the collection loop. */
  function evaluate(): void {
    try {
      for (const t of alerts.evaluate())
        log.info({ alert: t.labels, from: t.from, to: t.to, value: t.value }, `alert ${t.labels.alertname ?? ''} ${t.to}`);
    } catch (error) {
      log.error({ err: error }, 'alert evaluation failed');
    }
  }

  return {
    alerts,
    delivery,
    evaluate,
    /** What waits in the outbox and what was given up on (the live view's delivery state). */
    deliveryStats: () => ({ ...outbox.pendingStats(), dead: outbox.deadCount() }),
    start(): void {
      evaluate();
      delivery.start();
    },
    /** Drops delivered outbox entries older than a week (hourly, with history retention). */
    prune(): void {
      outbox.pruneDelivered(Date.now() - DELIVERED_KEPT_MS);
    },
    async stop(): Promise<void> {
      await delivery.stop();
      await forwarder?.stop();
    },
  };
}
