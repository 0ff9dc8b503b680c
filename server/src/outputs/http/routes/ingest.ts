import type { Router } from 'express';
import express, { type Request } from 'express';
import { z, type ZodType } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import type { IngestBatch } from '../../../domain/fleet/readings.js';
import { PUSH_SOURCES } from '../../../domain/fleet/ingest-sources.js';
import { ingestAnswer } from '../../../protocol/ingest.js';
import type { Sent } from '../../../protocol/sent.js';
import type { AppDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be a host name');
const dcgmQuery = z.object({ host: hostName.optional().describe('Host for series that carry no Hostname label') });
const smiQuery = z.object({
  host: hostName.describe('The host the CSV was read on'),
  fields: z
    .string()
    .max(4096)
    .describe('The --query-gpu field list, comma-separated, when the CSV has no header')
    .transform((s) => s.split(',').map((f) => f.trim()))
    .optional(),
});
const idempotencyKeyHeader = z.string().min(1).max(200);
const idempotencyKey = idempotencyKeyHeader.nullable();
// Content types each push takes, checked by requireType and listed in the OpenAPI document.
const DCGM_TYPES = ['text/plain', 'application/openmetrics-text'];
const SMI_TYPES = ['text/csv', 'text/plain'];
const JSON_TYPES = ['application/json'];

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
  const router = newRouter();
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

  const accept = async (req: Request, source: string, batch: IngestBatch): Promise<Sent<typeof ingestAnswer>> => {
    const key = idempotencyKey.parse(req.get('idempotency-key') ?? null);
    const result = await deps.fleet.push(batch, source, key, deps.now());
    if (!result.replayed) deps.ingestObserver?.accepted(source, result.samples);
    return { accepted: result.samples, gpus: new Set(batch.samples.map((s) => s.uuid)).size, seq: result.seq, replayed: result.replayed };
  };

  router.post(
    '/ingest/dcgm',
    (req, _res, next) => next(requireType(req, DCGM_TYPES)),
    text,
    async (req, res) => {
      const q = dcgmQuery.parse(req.query);
      res.json(await accept(req, 'push:dcgm', deps.parsers.dcgm(bodyText(req), q.host ?? null)));
    },
  );

  router.post(
    '/ingest/nvidia-smi',
    (req, _res, next) => next(requireType(req, SMI_TYPES)),
    text,
    async (req, res) => {
      const q = smiQuery.parse(req.query);
      res.json(await accept(req, 'push:nvidia-smi', deps.parsers.nvidiaSmi(bodyText(req), q.host, q.fields)));
    },
  );

  router.post(
    '/ingest/json',
    (req, _res, next) => next(requireType(req, JSON_TYPES)),
    json,
    async (req, res) => {
      res.json(await accept(req, 'push:json', deps.parsers.json(req.body)));
    },
  );
  return router;
}

const idempotencyHeaders = z.object({
  'idempotency-key': idempotencyKeyHeader.optional().describe('Retry-safe key: a batch sent again with it is answered, not applied twice'),
});
const pushAnswers = { 200: jsonAnswer('Journaled and applied', ingestAnswer), ...errorAnswers(400, 413, 503) };
const textBody = (types: string[], what: string) => Object.fromEntries(types.map((t) => [t, { schema: z.string().describe(what) }]));

/** The operations above for the OpenAPI document; `jsonBody` is the schema deps.parsers.json validates with. */
export function ingestPaths(jsonBody: ZodType): ZodOpenApiPathsObject {
  return {
    '/api/v1/ingest/dcgm': {
      post: {
        operationId: 'pushDcgm',
        summary: 'Push a dcgm-exporter scrape (Prometheus text exposition)',
        tags: ['ingest'],
        requestParams: { query: dcgmQuery, header: idempotencyHeaders },
        requestBody: { required: true, content: textBody(DCGM_TYPES, 'dcgm-exporter text') },
        responses: pushAnswers,
      },
    },
    '/api/v1/ingest/nvidia-smi': {
      post: {
        operationId: 'pushNvidiaSmi',
        summary: 'Push `nvidia-smi --query-gpu=… --format=csv` output of one host',
        tags: ['ingest'],
        requestParams: { query: smiQuery, header: idempotencyHeaders },
        requestBody: { required: true, content: textBody(SMI_TYPES, 'nvidia-smi CSV') },
        responses: pushAnswers,
      },
    },
    '/api/v1/ingest/json': {
      post: {
        operationId: 'pushJson',
        summary: 'Push GPUs, node drains and power meters as JSON',
        tags: ['ingest'],
        requestParams: { header: idempotencyHeaders },
        requestBody: { required: true, content: { 'application/json': { schema: jsonBody } } },
        responses: pushAnswers,
      },
    },
  };
}
