/**
 * Whether an operator-chosen secret looks guessable (issue 16 item 13: 32 × `a` was accepted as
 * the admin token). Two checks a random token passes with room to spare:
 * - the Shannon entropy of the string's own character frequencies times its length, at least
 *   MIN_SECRET_BITS: `openssl rand -base64 32` scores ≥ 190, 32 random hex digits (the shortest
 *   accepted) ≥ 92 in 100,000 draws; `ab` × 16 scores 32, `abcd` × 8 scores 64;
 * - not one short piece repeated (`abcdefgh` × 4 scores 96 by the first measure).
 */
export const MIN_SECRET_BITS = 72;

export function estimatedSecretBits(secret: string): number {
  const chars = [...secret];
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / chars.length) * Math.log2(n / chars.length);
  return bitsPerChar * chars.length;
}

/** True when `secret` is some shorter string repeated (twice or more, the last copy possibly cut short). */
export function isRepeatedPattern(secret: string): boolean {
  for (let period = 1; period <= secret.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < secret.length && repeats; i++) repeats = secret[i] === secret[i - period];
    if (repeats) return true;
  }
  return false;
}

/** The reason `secret` is too guessable to be a token, or null. */
export function weakSecretReason(secret: string): string | null {
  if (isRepeatedPattern(secret)) return 'is one short piece repeated';
  const bits = estimatedSecretBits(secret);
  if (bits < MIN_SECRET_BITS) return `has too few distinct characters (≈ ${Math.floor(bits)} bits; at least ${MIN_SECRET_BITS})`;
  return null;
}
