/**
 * Retry delays for webhook delivery: exponential backoff with AWS "full jitter"
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): the delay is
 * uniform between 0 and min(max, base·2^(failures−1)). Full jitter spreads the retries of many
 * notifications that failed together (a receiver that came back) instead of sending them in
 * waves; the floor keeps a flapping receiver from being hammered by near-zero draws.
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; doubles with each further failure. */
  baseMs: number;
  /** Cap on the ceiling. */
  maxMs: number;
  /** Least delay of any retry (capped at `maxMs`); default {@link DEFAULT_BACKOFF_FLOOR_MS}. */
  floorMs?: number;
}

/** A quarter second: a receiver answering 500 at once is retried at most ~4 times a second per group. */
export const DEFAULT_BACKOFF_FLOOR_MS = 250;

/**
 * The delay before the next attempt.
 * @param failures failed attempts so far (1 after the first failure); values below 1 count as 1.
 * @param random a uniform draw in [0, 1) (`Math.random` in production, fixed in tests).
 * @returns whole milliseconds in [min(floor, max), max].
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const floor = Math.min(policy.floorMs ?? DEFAULT_BACKOFF_FLOOR_MS, policy.maxMs);
  // 2^n overflows to Infinity for large n, which min() turns into the cap.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (Math.max(1, failures) - 1));
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.max(floor, Math.floor(draw * ceiling));
}
