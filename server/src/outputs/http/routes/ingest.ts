import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z, type ZodType } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import type { GpuReplacement } from '../../../domain/fleet/fleet-state.js';
import type { IngestBatch } from '../../../domain/fleet/readings.js';
import { PUSH_SOURCES } from '../../../domain/fleet/ingest-sources.js';
import { ingestAnswer } from '../../../protocol/ingest.js';
import type { Sent } from '../../../protocol/sent.js';
import { auditActor, principalOf } from '../auth.js';
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

/**
 * A push that put a new UUID at a known host and index swapped a GPU out: any operator token
 * can do that (a real card swap looks the same), so each one is audited with who did it.
 */
function auditSwap(deps: AppDeps, res: Response, source: string, swap: GpuReplacement): void {
  const who = principalOf(res);
  try {
    deps.auth.audit.record({
      atMs: deps.auth.wallNow(),
      actor: who ? auditActor(who) : 'anonymous',
      action: `GPU swap (${source})`,
      target: `/api/v1/gpus/${swap.uuid}`,
      status: 200,
      detail: {
        uuid: swap.uuid,
        replacedBy: swap.replacedBy,
        host: swap.host,
        index: swap.gpuIndex,
        at: new Date(swap.atMs).toISOString(),
      },
    });
  } catch (error) {
    // The batch is committed; a lost audit entry is logged loudly rather than failing the push.
    deps.log.error({ err: error, uuid: swap.uuid }, 'audit log write failed for a GPU swap');
  }
}

/**
 * What an Idempotency-Key is compared by: the query (host, fields change a batch's meaning) and
 * the body as parsed (JSON re-serialised, so spacing alone is not a different request).
 */
function requestDigest(req: Request): string {
  const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  return createHash('sha256').update(JSON.stringify(req.query)).update('\n').update(body).digest('hex');
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

  const accept = async (req: Request, res: Response, source: string, batch: IngestBatch): Promise<Sent<typeof ingestAnswer>> => {
    const key = idempotencyKey.parse(req.get('idempotency-key') ?? null);
    const pushKey = key === null ? null : { key, scope: principalOf(res)?.tokenId ?? 'anonymous', digest: requestDigest(req) };
    const result = await deps.fleet.push(batch, source, pushKey, deps.now());
    if (!result.replayed) deps.ingestObserver?.accepted(source, result.samples);
    for (const swap of result.replaced ?? []) auditSwap(deps, res, source, swap);
    return { accepted: result.samples, gpus: result.gpus, seq: result.seq, replayed: result.replayed };
  };

  router.post(
    '/ingest/dcgm',
    (req, _res, next) => next(requireType(req, DCGM_TYPES)),
    text,
    async (req, res) => {
      const q = dcgmQuery.parse(req.query);
      res.json(await accept(req, res, 'push:dcgm', deps.parsers.dcgm(bodyText(req), q.host ?? null)));
    },
  );

  router.post(
    '/ingest/nvidia-smi',
    (req, _res, next) => next(requireType(req, SMI_TYPES)),
    text,
    async (req, res) => {
      const q = smiQuery.parse(req.query);
      res.json(await accept(req, res, 'push:nvidia-smi', deps.parsers.nvidiaSmi(bodyText(req), q.host, q.fields)));
    },
  );

  router.post(
    '/ingest/json',
    (req, _res, next) => next(requireType(req, JSON_TYPES)),
    json,
    async (req, res) => {
      res.json(await accept(req, res, 'push:json', deps.parsers.json(req.body)));
    },
  );
  return router;
}

const idempotencyHeaders = z.object({
  'idempotency-key': idempotencyKeyHeader
    .optional()
    .describe(
      'Retry-safe key, per token: the same request sent again gets the first answer and is not applied twice; another request under a used key is refused (422)',
    ),
});
const pushAnswers = { 200: jsonAnswer('Journaled and applied', ingestAnswer), ...errorAnswers(400, 413, 422, 503) };
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
