import type { Router } from 'express';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { schedulerReport } from '../../../domain/scheduler/scheduler-report.js';
import { schedulerAnswer } from '../../../protocol/scheduler.js';
import type { Sent } from '../../../protocol/sent.js';
import type { AppDeps } from '../deps.js';
import { jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

export function schedulerRoutes(deps: AppDeps): Router {
  const router = newRouter();
  router.get('/scheduler', (_req, res) => {
    res.json(schedulerReport(deps.scheduler?.() ?? null, deps.now(), deps.kubernetes?.() ?? null) satisfies Sent<typeof schedulerAnswer>);
  });
  return router;
}

export const schedulerPaths: ZodOpenApiPathsObject = {
  '/api/v1/scheduler': {
    get: {
      operationId: 'getScheduler',
      summary: 'The scheduler sources: Slurm health, allocation coverage, the queue (pending GPUs) and reservations; pod-label coverage',
      tags: ['fleet'],
      responses: { 200: jsonAnswer('Scheduler report', schedulerAnswer) },
    },
  },
};
