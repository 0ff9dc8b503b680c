/**
 * Metric names a PromQL expression reads, found with a small tokenizer rather than a parser:
 * strings, label matchers `{…}`, ranges `[…]` and grouping label lists (`by (…)`, `on (…)`…)
 * are blanked first, then every identifier that is not a keyword and not followed by `(`
 * (a function or aggregation) is a metric name. Good for the expressions we write; not a
 * general PromQL parser (`{__name__="x"}` selectors are not seen).
 *
 * @returns the distinct names in order of first appearance
 */
export function metricNamesIn(expr: string): string[] {
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  // Numbers and durations come first so `5m`, `1e9` or `0x1f` never read as identifiers.
  const token = /0x[0-9a-fA-F]+|(?:\d+(?:ms|[smhdwy]))+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|([A-Za-z_:][A-Za-z0-9_:]*)|\S/g;
  for (let m = token.exec(blanked); m !== null; m = token.exec(blanked)) {
    const name = m[1];
    if (name === undefined || KEYWORDS.has(name.toLowerCase())) continue;
    const next = /\S/.exec(blanked.slice(token.lastIndex));
    if (next?.[0] === '(') continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
]);
