import { z } from 'zod';

/**
 * The one duration grammar of the API (alert rules, receivers, history steps): a number of
 * seconds, or a Prometheus-style string (`30s`, `5m`, `6h`, `1h30m`, `7d`, `2w`), as people write
 * `for:` and `group_wait:` in Prometheus and Alertmanager files and `step` in PromQL queries.
 */

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** Seconds in `6h`, `1h30m`, `90s` or `"120"`; null when it is not such a duration. */
export function parseDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (!WHOLE.test(trimmed)) return null;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) seconds += Number(amount) * (UNIT_S[unit ?? 's'] ?? 1);
  return seconds;
}

/** Up to a year: longer is a typo, and keeps every `ms` sum far inside 2⁵³. */
export const MAX_DURATION_S = 366 * 86_400;

/** A duration field: seconds (number) or a string like `6h`, parsed to seconds, ≥ `minS`. */
export function durationSeconds(minS = 0) {
  return z.union([z.number(), z.string()]).transform((input, ctx) => {
    const seconds = typeof input === 'number' ? input : parseDurationSeconds(input);
    if (seconds === null || !Number.isFinite(seconds) || seconds < minS || seconds > MAX_DURATION_S) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration from ${minS} s to 366 d, in seconds or like 30s, 5m, 6h, 1h30m, 7d; got ${JSON.stringify(input)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });
}
