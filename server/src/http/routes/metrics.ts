import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';

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
  const router = Router();
  const required = auth.bearerToken !== null || auth.basic !== null;
  router.get('/metrics', async (req, res) => {
    if (required && !authorized(req, auth)) {
      res.set('WWW-Authenticate', auth.basic ? 'Basic realm="headroom metrics"' : 'Bearer realm="headroom metrics"');
      res.status(401).json({ error: '/metrics needs credentials: set the scrape job\'s authorization (METRICS_BEARER_TOKEN) or basic_auth (METRICS_BASIC_AUTH)' });
      return;
    }
    const body = await metrics.render();
    res.set('Content-Type', metrics.contentType).send(body);
  });
  return router;
}
