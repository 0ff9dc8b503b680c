/**
 * The label-length limit of the push parsers (MAX_LABEL_LENGTH): a dcgm label name or value, a
 * JSON string field or a CSV cell longer than it refuses the whole batch as `too_large` (413).
 * Lengths count characters (Unicode code points), so "é" and "😀" count one each, as a person
 * reading the limit would count them.
 */
import { DomainError } from '../../domain/errors.js';

/** The setting a refusal names, so whoever reads the 413 knows which limit to raise. */
const SETTING = 'MAX_LABEL_LENGTH';

/**
 * Whether `s` holds more than `max` characters. Free when its UTF-16 length is within `max`
 * (a character is one or two UTF-16 units, so it cannot be longer); otherwise counts code points.
 */
export function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let chars = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character; a lone surrogate counts as one.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++chars > max) return true;
  }
  return false;
}

/**
 * The refusal, e.g. `line 3: value of label UUID longer than 1024 characters (MAX_LABEL_LENGTH)`;
 * `detail` gains `maxLabelLength`.
 */
export function labelTooLong(where: string, what: string, max: number, detail: Record<string, unknown>): DomainError {
  return new DomainError('too_large', `${where}: ${what} longer than ${max} characters (${SETTING})`, { ...detail, maxLabelLength: max });
}

/** A name for a message: itself when short, else its start and an ellipsis. */
export function shortName(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 64)}…`;
}
