import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { principalOf } from './auth.js';
import type { ErrorBody } from './error-middleware.js';
import { foldedPath } from './router.js';

export interface RateLimits {
  /** Pushes per second for one token (INGEST_RATE_LIMIT_PER_S). */
  ingestPerTokenPerS: number;
  /** Pushes per second for the whole server, all tokens together (INGEST_RATE_LIMIT_TOTAL_PER_S). */
  ingestTotalPerS: number;
  /** Other API requests per minute for one token, or one address without a token (API_RATE_LIMIT_PER_MIN). */
  apiPerMin: number;
  /** Failed authentications per minute from one address before it gets 429 (AUTH_FAILURE_LIMIT_PER_MIN; auth-failures.ts). */
  authFailuresPerMin: number;
}

const INGEST_PATH = /^\/api\/v1\/ingest\//;
/** Every spelling of a path counts where its folded form would (router.ts): `/API/v1/ingest/json` is a push here. */
const isIngest = (req: Request): boolean => INGEST_PATH.test(foldedPath(req.path));
const isApi = (req: Request): boolean => foldedPath(req.path).startsWith('/api/');

/** Who a limit counts against: the token, or the address (IPv6 by /56) when there is none. */
const callerKey = (req: Request, res: Response): string => {
  const who = principalOf(res);
  return who ? `token:${who.tokenId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
};

/** A 429 that names the limit and its setting; Retry-After is set by express-rate-limit. */
const tooMany =
  (what: (req: Request, res: Response) => string): RequestHandler =>
  (req, res) => {
    // The connection is kept (unlike closeAfterRefusal's): the caller is authenticated, and a collector
    // over its budget should retry on it rather than pay a new connection per push under a flood.
    res
      .status(429)
      .json({ error: `rate limit: ${what(req, res)}; retry after the Retry-After seconds`, detail: { status: 429 } } satisfies ErrorBody);
  };

const callerName = (req: Request, res: Response): string => {
  const who = principalOf(res);
  return who ? `token "${who.name}"` : `address ${req.ip ?? 'unknown'}`;
};

/**
 * Request rate limits, after authentication (a limit counts per token). Ingest has its own
 * budgets per second, per token and for the whole server: pushes are what a runaway client
 * sends most of, and each one is a durable commit. Health, /metrics and the page are not limited.
 */
export function rateLimits(limits: RateLimits): RequestHandler[] {
  const common = { standardHeaders: 'draft-7', legacyHeaders: false, validate: { trustProxy: false } } as const;
  const ingestPerToken = rateLimit({
    ...common,
    windowMs: 1000,
    limit: limits.ingestPerTokenPerS,
    keyGenerator: callerKey,
    skip: (req) => !isIngest(req),
    handler: tooMany(
      (req, res) => `more than ${limits.ingestPerTokenPerS} pushes per second from ${callerName(req, res)} (INGEST_RATE_LIMIT_PER_S)`,
    ),
  });
  const ingestTotal = rateLimit({
    ...common,
    windowMs: 1000,
    limit: limits.ingestTotalPerS,
    keyGenerator: () => 'all',
    skip: (req) => !isIngest(req),
    handler: tooMany(() => `more than ${limits.ingestTotalPerS} pushes per second to this server (INGEST_RATE_LIMIT_TOTAL_PER_S)`),
  });
  const api = rateLimit({
    ...common,
    windowMs: 60_000,
    limit: limits.apiPerMin,
    keyGenerator: callerKey,
    skip: (req) => !isApi(req) || isIngest(req),
    handler: tooMany(
      (req, res) => `more than ${limits.apiPerMin} API requests per minute from ${callerName(req, res)} (API_RATE_LIMIT_PER_MIN)`,
    ),
  });
  return [ingestPerToken, ingestTotal, api];
}
