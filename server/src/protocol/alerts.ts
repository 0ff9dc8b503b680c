import { z } from 'zod';

/**
 * Answers of /api/v1/alerts, /alerts/rules and /webhooks (services/alerts/alerts-service.ts).
 * Request bodies are the domain's schemas (domain/alerts/rule.ts, webhook.ts).
 */

/** Figures a rule can watch (domain/alerts/figures.ts; routes/alerts.ts checks every domain figure is here). */
export const FIGURE_NAMES = [
  'sellable_watts',
  'sellable_gpus',
  'sellable_value_usd_per_month',
  'oversold',
  'oversold_shortfall_gpus',
  'shortfall_lead_seconds',
  'risk_lead_seconds',
  'notice_period_seconds',
  'power_feed_watts',
  'power_headroom_watts',
  'power_headroom_ratio',
  'unknown_model_gpus',
  'telemetry_age_seconds',
  'contract_contracted_gpus',
  'contract_delivered_gpus',
  'contract_undelivered_gpus',
  'internal_on_sold_gpus',
  'internal_on_sold_pods',
  'customer_on_unsold_gpus',
  'held_threshold_seconds',
  'team_held_gpus',
  'team_held_over_threshold_gpus',
  'team_held_over_threshold_gpu_hours',
  'team_held_over_threshold_value_usd_per_month',
  'team_on_sold_gpus',
  'customer_sold_gpus',
  'customer_unsold_use_gpus',
] as const;
export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const ALERT_STATUSES = ['pending', 'firing', 'resolved'] as const;
export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
export const OUTBOX_STATES = ['pending', 'delivered', 'dead'] as const;

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');
const labels = z.record(z.string(), z.string());

const condition = {
  figure: z.enum(FIGURE_NAMES),
  op: z.enum(COMPARISON_OPS),
  threshold: z.union([z.number(), z.strictObject({ figure: z.enum(FIGURE_NAMES) })]),
};

/** A rule as in force: defaults filled in, `for` in seconds. */
export const alertRuleAnswer = z
  .strictObject({
    name: z.string(),
    ...condition,
    or: z.array(z.strictObject(condition)),
    for: z.number().describe('Seconds the condition must hold before the alert fires'),
    severity: z.enum(SEVERITIES),
    labels,
    annotations: labels,
    enabled: z.boolean(),
  })
  .meta({ id: 'AlertRule' });

export const alertRulesAnswer = z.strictObject({ rules: z.array(alertRuleAnswer) });

/** An alert: Alertmanager's field names for what they share. */
export const alertAnswer = z
  .strictObject({
    fingerprint: z.string(),
    status: z.enum(ALERT_STATUSES),
    labels,
    annotations: labels,
    activeSince: isoTime.describe('When the condition started holding in this episode'),
    startsAt: isoTime.nullable().describe('When it fired; null until it does'),
    endsAt: isoTime.nullable().describe('When it resolved'),
    value: z.number().nullable().describe("The figure's value at the last evaluation"),
  })
  .meta({ id: 'Alert' });

/** A firing or a resolution, as GET /api/v1/alerts/transitions lists them (the charts' marks). */
export const alertTransitionAnswer = z
  .strictObject({
    fingerprint: z.string(),
    labels,
    from: z.enum(['inactive', ...ALERT_STATUSES]).describe('The status it left'),
    to: z.enum(['firing', 'resolved']),
    at: isoTime,
    value: z.number().nullable().describe("The figure's value at that evaluation"),
  })
  .meta({ id: 'AlertTransition' });

export const alertTransitionListAnswer = z.strictObject({
  transitions: z.array(alertTransitionAnswer).describe('Oldest first; the last `limit` in the range'),
});

export const alertListAnswer = z.strictObject({
  active: z.array(alertAnswer).describe('Pending and firing'),
  recent: z.array(alertAnswer).describe('Recently resolved'),
});

/** A webhook receiver as shown: never a secret, only how many sign now. */
export const webhookAnswer = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    matchers: z.array(z.strictObject({ name: z.string(), type: z.enum(MATCH_TYPES), value: z.string() })),
    groupBy: z.array(z.string()),
    groupWaitS: z.number(),
    groupIntervalS: z.number(),
    repeatIntervalS: z.number(),
    sendResolved: z.boolean(),
    signingSecrets: z.number().int().describe('Secrets signing now (2 during a rotation)'),
    matcherErrors: z
      .array(z.string())
      .describe(
        'Matchers saved before regexes were RE2 whose regex no longer compiles: each never matches until the receiver is saved again',
      ),
  })
  .meta({ id: 'Webhook' });

/** POST /webhooks: the receiver, with the generated secret when none was given (shown this once). */
export const webhookCreatedAnswer = webhookAnswer.extend({ secret: z.string().optional() }).meta({ id: 'WebhookCreated' });

export const webhookListAnswer = z.strictObject({ webhooks: z.array(webhookAnswer) });

/** An outbox entry (pending, delivered, or a dead letter), without its body. */
export const deliveryAnswer = z
  .strictObject({
    id: z.string().describe('Its webhook-id on every attempt'),
    receiverId: z.string(),
    groupKey: z.string(),
    seq: z.number().int(),
    state: z.enum(OUTBOX_STATES),
    createdAtMs: z.number(),
    nextAttemptMs: z.number(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    doneAtMs: z.number().nullable(),
  })
  .meta({ id: 'Delivery' });

export const deliveryListAnswer = z.strictObject({ deliveries: z.array(deliveryAnswer) });

export const webhookTestAnswer = z.strictObject({ id: z.string().describe('The webhook-id the test is sent with') });

export type AlertRuleAnswer = z.output<typeof alertRuleAnswer>;
export type AlertAnswer = z.output<typeof alertAnswer>;
export type WebhookAnswer = z.output<typeof webhookAnswer>;
export type DeliveryAnswer = z.output<typeof deliveryAnswer>;
export type AlertListAnswer = z.output<typeof alertListAnswer>;
export type AlertTransitionListAnswer = z.output<typeof alertTransitionListAnswer>;
export type WebhookListAnswer = z.output<typeof webhookListAnswer>;
export type DeliveryListAnswer = z.output<typeof deliveryListAnswer>;
