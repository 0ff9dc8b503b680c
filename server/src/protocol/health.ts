import { z } from 'zod';

/** Answers of /healthz, /readyz and /api/v1/openapi.json. */

export const liveAnswer = z.strictObject({ status: z.literal('ok') });
export const READY_STATUSES = ['ready', 'starting', 'draining'] as const;
export const readyAnswer = z.strictObject({ status: z.enum(READY_STATUSES) });

/**
 * The OpenAPI document: only its frame is described here (its own meta-schema is the real
 * contract, and the document test validates it against that), so other fields pass.
 */
export const openApiAnswer = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
