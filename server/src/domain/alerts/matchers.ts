import { z } from 'zod';
import { compareGoStrings, LABEL_NAME, type Labels } from './labels.js';

/**
 * Label matchers that choose which alerts a receiver gets, as Alertmanager's routes write them:
 * `severity="critical"`, `site!="lab"`, `alertname=~"Oversold.*"`, `hall!~"h0[12]"`. A regex
 * is anchored (`^(?:re)$`) and a missing label reads as "", both as in Alertmanager.
 */

export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** The anchored regex of a `=~` / `!~` matcher; throws SyntaxError when it does not compile. */
export function matcherRegex(value: string): RegExp {
  return new RegExp(`^(?:${value})$`, 'u');
}

/** Parses `name="value"` (or `name=value` unquoted); null when it is not a matcher. */
export function parseMatcher(text: string): Matcher | null {
  const m = MATCHER_TEXT.exec(text);
  if (!m?.[1] || !m[2]) return null;
  let value = m[3] ?? '';
  // Unquoted values are for the simple case; quotes elsewhere, or a second operator, are typos.
  if (!value.startsWith('"') && /["=~]/.test(value)) return null;
  if (value.startsWith('"')) {
    if (!value.endsWith('"') || value.length < 2) return null;
    try {
      value = JSON.parse(value) as string;
    } catch {
      return null;
    }
  }
  return { name: m[1], type: m[2] as MatchType, value };
}

/**
 * Alertmanager's `Matcher.String()`: name, type, and the value in double quotes with `\`, `"` and
 * newline escaped (`openMetricsEscape`). Part of the route key, hence of `groupKey`.
 */
export function matcherString(m: Matcher): string {
  const escaped = m.value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
  return `${m.name}${m.type}"${escaped}"`;
}

/** `Matchers.String()` of the matchers sorted as Alertmanager sorts a route's: `{a="1",b=~"x"}`. */
export function matchersString(matchers: readonly Matcher[]): string {
  const sorted = [...matchers].sort(
    (a, b) =>
      compareGoStrings(a.name, b.name) || compareGoStrings(a.value, b.value) || MATCH_TYPES.indexOf(a.type) - MATCH_TYPES.indexOf(b.type),
  );
  return `{${sorted.map(matcherString).join(',')}}`;
}

/** A predicate for "every matcher matches" (an empty list matches everything). */
export function compileMatchers(matchers: readonly Matcher[]): (labels: Labels) => boolean {
  const tests = matchers.map((m) => {
    const re = m.type === '=~' || m.type === '!~' ? matcherRegex(m.value) : null;
    return (v: string): boolean => {
      switch (m.type) {
        case '=':
          return v === m.value;
        case '!=':
          return v !== m.value;
        case '=~':
          return re?.test(v) ?? false;
        case '!~':
          return !(re?.test(v) ?? false);
      }
    };
  });
  return (labels) =>
    tests.every((test, i) => test(Object.hasOwn(labels, matchers[i]?.name ?? '') ? (labels[matchers[i]?.name ?? ''] ?? '') : ''));
}

/** A matcher in a receiver's config: the text form or `{ name, type, value }`; the regex must compile. */
export const matcherSchema = z
  .union([
    z.string().max(1_000),
    z.strictObject({ name: z.string().regex(LABEL_NAME).max(100), type: z.enum(MATCH_TYPES), value: z.string().max(1_000) }),
  ])
  .transform((input, ctx): Matcher => {
    const m = typeof input === 'string' ? parseMatcher(input) : input;
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `not a matcher: ${JSON.stringify(input)}; write it like severity="critical" or site=~"s1|s2"`,
      });
      return z.NEVER;
    }
    if (m.type === '=~' || m.type === '!~') {
      try {
        matcherRegex(m.value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `bad regex in ${matcherString(m)}: ${(err as Error).message}` });
        return z.NEVER;
      }
    }
    return m;
  });
