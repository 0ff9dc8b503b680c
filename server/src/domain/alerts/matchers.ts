import { RE2JS } from 're2js';
import { z } from 'zod';
import { compareGoStrings, LABEL_NAME, type Labels } from './labels.js';

/**
 * Label matchers that choose which alerts a receiver gets, as Alertmanager's routes write them:
 * `severity="critical"`, `site!="lab"`, `alertname=~"Oversold.*"`, `hall!~"h0[12]"`. A regex
 * is anchored (`^(?:re)$`) and a missing label reads as "", both as in Alertmanager.
 *
 * Regexes are RE2 (re2js), as Alertmanager's Go `regexp`: matching is linear in the label value,
 * so no pattern can stall a round. V8's backtracking `RegExp` took seconds per alert on `(a+)+`
 * (issue 16); RE2 refuses what it cannot run in linear time (backreferences, lookaround).
 */

/** Longest matcher value, so longest regex, in characters: keeps compile time and program size small. */
export const MAX_REGEX_LENGTH = 1_024;
/** The text form holds the value quoted and escaped, so it may be longer than the value itself. */
const MAX_MATCHER_TEXT_LENGTH = 2 * MAX_REGEX_LENGTH + 200;

export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/**
 * The RE2 regex of a `=~` / `!~` matcher, to be run with `testExact` (anchored at both ends, as
 * Alertmanager's `^(?:re)$`). Compiled alone, so `a)|(b` cannot reach outside an anchoring group.
 * @throws Error saying why when the value is too long or does not compile under RE2.
 */
export function matcherRegex(value: string): RE2JS {
  if (value.length > MAX_REGEX_LENGTH) throw new Error(`longer than ${MAX_REGEX_LENGTH} characters`);
  return RE2JS.compile(value);
}

/** Why a matcher's regex cannot be used, or null (also null for `=` and `!=`). */
export function regexProblem(m: Matcher): string | null {
  if (m.type !== '=~' && m.type !== '!~') return null;
  try {
    matcherRegex(m.value);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Matchers whose regex no longer compiles (saved before regexes were RE2, e.g. with a
 * lookahead), each as `name=~"value": why`. Each never matches (see {@link compileMatchers}).
 */
export function matcherProblems(matchers: readonly Matcher[]): string[] {
  return matchers.flatMap((m) => {
    const problem = regexProblem(m);
    return problem === null ? [] : [`${matcherString(m)}: ${problem}`];
  });
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

/**
 * A predicate for "every matcher matches" (an empty list matches everything). A stored regex that
 * does not compile (see {@link matcherProblems}) never matches, `!~` too: its receiver gets
 * nothing rather than everything, and nothing throws into the round.
 */
export function compileMatchers(matchers: readonly Matcher[]): (labels: Labels) => boolean {
  const tests = matchers.map((m): ((v: string) => boolean) => {
    if (m.type === '=') return (v) => v === m.value;
    if (m.type === '!=') return (v) => v !== m.value;
    let re: RE2JS;
    try {
      re = matcherRegex(m.value);
    } catch {
      return () => false;
    }
    return m.type === '=~' ? (v) => re.testExact(v) : (v) => !re.testExact(v);
  });
  return (labels) =>
    tests.every((test, i) => test(Object.hasOwn(labels, matchers[i]?.name ?? '') ? (labels[matchers[i]?.name ?? ''] ?? '') : ''));
}

const matcherObject = z.strictObject({
  name: z.string().regex(LABEL_NAME).max(100),
  type: z.enum(MATCH_TYPES),
  value: z.string().max(MAX_REGEX_LENGTH),
});

/** A matcher as stored: the shape only, so a regex saved before RE2 still loads (and never matches). */
export const storedMatcherSchema = z.object({ name: z.string(), type: z.enum(MATCH_TYPES), value: z.string() });

/** A matcher in a receiver's config: the text form or `{ name, type, value }`; the regex must compile under RE2. */
export const matcherSchema = z.union([z.string().max(MAX_MATCHER_TEXT_LENGTH), matcherObject]).transform((input, ctx): Matcher => {
  const m = typeof input === 'string' ? parseMatcher(input) : input;
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `not a matcher: ${JSON.stringify(input)}; write it like severity="critical" or site=~"s1|s2"`,
    });
    return z.NEVER;
  }
  if (m.value.length > MAX_REGEX_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `value longer than ${MAX_REGEX_LENGTH} characters` });
    return z.NEVER;
  }
  const problem = regexProblem(m);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `bad regex in ${matcherString(m)} (RE2 syntax, as Alertmanager): ${problem}` });
    return z.NEVER;
  }
  return m;
});
