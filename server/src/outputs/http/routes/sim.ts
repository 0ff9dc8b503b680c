import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { errorAnswers, jsonAnswer, textAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const hostParams = z.object({ host: z.string().min(1).max(253).describe("A simulated node's host name (`h01-p001-n01`)") });

/** The envelope of every slurmrestd answer; the rest of the body is Slurm's own (its v0.0.38 spec). */
const slurmAnswer = z.looseObject({
  meta: z.looseObject({ plugin: z.looseObject({ type: z.string() }) }),
  errors: z.array(z.looseObject({ error: z.string().optional() })),
});

/** The simulator's nodes as dcgm-exporter endpoints, so a real scraper (or Prometheus) can read them. */
export function simRoutes(deps: AppDeps): Router {
  const router = newRouter();
  router.get('/nodes/:host/metrics', (req, res) => {
    const { host } = hostParams.parse(req.params);
    const text = deps.simNodeText?.(host);
    if (text === null || text === undefined) throw new DomainError('not_found', `the simulator has no node ${host}`);
    res.type('text/plain; version=0.0.4').send(text);
  });
  // The simulated scheduler as slurmrestd serves it: SLURM_REST_URL=<this server>/sim/slurm.
  for (const endpoint of ['ping', 'nodes', 'jobs', 'reservations'] as const) {
    router.get(`/slurm/slurm/v0.0.38/${endpoint}`, (_req, res) => {
      const answer = deps.simSlurm?.(endpoint);
      if (!answer) throw new DomainError('unavailable', 'the simulated scheduler has no round yet');
      res.type('application/json').send(answer);
    });
  }
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
  ...Object.fromEntries(
    (['ping', 'nodes', 'jobs', 'reservations'] as const).map((endpoint) => [
      `/sim/slurm/slurm/v0.0.38/${endpoint}`,
      {
        get: {
          operationId: `simSlurm${endpoint[0]?.toUpperCase()}${endpoint.slice(1)}`,
          summary: `The simulated scheduler's slurmrestd v0.0.38 ${endpoint} answer (Slurm 22.05 shape)`,
          tags: ['simulator'],
          responses: {
            200: jsonAnswer(
              `slurmrestd's v0.0.38_${endpoint === 'ping' ? 'pings' : `${endpoint}_response`} (fields: Slurm's spec)`,
              slurmAnswer,
            ),
            ...errorAnswers(503),
          },
        },
      },
    ]),
  ),
};
