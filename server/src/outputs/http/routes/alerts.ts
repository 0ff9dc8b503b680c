import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AlertState } from '../../../domain/alerts/alert-state.js';
import type { FigureName } from '../../../domain/alerts/figures.js';
import { alertRulesSchema } from '../../../domain/alerts/rule.js';
import { DomainError } from '../../../domain/errors.js';
import { webhookCreateSchema, webhookUpdateSchema } from '../../../domain/alerts/webhook.js';
import type { FIGURE_NAMES } from '../../../protocol/alerts.js';
import {
  alertListAnswer,
  alertRulesAnswer,
  alertTransitionListAnswer,
  deliveryListAnswer,
  webhookAnswer,
  webhookCreatedAnswer,
  webhookListAnswer,
  webhookTestAnswer,
} from '../../../protocol/alerts.js';
import type { Sent } from '../../../protocol/sent.js';
import type { AlertsDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const JSON_LIMIT_BYTES = 256 * 1024;

type AnsweredFigure = (typeof FIGURE_NAMES)[number];
// The protocol restates the figure names (it may not import domain/): this stops compiling when the two differ.
const _sameFigures: [FigureName, AnsweredFigure] extends [AnsweredFigure, FigureName] ? true : false = true;
const idParams = z.object({
  id: z
    .string()
    .regex(/^wh_[0-9a-f]{16}$/, 'must be a webhook id (wh_ and 16 hex digits)')
    .describe('Webhook receiver id'),
});
const alertsQuery = z.object({
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional()
    .describe('Only the alert with this fingerprint (its generatorURL)'),
});
const isoInstant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const transitionsQuery = z.object({
  from: isoInstant.optional().describe('Start, RFC 3339; default: the oldest kept'),
  to: isoInstant.optional().describe('End, RFC 3339; default: the newest'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000).describe('At most this many, the latest in the range'),
});
const deliveriesQuery = z.object({
  state: z.enum(['pending', 'delivered', 'dead']).optional().describe('Only deliveries in this state (dead = the dead-letter list)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** An alert as the API shows it: Alertmanager's field names for what they share. */
function alertView(s: AlertState) {
  return {
    fingerprint: s.fingerprint,
    status: s.status,
    labels: s.labels,
    annotations: s.annotations,
    activeSince: new Date(s.activeSinceMs).toISOString(),
    startsAt: s.firedAtMs === null ? null : new Date(s.firedAtMs).toISOString(),
    endsAt: s.resolvedAtMs === null ? null : new Date(s.resolvedAtMs).toISOString(),
    value: s.value,
  };
}

/** Alert rules and states, webhook receivers and their deliveries. */
export function alertRoutes(alerts: AlertsDeps): Router {
  const router = newRouter();
  const json = express.json({ limit: JSON_LIMIT_BYTES });
  router.get('/alerts', (req, res) => {
    const { fingerprint } = alertsQuery.parse(req.query);
    const all = alerts
      .states()
      .filter((s) => fingerprint === undefined || s.fingerprint === fingerprint)
      .map(alertView);
    res.json({ active: all.filter((a) => a.status !== 'resolved'), recent: all.filter((a) => a.status === 'resolved') } satisfies Sent<
      typeof alertListAnswer
    >);
  });
  router.get('/alerts/transitions', (req, res) => {
    const q = transitionsQuery.parse(req.query);
    const fromMs = q.from ?? 0;
    const toMs = q.to ?? Number.MAX_SAFE_INTEGER;
    if (fromMs > toMs) throw new DomainError('invalid', 'from: must not be after to', { path: 'from' });
    const transitions = alerts.transitions(fromMs, toMs, q.limit).map((t) => ({
      fingerprint: t.fingerprint,
      labels: t.labels,
      from: t.from,
      to: t.to as 'firing' | 'resolved',
      at: new Date(t.atMs).toISOString(),
      value: t.value,
    }));
    res.json({ transitions } satisfies Sent<typeof alertTransitionListAnswer>);
  });
  router.get('/alerts/rules', (_req, res) => {
    res.json({ rules: alerts.rules() } satisfies Sent<typeof alertRulesAnswer>);
  });
  router.put('/alerts/rules', json, (req, res) => {
    const body = req.body as { rules?: unknown } | unknown;
    res.json({ rules: alerts.putRules(typeof body === 'object' && body !== null && 'rules' in body ? body.rules : body) } satisfies Sent<
      typeof alertRulesAnswer
    >);
  });
  router.get('/webhooks', (_req, res) => {
    res.json({ webhooks: alerts.listWebhooks() } satisfies Sent<typeof webhookListAnswer>);
  });
  router.post('/webhooks', json, async (req, res) => {
    res.status(201).json((await alerts.createWebhook(req.body)) satisfies Sent<typeof webhookCreatedAnswer>);
  });
  router.get('/webhooks/deliveries', (req, res) => {
    const q = deliveriesQuery.parse(req.query);
    res.json({ deliveries: alerts.deliveries(q.state ?? null, q.limit) } satisfies Sent<typeof deliveryListAnswer>);
  });
  router.get('/webhooks/:id', (req, res) => {
    res.json(alerts.getWebhook(idParams.parse(req.params).id) satisfies Sent<typeof webhookAnswer>);
  });
  router.put('/webhooks/:id', json, async (req, res) => {
    res.json((await alerts.updateWebhook(idParams.parse(req.params).id, req.body)) satisfies Sent<typeof webhookAnswer>);
  });
  router.delete('/webhooks/:id', (req, res) => {
    alerts.deleteWebhook(idParams.parse(req.params).id);
    res.status(204).end();
  });
  router.post('/webhooks/:id/test', (req, res) => {
    res.status(202).json(alerts.sendTest(idParams.parse(req.params).id) satisfies Sent<typeof webhookTestAnswer>);
  });
  return router;
}

/** The operations above for the OpenAPI document; answers are the protocol/alerts.ts schemas. */
export const alertPaths: ZodOpenApiPathsObject = {
  '/api/v1/alerts': {
    get: {
      operationId: 'listAlerts',
      summary: 'Active (pending, firing) and recently resolved alerts',
      tags: ['alerts'],
      requestParams: { query: alertsQuery },
      responses: { 200: jsonAnswer('Active and recently resolved alerts', alertListAnswer), ...errorAnswers(400) },
    },
  },
  '/api/v1/alerts/transitions': {
    get: {
      operationId: 'listAlertTransitions',
      summary: 'Alert firings and resolutions in a time range (kept 400 days), oldest first',
      tags: ['alerts'],
      requestParams: { query: transitionsQuery },
      responses: { 200: jsonAnswer('Firings and resolutions in the range', alertTransitionListAnswer), ...errorAnswers(400) },
    },
  },
  '/api/v1/alerts/rules': {
    get: {
      operationId: 'getAlertRules',
      summary: 'The alert rules in force',
      tags: ['alerts'],
      responses: { 200: jsonAnswer('The rules in force', alertRulesAnswer) },
    },
    put: {
      operationId: 'putAlertRules',
      summary: 'Replace the alert rules whole (`{ rules: [...] }` or the bare list)',
      tags: ['alerts'],
      requestBody: { required: true, content: { 'application/json': { schema: alertRulesSchema } } },
      responses: { 200: jsonAnswer('The rules now in force', alertRulesAnswer), ...errorAnswers(400, 413) },
    },
  },
  '/api/v1/webhooks': {
    get: {
      operationId: 'listWebhooks',
      summary: 'Webhook receivers (secrets never shown)',
      tags: ['webhooks'],
      responses: { 200: jsonAnswer('Every receiver', webhookListAnswer) },
    },
    post: {
      operationId: 'createWebhook',
      summary: 'Add a receiver; a secret generated when omitted is in this answer only',
      tags: ['webhooks'],
      requestBody: { required: true, content: { 'application/json': { schema: webhookCreateSchema } } },
      responses: {
        201: jsonAnswer('The receiver, with `id` (and `secret` if generated)', webhookCreatedAnswer),
        ...errorAnswers(400, 409, 413),
      },
    },
  },
  '/api/v1/webhooks/deliveries': {
    get: {
      operationId: 'listDeliveries',
      summary: 'Outbox entries, newest first: pending, delivered, or dead letters with their last error',
      tags: ['webhooks'],
      requestParams: { query: deliveriesQuery },
      responses: { 200: jsonAnswer('Outbox entries, newest first', deliveryListAnswer), ...errorAnswers(400) },
    },
  },
  '/api/v1/webhooks/{id}': {
    get: {
      operationId: 'getWebhook',
      summary: 'One receiver',
      tags: ['webhooks'],
      requestParams: { path: idParams },
      responses: { 200: jsonAnswer('The receiver', webhookAnswer), ...errorAnswers(400, 404) },
    },
    put: {
      operationId: 'putWebhook',
      summary: 'Replace a receiver; a new secret rotates (the old one keeps signing for rotationHours)',
      tags: ['webhooks'],
      requestParams: { path: idParams },
      requestBody: { required: true, content: { 'application/json': { schema: webhookUpdateSchema } } },
      responses: { 200: jsonAnswer('The receiver now', webhookAnswer), ...errorAnswers(400, 404, 413) },
    },
    delete: {
      operationId: 'deleteWebhook',
      summary: 'Remove a receiver (its pending deliveries go to the dead letters)',
      tags: ['webhooks'],
      requestParams: { path: idParams },
      responses: { 204: { description: 'Removed' }, ...errorAnswers(400, 404) },
    },
  },
  '/api/v1/webhooks/{id}/test': {
    post: {
      operationId: 'testWebhook',
      summary: 'Send a test notification through the outbox',
      tags: ['webhooks'],
      requestParams: { path: idParams },
      responses: { 202: jsonAnswer('Queued', webhookTestAnswer), ...errorAnswers(400, 404) },
    },
  },
};
