import { sortedNames, type Labels } from './labels.js';

/**
 * Alert fingerprints exactly as Alertmanager computes them (`model.LabelSet.Fingerprint` in
 * prometheus/common `model/signature.go`): 64-bit FNV-1a over, for each label name in sorted
 * order, `name 0xFF value 0xFF` as UTF-8 bytes; printed as 16 lower-case hex digits
 * (`Fingerprint.String()` is `%016x`). So the `fingerprint` of our webhook alerts equals the one
 * Alertmanager shows for the same labels, and receivers can dedupe across both.
 *
 * BigInt, because the multiply must wrap at 2⁶⁴ and a double holds only 53 bits.
 */

const OFFSET64 = 14695981039346656037n;
const PRIME64 = 1099511628211n;
const MASK64 = (1n << 64n) - 1n;
/** A byte that cannot occur in UTF-8: separates names and values (`model.SeparatorByte`). */
const SEPARATOR_BYTE = 0xff;

const utf8 = new TextEncoder();

function addBytes(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const byte of bytes) h = ((h ^ BigInt(byte)) * PRIME64) & MASK64;
  return h;
}

const addByte = (hash: bigint, byte: number): bigint => ((hash ^ BigInt(byte)) * PRIME64) & MASK64;

/** FNV-1a 64 of a label set, as an unsigned 64-bit integer. The empty set hashes to the offset basis. */
export function labelsSignature(labels: Labels): bigint {
  let h = OFFSET64;
  for (const name of sortedNames(labels)) {
    h = addByte(addBytes(h, utf8.encode(name)), SEPARATOR_BYTE);
    h = addByte(addBytes(h, utf8.encode(labels[name] ?? '')), SEPARATOR_BYTE);
  }
  return h;
}

/** The fingerprint of a label set: 16 hex digits, e.g. `507c5d7a08e7a5a1`. */
export function fingerprint(labels: Labels): string {
  return labelsSignature(labels).toString(16).padStart(16, '0');
}

/** FNV-1a 64 of a plain string, hex: a short stable token (used in notification ids). */
export function fnv64Hex(text: string): string {
  return addBytes(OFFSET64, utf8.encode(text)).toString(16).padStart(16, '0');
}
