import { z } from 'zod';

/** Answers of /api/v1/whoami, /tokens and /audit (services/auth/token-service.ts, routes/tokens.ts). */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');

/** A token as listed: never the token itself. */
export const tokenAnswer = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: isoTime,
    createdBy: z.string(),
    lastUsedAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'Token' });

/** POST /tokens: the token (`hr_<id>_<secret>`) is in this answer only. */
export const tokenCreatedAnswer = tokenAnswer.extend({ token: z.string() }).meta({ id: 'TokenCreated' });

export const tokenListAnswer = z.strictObject({ tokens: z.array(tokenAnswer) });

/** The caller as its token names it; `reason` says why a token sent was refused. */
export const whoAmIAnswer = z
  .discriminatedUnion('authenticated', [
    z.strictObject({ authenticated: z.literal(true), id: z.string(), name: z.string(), role: z.enum(ROLES), publicRead: z.boolean() }),
    z.strictObject({ authenticated: z.literal(false), publicRead: z.boolean(), reason: z.string().optional() }),
  ])
  .meta({ id: 'WhoAmI' });

export const auditAnswer = z.strictObject({
  entries: z.array(
    z.strictObject({
      id: z.number().int(),
      at: isoTime,
      actor: z.string().describe('`token:<id> (<name>)`, or `cli`'),
      action: z.string().describe('`POST /api/v1/contracts`'),
      target: z.string().describe('The resource path'),
      status: z.number().int(),
      detail: z.unknown().describe('The request body as sent, secrets masked; null when there was none'),
    }),
  ),
});

export type TokenAnswer = z.output<typeof tokenAnswer>;
export type WhoAmI = z.output<typeof whoAmIAnswer>;
