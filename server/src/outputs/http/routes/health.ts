import type { Router } from 'express';
import type { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { liveAnswer, readyAnswer } from '../../../protocol/health.js';
import type { Sent } from '../../../protocol/sent.js';
import type { AppDeps } from '../deps.js';
import { jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

type ReadyStatus = z.output<typeof readyAnswer>['status'];

export function healthRoutes(deps: AppDeps): Router {
  const router = newRouter();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies Sent<typeof liveAnswer>);
  });
  router.get('/readyz', (_req, res) => {
    const status: ReadyStatus = deps.isDraining?.() ? 'draining' : deps.isReady() ? 'ready' : 'starting';
    res.status(status === 'ready' ? 200 : 503).json({ status } satisfies Sent<typeof readyAnswer>);
  });
  return router;
}

/** The operations above for the OpenAPI document. */
export const healthPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: {
      operationId: 'liveness',
      summary: 'Liveness: the process answers',
      tags: ['health'],
      responses: { 200: jsonAnswer('Alive', liveAnswer) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      summary: 'Readiness: state and history are loaded, and the server is not draining',
      tags: ['health'],
      responses: { 200: jsonAnswer('Ready', readyAnswer), 503: jsonAnswer('Starting or draining', readyAnswer) },
    },
  },
};
