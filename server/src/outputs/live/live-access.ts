import type { IncomingMessage } from 'node:http';
import { decideAccess } from '../../domain/auth/roles.js';
import type { Authentication } from '../../services/auth/token-service.js';
import type { LiveMiddleware } from './live-server.js';

export interface LiveAccessDeps {
  authenticate(header: string | undefined): Authentication;
  publicRead: boolean;
  /** Browser origins allowed besides this server's own (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Live connections now (engine.io's count). */
  clientsCount(): number;
  /** Why a Host header is not this server's, or null (outputs/http/host-check.ts); every Host when not given. */
  hostRefusal?: (host: string | undefined) => string | null;
}

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/**
 * Who may open the live view. Engine.io's `allowRequest` runs before the WebSocket upgrade,
 * which CORS does not cover: it refuses foreign browser origins (a page elsewhere riding on
 * the user's network position) and connections past the limits. The socket.io middleware then
 * takes the token from `handshake.auth.token`, as a viewer read.
 */
export interface LiveAccess {
  allowRequest: AllowRequest;
  middleware: LiveMiddleware;
  /** Counts a connection against its address; the function returned uncounts it. */
  track(req: IncomingMessage): () => void;
}

export function liveAccess(deps: LiveAccessDeps): LiveAccess {
  const perAddress = new Map<string, number>();
  const addressOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

  const allowRequest: AllowRequest = (req, callback) => {
    const wrongHost = deps.hostRefusal?.(req.headers.host) ?? null;
    if (wrongHost !== null) return callback(wrongHost, false);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host) && !deps.corsOrigins.includes(origin)) {
      callback(`origin ${origin} is not allowed (this server's own, or CORS_ORIGINS)`, false);
      return;
    }
    // Only new sessions count: a polling session's later requests carry its sid.
    const isNew = !new URL(req.url ?? '/', 'http://x').searchParams.has('sid');
    if (isNew && deps.clientsCount() >= deps.maxConnections) {
      callback(`too many live connections: at most ${deps.maxConnections} (LIVE_MAX_CONNECTIONS)`, false);
      return;
    }
    if (isNew && (perAddress.get(addressOf(req)) ?? 0) >= deps.maxConnectionsPerAddress) {
      callback(
        `too many live connections from ${addressOf(req)}: at most ${deps.maxConnectionsPerAddress} (LIVE_MAX_CONNECTIONS_PER_ADDRESS)`,
        false,
      );
      return;
    }
    callback(null, true);
  };

  const track = (req: IncomingMessage): (() => void) => {
    const address = addressOf(req);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    return () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    };
  };

  const middleware: LiveMiddleware = (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const auth = deps.authenticate(typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined);
    if (auth.kind === 'invalid') return next(Object.assign(new Error(`unauthorized: ${auth.reason}`), { data: { status: 401 } }));
    const who = auth.kind === 'ok' ? auth.principal : null;
    const verdict = decideAccess('viewer', who, { read: true, publicRead: deps.publicRead });
    if (!verdict.ok) return next(Object.assign(new Error(`unauthorized: ${verdict.reason}`), { data: { status: verdict.status } }));
    socket.data.principal = who;
    next();
  };

  return { allowRequest, middleware, track };
}

/** The page's origin is the Host it was served from; scheme aside (a TLS proxy may sit in front). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host;
}
