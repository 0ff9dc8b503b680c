import { z, type ZodType } from 'zod';
import type { ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { errorBodySchema } from './error-middleware.js';

/**
 * Building blocks for the operation descriptions that route modules export beside their
 * schemas (assembled by openapi.ts). Error statuses follow error-middleware.ts.
 */

const ERROR_WHEN = {
  400: 'Invalid input: `error` names the field first, `detail.path` holds its path',
  401: 'Token missing, unknown or revoked (`Authorization: Bearer <token>`)',
  403: "The token's role is too weak for this operation",
  404: 'No such resource',
  409: 'Conflicts with the current state',
  410: 'Known but no longer here: e.g. a GPU swapped out (`detail` names its successor and when)',
  413: 'Body larger than the limit',
  422: 'Well-formed but refused: e.g. an `Idempotency-Key` already used with a different body (`detail.key` names it)',
  429: 'Rate limit reached: `Retry-After` says when to come back; `error` names the limit',
  503: 'Not ready: fleet state is still loading (see /readyz)',
} as const;
type ErrorStatus = keyof typeof ERROR_WHEN;

/** A JSON answer, described by its schema (protocol/ for every 2xx answer, the routes' types are checked against it). */
export function jsonAnswer(description: string, schema: ZodType): ZodOpenApiResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** A text answer (HTML, exposition format) of the given media type. */
export function textAnswer(description: string, mediaType: string): ZodOpenApiResponseObject {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}

/** The `{ error, detail }` answers an operation can give, by status. */
export function errorAnswers(...statuses: ErrorStatus[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(statuses.map((s) => [String(s), jsonAnswer(ERROR_WHEN[s], errorBodySchema)]));
}
