import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import { type Request } from 'express';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorAnswers, textAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';
import { closeAfterRefusal } from '../refusal.js';

export interface MetricsAuth {
  bearerToken: string | null;
  basic: { user: string; password: string } | null;
}

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

// Digests first: timingSafeEqual needs equal lengths, and a length check would leak the length.
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function authorized(req: Request, auth: MetricsAuth): boolean {
  const header = req.get('authorization') ?? '';
  const [scheme = '', credentials = ''] = header.split(/\s+/, 2);
  if (auth.bearerToken !== null && scheme.toLowerCase() === 'bearer' && sameSecret(credentials, auth.bearerToken)) return true;
  if (auth.basic !== null && scheme.toLowerCase() === 'basic') {
    return sameSecret(Buffer.from(credentials, 'base64').toString('utf8'), `${auth.basic.user}:${auth.basic.password}`);
  }
  return false;
}

/** GET /metrics for Prometheus; bearer or basic auth when configured (off by default). */
export function metricsRoutes(metrics: MetricsEndpoint, auth: MetricsAuth): Router {
  const router = newRouter();
  const required = auth.bearerToken !== null || auth.basic !== null;
  router.get('/metrics', async (req, res) => {
    if (required && !authorized(req, auth)) {
      closeAfterRefusal(req, res);
      res.set('WWW-Authenticate', auth.basic ? 'Basic realm="headroom metrics"' : 'Bearer realm="headroom metrics"');
      res.status(401).json({
        error: "/metrics needs credentials: set the scrape job's authorization (METRICS_BEARER_TOKEN) or basic_auth (METRICS_BASIC_AUTH)",
      });
      return;
    }
    const body = await metrics.render();
    res.set('Content-Type', metrics.contentType).send(body);
  });
  return router;
}

/** The OpenAPI security schemes of the auth configured: none when /metrics is open. */
export function metricsSecuritySchemes(auth: MetricsAuth): Record<string, { type: 'http'; scheme: 'bearer' | 'basic' }> {
  return {
    ...(auth.bearerToken !== null ? { metricsBearer: { type: 'http', scheme: 'bearer' } } : {}),
    ...(auth.basic !== null ? { metricsBasic: { type: 'http', scheme: 'basic' } } : {}),
  };
}

/** The operation above for the OpenAPI document. */
export function metricsPaths(auth: MetricsAuth): ZodOpenApiPathsObject {
  const schemes = Object.keys(metricsSecuritySchemes(auth));
  return {
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics of the site, its capacity and this process',
        tags: ['metrics'],
        // Either scheme will do: one requirement object per scheme.
        ...(schemes.length ? { security: schemes.map((s) => ({ [s]: [] })) } : {}),
        responses: {
          200: textAnswer('Prometheus text exposition format 0.0.4', 'text/plain; version=0.0.4'),
          ...(schemes.length ? errorAnswers(401) : {}),
        },
      },
    },
  };
}
