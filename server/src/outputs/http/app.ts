import express, { type Express } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { operationRoutes } from './access.js';
import { authFailureLimit } from './auth-failures.js';
import { authorize } from './auth.js';
import { compressAnswers } from './compress.js';
import type { AppDeps } from './deps.js';
import { errorMiddleware, notFound } from './error-middleware.js';
import { hostCheck } from './host-check.js';
import { apiPaths, apiPartsOf, openApiRoutes } from './openapi.js';
import { rateLimits } from './rate-limit.js';
import { alertRoutes } from './routes/alerts.js';
import { capacityRoutes } from './routes/capacity.js';
import { contractRoutes } from './routes/contracts.js';
import { demandPlanRoutes } from './routes/demand-plans.js';
import { fleetRoutes } from './routes/fleet.js';
import { schedulerRoutes } from './routes/scheduler.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { homeRoutes } from './routes/home.js';
import { ingestRoutes } from './routes/ingest.js';
import { metricsRoutes } from './routes/metrics.js';
import { priceBookRoutes } from './routes/price-book.js';
import { simRoutes } from './routes/sim.js';
import { tokenRoutes } from './routes/tokens.js';

/** The express app, built from its dependencies; it opens no port (the caller listens). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // One spelling per route, before any middleware runs (router.ts says why).
  app.set('case sensitive routing', true);
  // First: a request for a name that is not ours (DNS rebinding) meets nothing else.
  if (deps.hosts) app.use(hostCheck(deps.hosts));
  app.set('etag', false);
  // Security headers (CSP same-origin for scripts, sockets and data; no framing; nosniff; …).
  // HSTS is left to the TLS terminator in front: this server speaks plain HTTP on its own.
  app.use(helmet({ strictTransportSecurity: false }));
  // Before every answer, refusals included: the dashboard's minute-by-minute reads are the bulk of its bytes.
  app.use(compressAnswers());
  const { auth } = deps;
  // Before authorization: a browser's preflight carries no token.
  if (auth.corsOrigins.length) {
    app.use(
      '/api',
      cors({
        origin: auth.corsOrigins,
        allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposedHeaders: ['location', 'retry-after', 'ratelimit', 'ratelimit-policy'],
        maxAge: 600,
      }),
    );
  }
  const { match } = operationRoutes(apiPaths(apiPartsOf(deps)));
  // Before authorization: an address past its failures is refused before its credentials are checked.
  app.use(authFailureLimit(auth.rateLimits.authFailuresPerMin, auth.wallNow));
  app.use(
    authorize(
      { authenticate: auth.tokens.authenticate, audit: auth.audit, publicRead: auth.publicRead, wallNow: auth.wallNow, log: deps.log },
      match,
    ),
  );
  app.use(rateLimits(auth.rateLimits));
  app.use(homeRoutes(deps));
  app.use(healthRoutes(deps));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.endpoint, deps.metrics.auth));
  app.use('/api/v1', fleetRoutes(deps));
  app.use('/api/v1', schedulerRoutes(deps));
  app.use('/api/v1', historyRoutes(deps));
  app.use('/api/v1', ingestRoutes(deps));
  if (deps.contracts) app.use('/api/v1', contractRoutes(deps.contracts), priceBookRoutes(deps.contracts));
  if (deps.capacity) app.use('/api/v1', capacityRoutes(deps.capacity));
  if (deps.demandPlans) app.use('/api/v1', demandPlanRoutes(deps.demandPlans));
  if (deps.alerts) app.use('/api/v1', alertRoutes(deps.alerts));
  if (deps.simNodeText) app.use('/sim', simRoutes(deps));
  app.use('/api/v1', tokenRoutes({ tokens: auth.tokens, audit: auth.audit, publicRead: auth.publicRead }));
  app.use('/api/v1', openApiRoutes(deps));
  app.use(notFound);
  app.use(errorMiddleware(deps.log));
  return app;
}
