import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { gpuReport, hallsReport, podsReport, siteReport } from '../../domain/fleet/fleet-report.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { AppDeps } from '../deps.js';

const uuidParam = z.object({ uuid: z.string().min(1).max(256) });

export function fleetRoutes(deps: AppDeps): Router {
  const router = Router();
  const latest = (): FleetSummary => {
    const summary = deps.fleet.latest();
    if (!summary) throw new DomainError('unavailable', 'fleet state is still loading: retry shortly (see /readyz)');
    return summary;
  };
  router.get('/fleet', (_req, res) => {
    res.json(siteReport(deps.fleet.state, latest()));
  });
  router.get('/fleet/halls', (_req, res) => {
    res.json(hallsReport(deps.fleet.state, latest()));
  });
  router.get('/fleet/pods', (_req, res) => {
    res.json(podsReport(deps.fleet.state, latest()));
  });
  router.get('/gpus/:uuid', (req, res) => {
    const { uuid } = uuidParam.parse(req.params);
    const report = gpuReport(deps.fleet.state, uuid);
    if (!report) throw new DomainError('not_found', `no GPU with UUID ${uuid} has reported`);
    res.json(report);
  });
  return router;
}
