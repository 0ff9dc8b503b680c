/** Standard Webhooks secrets: `whsec_` + standard padded base64 of 24–64 random bytes (the spec's SHOULD). */
export const SECRET_PREFIX = 'whsec_';
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What is wrong with a secret, or null when it is well formed. */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return 'missing the whsec_ prefix';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) return 'the part after whsec_ is not standard padded base64';
  const bytes = (encoded.length / 4) * 3 - (encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0);
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) return `it decodes to ${bytes} bytes`;
  return null;
}

export const SECRET_EXPECTED = `expected whsec_ followed by the base64 of ${SECRET_MIN_BYTES}–${SECRET_MAX_BYTES} random bytes (omit it to have one generated)`;
