/**
 * JSON as Go's `json.NewEncoder(w).Encode(v)` writes it, which is how Alertmanager writes a
 * webhook body: `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c` … (Go's default HTML-safe
 * escaping), invalid UTF-16 (a lone surrogate) as U+FFFD, and a trailing newline. Key order is
 * the objects' own: callers build struct fields in Go's declaration order and maps with sorted
 * keys (labels.ts `sortedLabels`). Label and annotation names never look like array indices
 * (they start with a letter or `_`), so JavaScript keeps that insertion order.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** The bytes (as a string) Go's encoder would write for `value`, trailing newline included. */
export function goJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\uFFFD') : v));
  // These characters only occur inside JSON strings, so replacing them in the text is safe.
  return `${json.replace(/[<>&\u2028\u2029]/g, (ch) => GO_ESCAPES[ch] ?? ch)}\n`;
}

/**
 * A time as Go's `time.Time` marshals it in UTC (RFC 3339 with nanoseconds, trailing zeros of
 * the fraction dropped): `2026-05-01T12:00:00Z`, `2026-05-01T12:00:00.25Z`. `null` is Go's zero
 * time, `0001-01-01T00:00:00Z`, which Alertmanager writes as `endsAt` of a firing alert.
 */
export function goTime(ms: number | null): string {
  if (ms === null) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

/** Go's `regexp.QuoteMeta`, which Alertmanager applies to the receiver name in webhook bodies. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
