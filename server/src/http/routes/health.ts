import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (deps.isDraining?.()) {
      res.status(503).json({ status: 'draining' });
    } else if (!deps.isReady()) {
      res.status(503).json({ status: 'starting' });
    } else {
      res.json({ status: 'ready' });
    }
  });
  return router;
}
