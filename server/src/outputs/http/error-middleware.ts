import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z, ZodError } from 'zod';
import { DomainError, type DomainErrorCode } from '../../domain/errors.js';

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  gone: 410,
  conflict: 409,
  unprocessable: 422,
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

/**
 * SQLite failures that are the storage's state, not the request's fault: the client should retry
 * later, and nothing of the request was stored (every write is one transaction). Seconds to wait:
 * a lock clears quickly, a full or failing disk needs an operator.
 */
const STORAGE_RETRY_AFTER_S: Record<string, number> = {
  SQLITE_BUSY: 2,
  SQLITE_LOCKED: 2,
  SQLITE_FULL: 30,
  SQLITE_IOERR: 30,
  SQLITE_READONLY: 30,
  SQLITE_CANTOPEN: 30,
};
const STORAGE_WHAT: Record<string, string> = {
  SQLITE_BUSY: 'the database is locked by another writer',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_FULL: 'the disk (or the database size limit) is full',
  SQLITE_IOERR: 'the disk failed a read or write',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
};

/** The base SQLite code of a better-sqlite3 error (`SQLITE_IOERR_WRITE` → `SQLITE_IOERR`), found on it or its causes. */
function storageCode(err: unknown): string | null {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (name === 'SqliteError' && typeof code === 'string') {
      const base = Object.keys(STORAGE_RETRY_AFTER_S).find((c) => code === c || code.startsWith(`${c}_`));
      if (base) return base;
    }
  }
  return null;
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
        res
          .status(413)
          .json({ error: `request body exceeds the limit of ${parserError.limit ?? '?'} bytes`, detail: { limit: parserError.limit } });
        return;
      }
      if (parserError.status >= 400 && parserError.status < 500) {
        const message = err instanceof Error ? err.message : 'malformed body';
        res.status(parserError.status).json({ error: `malformed body: ${message}`, detail: { type: parserError.type } });
        return;
      }
    }
    const storage = storageCode(err);
    if (storage) {
      log.error({ err, path: req.path, code: storage }, 'storage unavailable: request refused with 503');
      res
        .set('Retry-After', String(STORAGE_RETRY_AFTER_S[storage]))
        .status(503)
        .json({
          error: `storage unavailable: ${STORAGE_WHAT[storage] ?? storage}; nothing of this request was stored, retry later`,
          detail: { code: storage },
        } satisfies ErrorBody);
      return;
    }
    const requestId = randomUUID();
    log.error({ err, requestId, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error', detail: { requestId } } satisfies ErrorBody);
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` } satisfies ErrorBody);
};
