import { createHmac, randomBytes } from 'node:crypto';
import { SECRET_EXPECTED, SECRET_MAX_BYTES, SECRET_MIN_BYTES, SECRET_PREFIX, secretProblem } from '../../domain/alerts/webhook-secret.js';
import { DomainError } from '../../domain/errors.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): every
 * delivery carries `webhook-id` (one per notification, the same on every retry, so receivers
 * dedupe), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the bytes of the `whsec_` secret.
 * During a secret rotation a delivery is signed with every active secret, space-separated, so
 * a receiver holding either one verifies it.
 */

export { SECRET_MAX_BYTES, SECRET_MIN_BYTES };

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
  const problem = secretProblem(secret);
  if (problem !== null) throw new DomainError('invalid', `secret: ${problem}; ${SECRET_EXPECTED}`, { path: 'secret' });
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** A new secret: `whsec_` + base64 of `bytes` random bytes (32 by default: an HMAC-SHA256 key's full strength). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    throw new RangeError(`generateSecret: bytes must be a whole number from ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES}`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
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
  if (!Number.isSafeInteger(timestampS) || timestampS < 0)
    throw new RangeError(`signWebhook: timestamp must be whole unix seconds, got ${timestampS}`);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.map((s) => signatureOf(parseSecret(s), id, timestampS, body)).join(' '),
  };
}
