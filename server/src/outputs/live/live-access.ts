import type { IncomingMessage } from 'node:http';
import { decideAccess } from '../../domain/auth/roles.js';
import type { Authentication } from '../../services/auth/token-service.js';
import { addressKeyOf } from './client-address.js';
import type { LiveMiddleware } from './live-server.js';
import { pendingSessions, type Closable, type PendingLimits } from './pending-sessions.js';

export interface LiveAccessDeps extends PendingLimits {
  authenticate(header: string | undefined): Authentication;
  publicRead: boolean;
  /** Browser origins allowed besides this server's own (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  /** Authenticated sockets at once, in all and from one address key (client-address.ts). */
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Why a Host header is not this server's, or null (outputs/http/host-check.ts); every Host when not given. */
  hostRefusal?: (host: string | undefined) => string | null;
}

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/**
 * Who may open the live view. Engine.io's `allowRequest` runs before the WebSocket upgrade,
 * which CORS does not cover: it refuses foreign browser origins (a page elsewhere riding on
 * the user's network position). The socket.io middleware then takes the token from
 * `handshake.auth.token` (the page sends it in socket.io's CONNECT, not in the engine.io
 * handshake), as a viewer read, and only then counts the socket against the connection limits:
 * counted at the handshake, sessions that never send a token would fill the limits and lock the
 * admin out. Until then a session is pending (pending-sessions.ts), bounded on its own.
 */
export interface LiveAccess {
  allowRequest: AllowRequest;
  middleware: LiveMiddleware;
  /** A new engine.io session: pending until its socket passes the middleware; uncounted when it closes. */
  track(conn: Closable & { request: IncomingMessage; once(event: 'close', listener: () => void): void }): void;
  /** Unauthenticated sessions held now (tests, and the closing note). */
  pendingCount(): number;
}

export function liveAccess(deps: LiveAccessDeps): LiveAccess {
  const pending = pendingSessions(deps);
  const perAddress = new Map<string, number>();
  let total = 0;
  const keyOf = (req: IncomingMessage): string => addressKeyOf(req.socket.remoteAddress);

  const allowRequest: AllowRequest = (req, callback) => {
    const wrongHost = deps.hostRefusal?.(req.headers.host) ?? null;
    if (wrongHost !== null) return callback(wrongHost, false);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host) && !deps.corsOrigins.includes(origin)) {
      callback(`origin ${origin} is not allowed (this server's own, or CORS_ORIGINS)`, false);
      return;
    }
    callback(null, true);
  };

  const track: LiveAccess['track'] = (conn) => {
    pending.add(conn, keyOf(conn.request));
    conn.once('close', () => pending.forget(conn));
  };

  /** Counts an authenticated socket until its socket or its connection goes, whichever is first. */
  function count(key: string, release: (listener: () => void) => void): void {
    total += 1;
    perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
    let released = false;
    release(() => {
      if (released) return;
      released = true;
      total -= 1;
      const left = (perAddress.get(key) ?? 1) - 1;
      if (left > 0) perAddress.set(key, left);
      else perAddress.delete(key);
    });
  }

  const middleware: LiveMiddleware = (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const auth = deps.authenticate(typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined);
    if (auth.kind === 'invalid') return next(Object.assign(new Error(`unauthorized: ${auth.reason}`), { data: { status: 401 } }));
    const who = auth.kind === 'ok' ? auth.principal : null;
    const verdict = decideAccess('viewer', who, { read: true, publicRead: deps.publicRead });
    if (!verdict.ok) return next(Object.assign(new Error(`unauthorized: ${verdict.reason}`), { data: { status: verdict.status } }));
    if (total >= deps.maxConnections)
      return next(new Error(`too many live connections: at most ${deps.maxConnections} (LIVE_MAX_CONNECTIONS)`));
    const key = keyOf(socket.conn.request);
    if ((perAddress.get(key) ?? 0) >= deps.maxConnectionsPerAddress)
      return next(
        new Error(`too many live connections from ${key}: at most ${deps.maxConnectionsPerAddress} (LIVE_MAX_CONNECTIONS_PER_ADDRESS)`),
      );
    pending.forget(socket.conn);
    // socket.io drops a socket without a 'disconnect' when its connection closed while the
    // middleware ran, so the connection's close releases the count too.
    count(key, (release) => {
      socket.once('disconnect', release);
      socket.conn.once('close', release);
    });
    socket.data.principal = who;
    next();
  };

  return { allowRequest, middleware, track, pendingCount: pending.size };
}

/** The page's origin is the Host it was served from; scheme aside (a TLS proxy may sit in front). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host;
}
