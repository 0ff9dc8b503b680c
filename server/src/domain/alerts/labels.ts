/**
 * Label sets as Alertmanager and Prometheus handle them. Go compares and sorts strings
 * byte-wise (UTF-8); JavaScript's `<` compares UTF-16 code units, which orders characters
 * above U+FFFF before U+E000–U+FFFF. Comparing code points gives UTF-8 byte order, so every
 * sort here goes through {@link compareGoStrings}.
 */

export type Labels = Record<string, string>;

/** Prometheus' legacy label name: what our rules, matchers and group-by accept. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `-1 | 0 | 1` in Go's byte-wise string order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const pa = ca.value.codePointAt(0) ?? 0;
    const pb = cb.value.codePointAt(0) ?? 0;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
}

/** The label names, sorted as Go sorts them. */
export function sortedNames(labels: Labels): string[] {
  return Object.keys(labels).sort(compareGoStrings);
}

/** A copy with keys in Go's order: JSON.stringify then writes them as Go writes a map. */
export function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of sortedNames(labels)) out[name] = labels[name] ?? '';
  return out;
}

/** The labels named in `names` that the set has (group labels of an alert). */
export function pickLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const name of names) if (Object.hasOwn(labels, name)) out[name] = labels[name] ?? '';
  return sortedLabels(out);
}

/** Go's `strconv.Quote` for the characters label values hold in practice. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    // Not printable for Go (C1 controls, soft hyphen, line/paragraph separators, lone surrogates).
    else if ((cp >= 0x80 && cp <= 0x9f) || cp === 0xad || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += cp >= 0xd800 && cp <= 0xdfff ? '\\ufffd' : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** `model.LabelSet.String()`: `{alertname="X", site="s1"}`, names sorted, values Go-quoted. */
export function labelSetString(labels: Labels): string {
  return `{${sortedNames(labels)
    .map((name) => `${name}=${goQuote(labels[name] ?? '')}`)
    .join(', ')}}`;
}

/**
 * `model.LabelSet.Before`: fewer labels first; otherwise the first differing pair in the sorted
 * union of names decides (a missing name sorts first, then values byte-wise).
 */
export function labelSetBefore(a: Labels, b: Labels): boolean {
  const na = Object.keys(a).length;
  const nb = Object.keys(b).length;
  if (na !== nb) return na < nb;
  const names = [...Object.keys(a), ...Object.keys(b)].sort(compareGoStrings);
  for (const name of names) {
    if (!Object.hasOwn(a, name)) return true;
    if (!Object.hasOwn(b, name)) return false;
    const c = compareGoStrings(a[name] ?? '', b[name] ?? '');
    if (c !== 0) return c < 0;
  }
  return false;
}
