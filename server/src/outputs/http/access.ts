import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { Access } from '../../domain/auth/roles.js';

/**
 * Who may call each operation, by OpenAPI operationId: the one table of the access policy.
 * The OpenAPI document publishes it (`x-required-role`, `security`), and the auth middleware
 * enforces it by matching requests against the same document, so neither can drift from the routes.
 * An operation missing here needs admin (a test checks that none is missing).
 */
export const ACCESS: Record<string, Access> = {
  // The page shell, health and the document itself hold no figures.
  home: 'public',
  apiIndex: 'public',
  liveness: 'public',
  readiness: 'public',
  openApi: 'public',
  whoAmI: 'public',
  // /metrics has its own credentials for Prometheus (METRICS_BEARER_TOKEN / METRICS_BASIC_AUTH).
  metrics: 'public',
  // The simulator stands in for dcgm-exporters, which serve without credentials.
  simNodeMetrics: 'public',
  // The simulated slurmrestd is a read like any other (docs/scheduler.md): a reader's token, or PUBLIC_READ.
  simSlurmPing: 'viewer',
  simSlurmNodes: 'viewer',
  simSlurmJobs: 'viewer',
  simSlurmReservations: 'viewer',

  getSite: 'viewer',
  getHalls: 'viewer',
  getPods: 'viewer',
  getGpu: 'viewer',
  getHistory: 'viewer',
  listContracts: 'viewer',
  getContract: 'viewer',
  valueContract: 'viewer',
  getPriceBook: 'viewer',
  getCapacity: 'viewer',
  whatIf: 'viewer',
  listDemandPlans: 'viewer',
  getDemandPlan: 'viewer',
  listAlerts: 'viewer',
  getAlertRules: 'viewer',
  listAlertTransitions: 'viewer',
  getScheduler: 'viewer',

  pushDcgm: 'operator',
  pushNvidiaSmi: 'operator',
  pushJson: 'operator',
  // Receiver URLs often carry credentials of their own (chat webhooks), so reading them is operator's.
  listWebhooks: 'operator',
  getWebhook: 'operator',
  listDeliveries: 'operator',
  createWebhook: 'operator',
  putWebhook: 'operator',
  deleteWebhook: 'operator',
  testWebhook: 'operator',

  createContract: 'admin',
  replaceContract: 'admin',
  deleteContract: 'admin',
  createDemandPlan: 'admin',
  replaceDemandPlan: 'admin',
  deleteDemandPlan: 'admin',
  putPriceBook: 'admin',
  putAlertRules: 'admin',
  createToken: 'admin',
  listTokens: 'admin',
  revokeToken: 'admin',
  listAudit: 'admin',
};

/** POSTs that change nothing: reads, for PUBLIC_READ and for the audit log. */
const READ_ONLY_POSTS = new Set(['whatIf']);

export const accessOf = (operationId: string): Access => ACCESS[operationId] ?? 'admin';

export interface OperationRoute {
  method: string;
  /** OpenAPI path template (`/api/v1/contracts/{id}`). */
  path: string;
  operationId: string;
  access: Access;
  /** Changes nothing (GET, HEAD, or a read-only POST such as what-if). */
  read: boolean;
}

/** The methods an OpenAPI path item may hold operations under (of those this API uses). */
export const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the document with its access, and a matcher from a request to it. */
export function operationRoutes(paths: ZodOpenApiPathsObject): {
  routes: OperationRoute[];
  match(method: string, path: string): OperationRoute | null;
} {
  const routes: OperationRoute[] = [];
  const compiled: Array<{ re: RegExp; route: OperationRoute }> = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operationId = item[method]?.operationId;
      if (!operationId) continue;
      const read = method === 'get' || READ_ONLY_POSTS.has(operationId);
      const route: OperationRoute = { method: method.toUpperCase(), path, operationId, access: accessOf(operationId), read };
      routes.push(route);
      const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
      // Case-sensitive, as the app routes (router.ts): `/API/v1/contracts` reaches no handler, and
      // meets the default-deny rule for /api in auth.ts.
      compiled.push({ re: new RegExp(`^${pattern}/?$`), route });
    }
  }
  return {
    routes,
    match(method, path) {
      // Express answers HEAD with its GET route.
      const m = method === 'HEAD' ? 'GET' : method;
      return compiled.find((c) => c.route.method === m && c.re.test(path))?.route ?? null;
    },
  };
}
