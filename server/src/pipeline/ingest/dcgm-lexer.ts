/**
 * Token helpers for the Prometheus text scanner in dcgm-text.ts: number parsing, DCGM blank
 * sentinels, label-value unescaping and the canonical form of a label set (duplicate checks).
 */

/** How much of a bad line an error message quotes. */
export const ERROR_SNIPPET_CHARS = 120;

/**
 * DCGM_INT32_BLANK (0x7ffffff0). Every DCGM blank/not-found/not-supported sentinel is at or
 * above it: INT32 ones up to 2^31-1, INT64 ones near 2^63 (e.g. 9223372036854775794) and
 * DCGM_FP64_BLANK = 140737488355328 (2^47).
 */
export const DCGM_BLANK_MIN = 2147483632;

/** 10^0 … 10^15: exact doubles, so mantissa / POW10[k] is correctly rounded. */
const POW10: readonly number[] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** What Go's strconv.ParseFloat (used by Prometheus) accepts in decimal, plus the special words. */
const FLOAT_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_SYNTAX = /^[+-]?inf(?:inity)?$/i;

/**
 * Parses the float in text[start, end). Returns undefined when it is not a number.
 * Fast path: plain decimals of up to 15 significant digits (all that dcgm-exporter prints
 * for real readings) without allocating. Everything else (exponents, NaN, ±Inf, 2^63
 * sentinels) goes through a validated Number() on the slice.
 */
export function parseFloatToken(text: string, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45) {
    negative = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (i < end) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    mantissa = mantissa * 10 + c;
    digits++;
    i++;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      mantissa = mantissa * 10 + c;
      digits++;
      fractionDigits++;
      i++;
    }
  }
  if (i === end && digits > 0 && digits <= 15) {
    const v = fractionDigits === 0 ? mantissa : mantissa / (POW10[fractionDigits] as number);
    return negative ? -v : v;
  }
  return parseFloatSlow(text.slice(start, end));
}

function parseFloatSlow(token: string): number | undefined {
  if (FLOAT_SYNTAX.test(token)) return Number(token);
  if (INF_SYNTAX.test(token)) return token.charCodeAt(0) === 45 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (token.toLowerCase() === 'nan') return Number.NaN;
  return undefined;
}

/** A DCGM blank sentinel or NaN becomes NaN (our in-scanner "no reading"); anything else passes. */
export function blankToNaN(v: number): number {
  return v >= DCGM_BLANK_MIN && v !== Number.POSITIVE_INFINITY ? Number.NaN : v;
}

/** Undoes the three escapes the exposition format allows in label values: \\ \" \n. */
export function unescapeLabelValue(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1] as string;
      out += next === 'n' ? '\n' : next;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * A syntax-checked label block (`{…}`, or '' for none) in canonical form: unescaped, sorted by
 * name, re-escaped. Two series are the same series exactly when name and canonical label set
 * are equal. Slow path only (repeated series).
 */
export function canonicalLabelSet(block: string): string {
  const pairs: Array<[string, string]> = [];
  let p = 1;
  const end = block.length - 1;
  while (p < end) {
    const eq = block.indexOf('=', p);
    if (eq === -1 || eq >= end) break;
    const name = block.slice(p, eq).replace(/[\s,{}]/g, '');
    const open = block.indexOf('"', eq);
    let close = open + 1;
    while (close < end) {
      const c = block.charCodeAt(close);
      if (c === 34) break;
      close += c === 92 ? 2 : 1;
    }
    pairs.push([name, unescapeLabelValue(block.slice(open + 1, close))]);
    p = close + 1;
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/** Character codes and metric-name classes of the exposition format. */
export const CH_TAB = 9;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_HASH = 35;
export const CH_LBRACE = 123;

export function isNameStart(c: number): boolean {
  // [a-zA-Z_:]
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

export function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58;
}
