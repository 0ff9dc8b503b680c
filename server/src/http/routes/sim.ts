import { Router } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';

/** The simulator's nodes as dcgm-exporter endpoints, so a real scraper (or Prometheus) can read them. */
export function simRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/nodes/:host/metrics', (req, res) => {
    const text = deps.simNodeText?.(req.params.host);
    if (text === null || text === undefined) throw new DomainError('not_found', `the simulator has no node ${req.params.host}`);
    res.type('text/plain; version=0.0.4').send(text);
  });
  return router;
}
