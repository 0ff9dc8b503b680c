import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decideAccess, type Access, type Principal } from '../../domain/auth/roles.js';
import type { Authentication } from '../../services/auth/token-service.js';
import type { AuditPort } from '../../services/auth/ports.js';
import type { OperationRoute } from './access.js';
import type { ErrorBody } from './error-middleware.js';
import { closeAfterRefusal } from './refusal.js';
import { foldedPath } from './router.js';

export interface AuthDeps {
  authenticate(header: string | undefined): Authentication;
  audit: Pick<AuditPort, 'record'>;
  /** Reads without a token (PUBLIC_READ=true); writes always need one. */
  publicRead: boolean;
  /** Wall clock, for the audit log. */
  wallNow: () => number;
  log: { error: (obj: object, msg: string) => void };
}

/** The caller established by `authorize` (null: no token, admitted because the operation allows it). */
export const principalOf = (res: Response): Principal | null => (res.locals.principal as Principal | undefined) ?? null;

/** Who did it, as the audit log names a caller. */
export const auditActor = (who: Principal): string => `token:${who.tokenId} (${who.name})`;

/** Pushes are not audited: they are telemetry, thousands a minute, kept in the ingest journal. */
const UNAUDITED = new Set(['pushDcgm', 'pushNvidiaSmi', 'pushJson']);
const SECRET_KEY = /secret|token|password|authorization/i;

/** A body fit for the audit log: values under secret-looking keys are masked, size bounded. */
export function auditDetail(body: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (Array.isArray(body)) return body.slice(0, 100).map((v) => auditDetail(v, depth + 1));
  if (typeof body === 'object' && body !== null) {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_KEY.test(k) ? '***' : auditDetail(v, depth + 1)]));
  }
  return typeof body === 'string' && body.length > 2000 ? `${body.slice(0, 2000)}…` : body;
}

const refuse = (req: Request, res: Response, status: 401 | 403, reason: string): void => {
  closeAfterRefusal(req, res);
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="headroom"');
  res.status(status).json({ error: reason, detail: { status } } satisfies ErrorBody);
};

/**
 * Authentication, the role check and the audit log, for every request: the operation is found
 * in the OpenAPI document (`match`), its access in the policy table. Requests matching no
 * documented operation under /api need a viewer token to read and admin to write (default deny);
 * elsewhere they are static files or 404s.
 */
export function authorize(deps: AuthDeps, match: (method: string, path: string) => OperationRoute | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const route = match(req.method, req.path);
    const read = route ? route.read : req.method === 'GET' || req.method === 'HEAD';
    const need: Access = route ? route.access : foldedPath(req.path).startsWith('/api/') ? (read ? 'viewer' : 'admin') : 'public';
    const auth = deps.authenticate(req.get('authorization'));
    // A public operation ignores a token it cannot use: /metrics reads its own credentials from the same header.
    if (auth.kind === 'invalid' && need !== 'public') return refuse(req, res, 401, auth.reason);
    if (auth.kind === 'invalid') res.locals.refusedToken = auth.reason;
    const who = auth.kind === 'ok' ? auth.principal : null;
    const verdict = decideAccess(need, who, { read, publicRead: deps.publicRead });
    if (!verdict.ok) return refuse(req, res, verdict.status, verdict.reason);
    res.locals.principal = who;
    if (who && !read && !(route && UNAUDITED.has(route.operationId))) {
      res.once('finish', () => {
        try {
          deps.audit.record({
            atMs: deps.wallNow(),
            actor: auditActor(who),
            action: `${req.method} ${req.baseUrl}${req.path}`,
            // A created resource is named by its Location.
            target: res.get('location') ?? `${req.baseUrl}${req.path}`,
            status: res.statusCode,
            detail: req.body === undefined ? null : auditDetail(req.body),
          });
        } catch (error) {
          // The change itself is committed; losing its audit entry is logged loudly rather than crashing.
          deps.log.error({ err: error, path: req.path, actor: who.tokenId }, 'audit log write failed');
        }
      });
    }
    next();
  };
}
