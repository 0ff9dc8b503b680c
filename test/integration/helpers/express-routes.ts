/**
 * The operations an express 5 app mounts, as `METHOD /openapi/{path}` strings.
 *
 * It walks `router.listRoutes()` (router ≥ 2.3, express 5's router): each entry is a route with
 * its methods or a mounted router with the path it was mounted at, so prefixes come from the
 * router itself rather than from reverse-engineering its path matchers. Plain middleware
 * (body parsers, the ingest refusal counter) is not a route and is not listed.
 */

interface ListedRoute {
  path: unknown;
  methods?: string[];
  router?: unknown;
}

interface ListingRouter {
  listRoutes(): ListedRoute[];
}

function listing(router: unknown): ListingRouter {
  if (typeof router === 'object' || typeof router === 'function') {
    if (router !== null && typeof (router as { listRoutes?: unknown }).listRoutes === 'function') return router as ListingRouter;
  }
  throw new Error('router has no listRoutes(): these checks need the router package ≥ 2.3 (express 5)');
}

/** `/api/v1` + `/contracts/:id` → `/api/v1/contracts/{id}`; a router mounted at `/` adds nothing. */
function joinPaths(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function toOpenApiPath(path: string): string {
  // Wildcards (`*rest`) and optional groups (`{…}`) have no OpenAPI form: name them if one appears.
  if (/[*{}]/.test(path)) throw new Error(`route ${path} has a wildcard or optional part that an OpenAPI path cannot express`);
  return path.replace(/:(\w+)/g, '{$1}');
}

function walk(router: unknown, prefix: string): string[] {
  return listing(router)
    .listRoutes()
    .flatMap((entry) => {
      if (typeof entry.path !== 'string') throw new Error(`route under ${prefix || '/'} has a RegExp path ${String(entry.path)}`);
      const path = joinPaths(prefix, entry.path);
      if (entry.router !== undefined) return walk(entry.router, path);
      const methods = entry.methods ?? [];
      if (methods.includes('*')) throw new Error(`${path} is mounted with .all(): list its methods`);
      // HEAD next to GET is express answering HEAD with the GET handler, not a route of its own.
      return methods.filter((m) => m !== 'HEAD' || !methods.includes('GET')).map((m) => `${m} ${toOpenApiPath(path)}`);
    });
}

/** Every `METHOD /path` the app routes, sorted. */
export function mountedOperations(app: { router: unknown }): string[] {
  return walk(app.router, '').sort();
}
