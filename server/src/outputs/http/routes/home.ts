import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Router } from 'express';
import express from 'express';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AppDeps } from '../deps.js';
import { textAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const LINKS: Array<[string, string]> = [
  ['/api/v1/fleet', 'site totals: GPUs by state, feed, draw and headroom'],
  ['/api/v1/fleet/halls', 'the same per hall'],
  ['/api/v1/fleet/pods', 'the same per pod (the sellable block)'],
  ['/api/v1/capacity', 'sellable capacity in whole pods, its value, the reserve, stranded power, oversold risk'],
  ['/api/v1/contracts', 'the contract book (POST to add; /contracts/:id/valuation for its money)'],
  ['/api/v1/pricebook', 'prices per GPU-hour and per facility MW-month, with sources'],
  ['/api/v1/history?scope=site&metric=utilization&step=5m', 'history of a scope (site, hall:<id>, pod:<id>, gpu:<uuid>)'],
  ['/api/v1/openapi.json', 'this API as an OpenAPI 3.1 document'],
  ['/healthz', 'liveness'],
  ['/readyz', 'readiness (state loaded)'],
];

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `/` is the dashboard (client/dist, built by Vite) when there is one; `/api` says what this
 * server is and links its API (and is `/` without a dashboard).
 */
export function homeRoutes(deps: AppDeps): Router {
  const router = newRouter();
  const { clientDist } = deps;
  if (clientDist) {
    // Hashed asset names: cached for good; index.html is never cached, so a new build shows at once.
    router.use('/assets', express.static(join(clientDist, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  }
  router.get('/', (req, res, next) => {
    if (!clientDist) return void apiIndex(req, res, next);
    // Read whole in this turn (a page of ~1 KB, in the page cache): sendFile's stat/open/read/close
    // each wait a turn of the event loop, and under an ingest flood every turn is long, so the
    // page took ≈ 4× as long as any other read. Read per request, so a rebuild shows at once.
    res
      .set('Cache-Control', 'no-cache')
      .type('html')
      .send(readFileSync(join(clientDist, 'index.html')));
  });
  const apiIndex: express.RequestHandler = (_req, res) => {
    const source = deps.info.simulated
      ? `the simulated ${deps.info.preset} site (scenario ${deps.info.scenario ?? '-'})`
      : 'real telemetry';
    const items = LINKS.map(([href, what]) => `<li><a href="${escape(href)}">${escape(href)}</a> — ${escape(what)}</li>`).join('\n');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Headroom</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#0d1117;color:#e6edf3;max-width:52rem;margin:3rem auto;padding:0 1rem}a{color:#58a6ff}code{color:#ffa657}</style></head>
<body><h1>Headroom ${escape(deps.info.version)}</h1>
<p>Capacity-utilization monitor for neocloud resale: which GPU and power capacity is unused, what could be sold, what it is worth. Serving ${escape(source)}.</p>
<h2>API</h2><ul>${items}</ul>
<p>Push ingest: <code>POST /api/v1/ingest/dcgm</code> (text/plain), <code>/api/v1/ingest/nvidia-smi?host=</code> (text/csv), <code>/api/v1/ingest/json</code>.</p>
</body></html>`);
  };
  router.get('/api', apiIndex);
  return router;
}

/** The operation above for the OpenAPI document. */
export const homePaths: ZodOpenApiPathsObject = {
  '/': {
    get: {
      operationId: 'home',
      summary: 'The live dashboard (or, without a built client, the API index)',
      tags: ['meta'],
      responses: { 200: textAnswer('An HTML page', 'text/html') },
    },
  },
  '/api': {
    get: {
      operationId: 'apiIndex',
      summary: 'What this server is, with links to its API',
      tags: ['meta'],
      responses: { 200: textAnswer('An HTML page', 'text/html') },
    },
  },
};
