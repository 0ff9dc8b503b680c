import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ErrorBody } from './error-middleware.js';
import { closeAfterRefusal } from './refusal.js';

const WINDOW_MS = 60_000;
/** Addresses tracked per window at most; past it the rest share one count, so memory stays bounded. */
const MAX_ADDRESSES = 100_000;
const OVERFLOW = 'overflow';

/**
 * Failed authentications per address: a request that brought credentials (an Authorization
 * header) and was answered 401 counts; once an address has `perMin` in the current minute,
 * every request from it is answered 429 before its credentials are checked, so a flood or a
 * guesser gets no further, while a good token from another address is untouched. Requests
 * without credentials do not count (a dashboard before sign-in). IPv6 addresses count by /64,
 * what one host is usually given. Counted when the answer finishes: in-flight requests of a busy
 * collector never count as failures.
 */
export function authFailureLimit(perMin: number, nowMs: () => number): RequestHandler {
  let windowStart = nowMs();
  let failures = new Map<string, number>();
  const current = (): Map<string, number> => {
    const now = nowMs();
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now;
      failures = new Map();
    }
    return failures;
  };
  return (req, res, next) => {
    const address = ipKeyGenerator(req.ip ?? 'unknown', 64);
    const counts = current();
    const key = counts.has(address) || counts.size < MAX_ADDRESSES ? address : OVERFLOW;
    if ((counts.get(key) ?? 0) >= perMin) {
      closeAfterRefusal(req, res);
      res.set('Retry-After', String(Math.max(1, Math.ceil((windowStart + WINDOW_MS - nowMs()) / 1000))));
      res.status(429).json({
        error: `rate limit: more than ${perMin} failed authentications per minute from address ${req.ip ?? 'unknown'} (AUTH_FAILURE_LIMIT_PER_MIN); retry after the Retry-After seconds`,
        detail: { status: 429 },
      } satisfies ErrorBody);
      return;
    }
    if (req.headers.authorization !== undefined) {
      res.once('finish', () => {
        if (res.statusCode !== 401) return;
        const now = current();
        now.set(key, (now.get(key) ?? 0) + 1);
      });
    }
    next();
  };
}
