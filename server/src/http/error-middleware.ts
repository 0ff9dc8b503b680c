import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z, ZodError } from 'zod';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
};

/** Shape of every error body: `{ error, detail }` (also its schema in the OpenAPI document). */
export const errorBodySchema = z
  .object({
    error: z.string().describe('What went wrong; a 400 names the offending field first (`end: …`)'),
    detail: z.record(z.string(), z.unknown()).optional().describe('e.g. `path` of the bad field, or the `requestId` of a 500'),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Narrows what body-parser throws (it sets `type` and `status`). */
function bodyParserError(err: unknown): { type: string; status: number; limit?: number } | null {
  if (typeof err !== 'object' || err === null) return null;
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number') return null;
  const limit = (err as { limit?: unknown }).limit;
  return { type, status, limit: typeof limit === 'number' ? limit : undefined };
}

export function zodDetail(error: ZodError): { message: string; path: string } {
  const issue = error.issues[0];
  const path = issue ? issue.path.join('.') : '';
  return { message: issue ? `${path || 'body'}: ${issue.message}` : 'invalid input', path };
}

export function errorMiddleware(log: { error: (obj: object, msg: string) => void }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof DomainError) {
      const body: ErrorBody = { error: err.message, ...(err.detail ? { detail: err.detail } : {}) };
      res.status(STATUS[err.code]).json(body);
      return;
    }
    if (err instanceof ZodError) {
      const { message, path } = zodDetail(err);
      res.status(400).json({ error: message, detail: { path } } satisfies ErrorBody);
      return;
    }
    const parserError = bodyParserError(err);
    if (parserError) {
      if (parserError.type === 'entity.too.large') {
        res.status(413).json({ error: `request body exceeds the limit of ${parserError.limit ?? '?'} bytes`, detail: { limit: parserError.limit } });
        return;
      }
      if (parserError.status >= 400 && parserError.status < 500) {
        const message = err instanceof Error ? err.message : 'malformed body';
        res.status(parserError.status).json({ error: `malformed body: ${message}`, detail: { type: parserError.type } });
        return;
      }
    }
    const requestId = randomUUID();
    log.error({ err, requestId, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error', detail: { requestId } } satisfies ErrorBody);
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` } satisfies ErrorBody);
};
