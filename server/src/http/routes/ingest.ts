import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import { PUSH_SOURCES } from '../../domain/fleet/ingest-sources.js';
import type { AppDeps } from '../deps.js';

const hostName = z.string().min(1).max(253).regex(/^[A-Za-z0-9._:-]+$/, 'must be a host name');
const dcgmQuery = z.object({ host: hostName.optional() });
const smiQuery = z.object({
  host: hostName,
  fields: z
    .string()
    .max(4096)
    .transform((s) => s.split(',').map((f) => f.trim()))
    .optional(),
});
const idempotencyKey = z.string().min(1).max(200).nullable();

const REJECTION_BY_STATUS: Record<number, string> = { 400: 'invalid', 413: 'too_large', 503: 'unavailable' };
const rejectionReason = (status: number): string => REJECTION_BY_STATUS[status] ?? (status >= 500 ? 'error' : 'other');

function requireType(req: Request, types: string[]): void {
  if (!req.is(types)) {
    throw new DomainError('invalid', `Content-Type must be one of ${types.join(', ')} (got ${req.get('content-type') ?? 'none'})`, {
      path: 'content-type',
    });
  }
}

function bodyText(req: Request): string {
  if (typeof req.body !== 'string' || req.body.length === 0) throw new DomainError('invalid', 'body: empty batch', { path: 'body' });
  return req.body;
}

/**
 * Push ingest. Each batch is parsed and validated whole, written to the journal, then
 * applied; the 2xx goes out only after the journal write committed (synchronous=FULL).
 */
export function ingestRoutes(deps: AppDeps): Router {
  const router = Router();
  const limit = deps.limits.maxBodyBytes;
  const text = express.text({ type: () => true, limit });
  const json = express.json({ type: () => true, limit, strict: true });
  // Refusals are counted where they end, whichever layer refused (body parser, zod, parser, store).
  if (deps.ingestObserver) {
    const observer = deps.ingestObserver;
    router.use('/ingest/:kind', (req, res, next) => {
      // Only routes that exist: a label per made-up path would let anyone grow the series count.
      const source = `push:${String(req.params.kind)}`;
      if (PUSH_SOURCES.some((s) => s === source)) {
        res.once('finish', () => {
          if (res.statusCode >= 400) observer.rejected(source, rejectionReason(res.statusCode));
        });
      }
      next();
    });
  }

  const accept = (req: Request, source: string, batch: IngestBatch) => {
    const key = idempotencyKey.parse(req.get('idempotency-key') ?? null);
    const result = deps.fleet.push(batch, source, key, deps.now());
    if (!result.replayed) deps.ingestObserver?.accepted(source, result.samples);
    return { accepted: result.samples, gpus: new Set(batch.samples.map((s) => s.uuid)).size, seq: result.seq, replayed: result.replayed };
  };

  router.post('/ingest/dcgm', (req, _res, next) => next(requireType(req, ['text/plain', 'application/openmetrics-text'])), text, (req, res) => {
    const q = dcgmQuery.parse(req.query);
    res.json(accept(req, 'push:dcgm', deps.parsers.dcgm(bodyText(req), q.host ?? null)));
  });

  router.post('/ingest/nvidia-smi', (req, _res, next) => next(requireType(req, ['text/csv', 'text/plain'])), text, (req, res) => {
    const q = smiQuery.parse(req.query);
    res.json(accept(req, 'push:nvidia-smi', deps.parsers.nvidiaSmi(bodyText(req), q.host, q.fields)));
  });

  router.post('/ingest/json', (req, _res, next) => next(requireType(req, ['application/json'])), json, (req, res) => {
    res.json(accept(req, 'push:json', deps.parsers.json(req.body)));
  });
  return router;
}
