import { createHmac, randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): every
 * delivery carries `webhook-id` (one per notification, the same on every retry, so receivers
 * dedupe), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the bytes of the `whsec_` secret.
 * During a secret rotation a delivery is signed with every active secret, space-separated, so
 * a receiver holding either one verifies it.
 */

const PREFIX = 'whsec_';
/** The spec: secrets SHOULD be 24 to 64 bytes. */
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The key bytes of a `whsec_<base64>` secret.
 * @throws DomainError('invalid', message saying what is wrong, { path: 'secret' }) when the prefix
 *   is missing, the rest is not standard padded base64, or it is not 24–64 bytes.
 */
export function parseSecret(secret: string): Buffer {
  const fail = (why: string): never => {
    throw new DomainError('invalid', `secret: ${why}; expected whsec_ followed by the base64 of ${SECRET_MIN_BYTES}–${SECRET_MAX_BYTES} random bytes (omit it to have one generated)`, {
      path: 'secret',
    });
  };
  if (!secret.startsWith(PREFIX)) return fail('missing the whsec_ prefix');
  const encoded = secret.slice(PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) return fail('the part after whsec_ is not standard padded base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < SECRET_MIN_BYTES || key.length > SECRET_MAX_BYTES) return fail(`it decodes to ${key.length} bytes`);
  return key;
}

/** A new secret: `whsec_` + base64 of `bytes` random bytes (32 by default: an HMAC-SHA256 key's full strength). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    throw new RangeError(`generateSecret: bytes must be a whole number from ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES}`);
  }
  return PREFIX + randomBytes(bytes).toString('base64');
}

/** `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`, the body taken as its UTF-8 bytes. */
export function signatureOf(key: Buffer, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`, 'utf8').digest('base64')}`;
}

/**
 * The headers of one delivery attempt.
 * @param id the notification's id (`PlannedNotification.id`), identical on every retry.
 * @param timestampS unix seconds of this attempt (receivers reject ones more than ~5 min off).
 * @param body the exact request body bytes as a string.
 * @param secrets the receiver's active secrets (`whsec_...`), one signature each, in this order.
 * @throws DomainError('invalid') for a malformed secret; RangeError for no secret or a bad timestamp.
 */
export function signWebhook(id: string, timestampS: number, body: string, secrets: readonly string[]): SignatureHeaders {
  if (secrets.length === 0) throw new RangeError('signWebhook: at least one secret is needed');
  if (!Number.isSafeInteger(timestampS) || timestampS < 0) throw new RangeError(`signWebhook: timestamp must be whole unix seconds, got ${timestampS}`);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.map((s) => signatureOf(parseSecret(s), id, timestampS, body)).join(' '),
  };
}
