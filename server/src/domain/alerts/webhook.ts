import { z } from 'zod';
import { matcherProblems, storedMatcherSchema } from './matchers.js';
import { receiverPolicySchema, type Receiver } from './receiver.js';
import { SECRET_EXPECTED, secretProblem } from './webhook-secret.js';

/**
 * A webhook receiver: where notifications go, the secrets they are signed with, and the
 * Alertmanager-style policy (matchers, grouping, timers) that decides what it gets.
 */

const secretSchema = z.string().superRefine((s, ctx) => {
  const problem = secretProblem(s);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `${problem}; ${SECRET_EXPECTED}` });
});

const urlSchema = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), { message: 'must be an http(s) URL' });

/** POST /api/v1/webhooks: name and url required; the secret is generated (and shown once) when omitted. */
export const webhookCreateSchema = receiverPolicySchema
  .extend({
    name: z.string().trim().min(1).max(200),
    url: urlSchema,
    secret: secretSchema.optional().describe('whsec_<base64>; generated and returned once when omitted'),
  })
  .meta({ id: 'WebhookCreate' });

/**
 * PUT /api/v1/webhooks/:id: the whole receiver again. A new `secret` starts a rotation: the old
 * one keeps signing alongside it for `rotationHours` (default 24), so receivers can switch over.
 */
export const webhookUpdateSchema = webhookCreateSchema
  .extend({
    rotationHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24),
  })
  .meta({ id: 'WebhookUpdate' });

/**
 * What is stored (table webhook_receivers): secrets newest first, each with its end (null = current).
 * Matchers are checked for shape only: a regex saved before regexes were RE2 must not stop the
 * server from starting; it never matches, and the API and the start-up log name it.
 */
export const webhookRecordSchema = receiverPolicySchema.extend({
  matchers: z.array(storedMatcherSchema).default([]),
  name: z.string(),
  url: z.string(),
  secrets: z.array(z.object({ secret: z.string(), expiresAtMs: z.number().nullable() })).min(1),
});
export type WebhookRecord = z.output<typeof webhookRecordSchema>;

/** The receiver as the API shows it: never a secret, only how many sign now, and any matcher that cannot match. */
export function publicView(id: string, record: WebhookRecord, nowMs: number) {
  const { secrets: _secrets, ...rest } = record;
  return { id, ...rest, signingSecrets: activeSecrets(record, nowMs).length, matcherErrors: matcherProblems(record.matchers) };
}

export function activeSecrets(record: WebhookRecord, nowMs: number): string[] {
  return record.secrets.filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs).map((s) => s.secret);
}

export function receiverOf(id: string, record: WebhookRecord): Receiver {
  const { matchers, groupBy, groupWaitS, groupIntervalS, repeatIntervalS, sendResolved, name } = record;
  return { id, name, matchers, groupBy, groupWaitS, groupIntervalS, repeatIntervalS, sendResolved };
}
