import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import type { ErrorBody } from './error-middleware.js';
import { closeAfterRefusal } from './refusal.js';

/**
 * The names this server answers to. A DNS-rebinding page (evil.example, re-pointed at 127.0.0.1
 * or at this host's address) makes a browser send `Host: evil.example` with the page's own
 * origin, so same-origin rules let it read /metrics, and with PUBLIC_READ the API and the live
 * view. Refusing Host names that are not ours closes that. IP literals are always accepted: a
 * page whose origin is an IP address is served by that address, so no rebinding is involved,
 * and Prometheus scrapes by address send one.
 */
export interface HostPolicy {
  /** Lower case, no port, IPv6 without brackets. */
  names: ReadonlySet<string>;
  /** Every Host accepted: ALLOWED_HOSTS=*, or bound to all interfaces with no name configured. */
  anyHost: boolean;
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The policy from the settings: EXTERNAL_URL's host name, HOST when it is a name, `localhost`
 * and ALLOWED_HOSTS (`*` there accepts any). Bound to every interface (HOST 0.0.0.0 or ::) with
 * neither EXTERNAL_URL nor ALLOWED_HOSTS, no name is known, so any Host is accepted (start-up
 * warns; exposure-warnings.ts).
 */
export function hostPolicy(settings: { host: string; externalUrl: string | null; allowedHosts: readonly string[] }): HostPolicy {
  const names = new Set(['localhost', ...settings.allowedHosts.map(bare)]);
  if (settings.externalUrl !== null) names.add(bare(new URL(settings.externalUrl).hostname));
  if (!WILDCARD_BINDS.has(settings.host)) names.add(bare(settings.host));
  const unnamed = WILDCARD_BINDS.has(settings.host) && settings.externalUrl === null && settings.allowedHosts.length === 0;
  return { names, anyHost: unnamed || settings.allowedHosts.includes('*') };
}

/** null when `host` (a Host header) names this server, else why not, naming it (for a 421 or a refused handshake). */
export function hostRefusal(policy: HostPolicy, host: string | undefined): string | null {
  // HTTP/1.0 may omit Host (node refuses HTTP/1.1 without one); browsers always send it.
  if (policy.anyHost || host === undefined) return null;
  const name = hostNameOf(host);
  if (name !== null && (isIP(name) !== 0 || policy.names.has(name))) return null;
  return `Host "${host.slice(0, 200)}" is not a name of this server: use its address, localhost, EXTERNAL_URL's host or one listed in ALLOWED_HOSTS`;
}

/** Express middleware: 421 Misdirected Request for a Host the policy refuses, before anything else runs. */
export function hostCheck(policy: HostPolicy): RequestHandler {
  return (req, res, next) => {
    const refusal = hostRefusal(policy, req.headers.host);
    if (refusal === null) return next();
    closeAfterRefusal(req, res);
    res.status(421).json({ error: refusal, detail: { status: 421 } } satisfies ErrorBody);
  };
}

/** `Example.COM.:8080` → `example.com`, `[::1]:80` → `::1`; null when it is no host (a path, credentials, a query). */
function hostNameOf(host: string): string | null {
  if (!URL.canParse(`http://${host}/`)) return null;
  const url = new URL(`http://${host}/`);
  if (url.pathname !== '/' || url.username || url.password || url.search || url.hash || host.includes('#')) return null;
  return bare(url.hostname);
}

const bare = (name: string): string =>
  name
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
