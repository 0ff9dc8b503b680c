import type { Router } from 'express';
import type { ZodType } from 'zod';
import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { demandPlanBodySchema } from '../../domain/capacity/demand-plan-terms.js';
import { contractBodySchema } from '../../domain/contracts/contract.js';
import { priceBookSchema } from '../../domain/contracts/price-book.js';
import { openApiAnswer } from '../../protocol/health.js';
import type { AppDeps } from './deps.js';
import { accessOf, METHODS } from './access.js';
import { errorAnswers, jsonAnswer } from './openapi-parts.js';
import { alertPaths } from './routes/alerts.js';
import { capacityPaths, whatIfSchema } from './routes/capacity.js';
import { contractPaths } from './routes/contracts.js';
import { demandPlanPaths } from './routes/demand-plans.js';
import { fleetPaths } from './routes/fleet.js';
import { schedulerPaths } from './routes/scheduler.js';
import { healthPaths } from './routes/health.js';
import { historyPaths } from './routes/history.js';
import { homePaths } from './routes/home.js';
import { ingestPaths } from './routes/ingest.js';
import { metricsPaths, metricsSecuritySchemes, type MetricsAuth } from './routes/metrics.js';
import { priceBookPaths } from './routes/price-book.js';
import { simPaths } from './routes/sim.js';
import { tokenPaths } from './routes/tokens.js';
import { newRouter } from './router.js';

/**
 * The OpenAPI 3.1 document of this server, assembled from the operation descriptions each
 * route module exports beside the zod schemas it validates with, so the two cannot drift.
 */

/** The parts of the API an app mounts: the same conditions as createApp in app.ts. */
export interface ApiParts {
  ingestJsonSchema: ZodType;
  contracts: boolean;
  capacity: boolean;
  demandPlans: boolean;
  alerts: boolean;
  sim: boolean;
  /** null when /metrics is not mounted. */
  metrics: MetricsAuth | null;
}

export function apiPartsOf(deps: AppDeps): ApiParts {
  return {
    ingestJsonSchema: deps.parsers.jsonSchema,
    contracts: deps.contracts !== undefined,
    capacity: deps.capacity !== undefined,
    demandPlans: deps.demandPlans !== undefined,
    alerts: deps.alerts !== undefined,
    sim: deps.simNodeText !== undefined,
    metrics: deps.metrics?.auth ?? null,
  };
}

const openApiPaths: ZodOpenApiPathsObject = {
  '/api/v1/openapi.json': {
    get: {
      operationId: 'openApi',
      summary: 'This document',
      tags: ['meta'],
      responses: { 200: jsonAnswer('OpenAPI 3.1 document of this server', openApiAnswer) },
    },
  },
};

/** Every operation the app mounts, by OpenAPI path (zod schemas not yet rendered), with its access. */
export function apiPaths(parts: ApiParts): ZodOpenApiPathsObject {
  return withAccess({
    ...homePaths,
    ...healthPaths,
    ...(parts.metrics ? metricsPaths(parts.metrics) : {}),
    ...fleetPaths,
    ...schedulerPaths,
    ...historyPaths,
    ...ingestPaths(parts.ingestJsonSchema),
    ...(parts.contracts ? { ...contractPaths, ...priceBookPaths } : {}),
    ...(parts.capacity ? capacityPaths : {}),
    ...(parts.demandPlans ? demandPlanPaths : {}),
    ...(parts.alerts ? alertPaths : {}),
    ...(parts.sim ? simPaths : {}),
    ...tokenPaths,
    ...openApiPaths,
  });
}

/**
 * Publishes the access policy (access.ts) on each operation: `x-required-role`, the bearer
 * security requirement and the 401/403 answers. /metrics keeps the security it describes itself.
 */
function withAccess(paths: ZodOpenApiPathsObject): ZodOpenApiPathsObject {
  const out: ZodOpenApiPathsObject = {};
  for (const [path, item] of Object.entries(paths)) {
    const next = { ...item };
    for (const method of METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      const access = accessOf(op.operationId);
      next[method] =
        access === 'public'
          ? { ...op, 'x-required-role': 'public' }
          : {
              ...op,
              'x-required-role': access,
              security: [{ apiToken: [] }],
              responses: { ...errorAnswers(401, 403, 429), ...op.responses },
            };
    }
    out[path] = next;
  }
  return out;
}

export function createApiDocument(version: string, parts: ApiParts): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Headroom',
      version,
      description:
        'Capacity-utilization monitor for neocloud resale: which GPU and power capacity is unused, what is sellable, what it is worth.',
    },
    // Relative, so the document holds wherever the server is reached (port, proxy prefix aside).
    servers: [{ url: '/' }],
    paths: apiPaths(parts),
    components: {
      // Registering the request schemas themselves names them in the document without copying them.
      schemas: {
        JsonPush: parts.ingestJsonSchema,
        ...(parts.contracts ? { ContractTerms: contractBodySchema, PriceBook: priceBookSchema } : {}),
        ...(parts.capacity ? { WhatIf: whatIfSchema } : {}),
        ...(parts.demandPlans ? { DemandPlanTerms: demandPlanBodySchema } : {}),
      },
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (`hr_<id>_<secret>`, POST /api/v1/tokens) or HEADROOM_ADMIN_TOKEN',
        },
        ...(parts.metrics ? metricsSecuritySchemes(parts.metrics) : {}),
      },
    },
  });
}

/** GET /openapi.json; the document is built on the first request and kept (it cannot change while running). */
export function openApiRoutes(deps: AppDeps): Router {
  const router = newRouter();
  let body: string | null = null;
  router.get('/openapi.json', (_req, res) => {
    body ??= JSON.stringify(createApiDocument(deps.info.version, apiPartsOf(deps)));
    res.type('application/json').send(body);
  });
  return router;
}
