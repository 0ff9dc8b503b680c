import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import { gpuReport, hallsReport, podsReport, siteReport } from '../../../domain/fleet/fleet-report.js';
import type { FleetSummary } from '../../../domain/fleet/summary.js';
import { gpuAnswer, hallsAnswer, podsAnswer, siteAnswer } from '../../../protocol/fleet.js';
import type { Sent } from '../../../protocol/sent.js';
import type { AppDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const uuidParam = z.object({ uuid: z.string().min(1).max(256).describe('GPU UUID as DCGM and nvidia-smi print it (`GPU-81d79b08-…`)') });

export function fleetRoutes(deps: AppDeps): Router {
  const router = newRouter();
  const latest = (): FleetSummary => {
    const summary = deps.fleet.latest();
    if (!summary) throw new DomainError('unavailable', 'fleet state is still loading: retry shortly (see /readyz)');
    return summary;
  };
  router.get('/fleet', (_req, res) => {
    res.json(siteReport(deps.fleet.state, latest()) satisfies Sent<typeof siteAnswer>);
  });
  router.get('/fleet/halls', (_req, res) => {
    res.json(hallsReport(deps.fleet.state, latest()) satisfies Sent<typeof hallsAnswer>);
  });
  router.get('/fleet/pods', (_req, res) => {
    res.json(podsReport(deps.fleet.state, latest()) satisfies Sent<typeof podsAnswer>);
  });
  router.get('/gpus/:uuid', (req, res) => {
    const { uuid } = uuidParam.parse(req.params);
    const report = gpuReport(deps.fleet.state, uuid);
    const swapped = deps.fleet.state.replaced.get(uuid);
    if (!report && swapped) {
      const at = new Date(swapped.atMs).toISOString();
      throw new DomainError(
        'gone',
        `GPU ${uuid} was replaced by ${swapped.replacedBy} at ${at} (${swapped.host}, GPU ${swapped.gpuIndex})`,
        {
          replacedBy: swapped.replacedBy,
          replacedAt: at,
          host: swapped.host,
          index: swapped.gpuIndex,
        },
      );
    }
    if (!report) throw new DomainError('not_found', `no GPU with UUID ${uuid} has reported`);
    res.json(report satisfies Sent<typeof gpuAnswer>);
  });
  return router;
}

/** The operations above for the OpenAPI document; answers are the protocol/fleet.ts schemas. */
export const fleetPaths: ZodOpenApiPathsObject = {
  '/api/v1/fleet': {
    get: {
      operationId: 'getSite',
      summary: 'Site totals: GPUs by state, feed, draw and headroom',
      tags: ['fleet'],
      responses: { 200: jsonAnswer('Site report', siteAnswer), ...errorAnswers(503) },
    },
  },
  '/api/v1/fleet/halls': {
    get: {
      operationId: 'getHalls',
      summary: 'The same per hall',
      tags: ['fleet'],
      responses: { 200: jsonAnswer('Each hall', hallsAnswer), ...errorAnswers(503) },
    },
  },
  '/api/v1/fleet/pods': {
    get: {
      operationId: 'getPods',
      summary: 'The same per pod, the block capacity is sold in',
      tags: ['fleet'],
      responses: { 200: jsonAnswer('Each pod', podsAnswer), ...errorAnswers(503) },
    },
  },
  '/api/v1/gpus/{uuid}': {
    get: {
      operationId: 'getGpu',
      summary: 'One GPU: placement, state, last readings',
      tags: ['fleet'],
      requestParams: { path: uuidParam },
      responses: { 200: jsonAnswer('GPU report', gpuAnswer), ...errorAnswers(400, 404, 410) },
    },
  },
};
