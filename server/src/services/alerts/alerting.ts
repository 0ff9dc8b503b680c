import { readFileSync } from 'node:fs';
import { Counter, type Registry } from 'prom-client';
import YAML from 'yaml';
import type { Config } from '../../config.js';
import { parseAlertRules, type AlertRule } from '../../domain/alerts/rule.js';
import { webhookRecordSchema } from '../../domain/alerts/webhook.js';
import { deliveryMetrics } from '../../outputs/metrics/delivery-metrics.js';
import { createAlertStore } from '../../pipeline/store/alert-store.js';
import type { Database } from '../../pipeline/store/db.js';
import { createOutboxStore } from '../../pipeline/store/outbox-store.js';
import { createReceiverStore } from '../../pipeline/store/receiver-store.js';
import { alertFiguresOf, type AlertFigureSources } from './alert-figures.js';
import { createAlertmanagerForwarder } from './alertmanager-forwarder.js';
import { createAlertsService } from './alerts-service.js';
import { createDeliveryWorker, type DeliveryLog } from './delivery.js';
import { targetProblem } from './target-guard.js';
import { storedAlertStateSchema, storedNotifyGroupSchema } from './stored-shapes.js';

export interface AlertingDeps {
  db: Database;
  config: Pick<Config, 'alerts' | 'scrape' | 'sim'>;
  registry: Registry;
  figures: AlertFigureSources;
  /** Collection time (the simulator's clock when it runs). */
  nowMs: () => number;
  /** How people reach this server, for links in alerts; read when first needed (the port is known after listen). */
  externalUrl: () => string;
  log: DeliveryLog;
  version: string;
  /** Told of every delivery attempt's outcome (the live view re-reads the outbox state). */
  onDeliveryEvent?: () => void;
}

/** Delivered notifications are kept this long for the deliveries list, then pruned; dead letters stay. */
const DELIVERED_KEPT_MS = 7 * 86_400_000;

/**
 * Alerting wired: rules and states (alerts service), the durable outbox and its delivery
 * worker, Alertmanager forwarding, and their metrics. Evaluated after every collection round.
 */
export function createAlerting(deps: AlertingDeps) {
  const { config, log } = deps;
  const outbox = createOutboxStore(deps.db);
  const policy = { allowPrivate: config.alerts.webhook.allowPrivate };
  const forwards = new Counter({
    name: 'headroom_alertmanager_forwards_total',
    help: 'Rounds of alerts posted to an Alertmanager, by outcome (sent, failed, skipped while the last was still running).',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  const forwarder = config.alerts.alertmanagerUrls.length
    ? createAlertmanagerForwarder({
        urls: config.alerts.alertmanagerUrls,
        externalUrl: deps.externalUrl(),
        // An Alertmanager resolves an alert it stops hearing of after this: four rounds, five minutes at least.
        validForMs: Math.max(300_000, (4 * config.scrape.intervalMs) / config.sim.speed),
        timeoutMs: config.alerts.webhook.timeoutMs,
        nowMs: Date.now,
        log,
        onResult: (r) => forwards.inc({ outcome: r.outcome }),
      })
    : null;
  const alerts = createAlertsService({
    store: createAlertStore(deps.db, { rules: parseAlertRules, state: (j) => storedAlertStateSchema.parse(j), group: (j) => storedNotifyGroupSchema.parse(j) }),
    receivers: createReceiverStore(deps.db, (j) => webhookRecordSchema.parse(j)),
    outbox,
    figures: () => alertFiguresOf(deps.figures, deps.nowMs()),
    nowMs: deps.nowMs,
    wallNowMs: Date.now,
    externalUrl: deps.externalUrl,
    rulesFromFile: config.alerts.rulesFile ? loadRulesFile(config.alerts.rulesFile) : null,
    checkTarget: (url) => targetProblem(url, policy),
    onEnqueued: () => delivery.kick(),
    onEvaluated: forwarder ? (states, nowMs) => void forwarder.forward(states, nowMs) : undefined,
  });
  const events = deliveryMetrics(deps.registry, { pendingStats: () => outbox.pendingStats(), nowMs: Date.now });
  const delivery = createDeliveryWorker({
    outbox,
    target: (id) => alerts.target(id),
    nowMs: Date.now,
    timeoutMs: config.alerts.webhook.timeoutMs,
    giveUpAfterMs: config.alerts.webhook.giveUpAfterMs,
    backoff: { baseMs: config.alerts.webhook.backoffBaseMs, maxMs: config.alerts.webhook.backoffMaxMs },
    onEvent: (event) => {
      events.onEvent(event);
      deps.onDeliveryEvent?.();
    },
    log,
    userAgent: `Headroom/${deps.version}`,
    policy,
  });

  /** One evaluation; a failure is logged, never thrown into the collection loop. */
  function evaluate(): void {
    try {
      for (const t of alerts.evaluate()) log.info({ alert: t.labels, from: t.from, to: t.to, value: t.value }, `alert ${t.labels.alertname ?? ''} ${t.to}`);
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

/** ALERT_RULES_FILE: YAML (or JSON, which YAML reads too), a list of rules or `{ rules: [...] }`. */
function loadRulesFile(file: string): AlertRule[] {
  try {
    const body: unknown = YAML.parse(readFileSync(file, 'utf8'));
    return parseAlertRules(typeof body === 'object' && body !== null && 'rules' in body ? body.rules : body);
  } catch (error) {
    throw new Error(`ALERT_RULES_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
