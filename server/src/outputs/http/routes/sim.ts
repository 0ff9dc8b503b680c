import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { errorAnswers, textAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const hostParams = z.object({ host: z.string().min(1).max(253).describe("A simulated node's host name (`h01-p001-n01`)") });

/** The simulator's nodes as dcgm-exporter endpoints, so a real scraper (or Prometheus) can read them. */
export function simRoutes(deps: AppDeps): Router {
  const router = newRouter();
  router.get('/nodes/:host/metrics', (req, res) => {
    const { host } = hostParams.parse(req.params);
    const text = deps.simNodeText?.(host);
    if (text === null || text === undefined) throw new DomainError('not_found', `the simulator has no node ${host}`);
    res.type('text/plain; version=0.0.4').send(text);
  });
  return router;
}

/** The operation above for the OpenAPI document (mounted under /sim only while the simulator runs). */
export const simPaths: ZodOpenApiPathsObject = {
  '/sim/nodes/{host}/metrics': {
    get: {
      operationId: 'simNodeMetrics',
      summary: 'One simulated node as a dcgm-exporter endpoint',
      tags: ['simulator'],
      requestParams: { path: hostParams },
      responses: { 200: textAnswer('dcgm-exporter text of the node', 'text/plain; version=0.0.4'), ...errorAnswers(400, 404) },
    },
  },
};
