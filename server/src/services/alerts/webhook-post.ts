import { Agent, fetch, type Response } from 'undici';
import type { WebhookTarget } from './ports.js';
import { signWebhook } from './signing.js';
import { guardedLookup, systemResolve, urlProblem, type Resolve, type TargetPolicy } from './target-guard.js';

/**
 * One delivery attempt of one notification: a signed POST of the stored body, byte for byte.
 * Anything but a 2xx answer within the timeout is a {@link WebhookDeliveryError} whose message
 * is what the dead-letter list shows ("connection refused", "HTTP 500: …", "timed out after 5000 ms").
 */

/** Why an attempt failed; `status` is the HTTP status when the receiver answered. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';
  constructor(
    message: string,
    readonly status: number | null,
    /** Retrying cannot help (410 Gone): the notification goes to the dead-letter list at once. */
    readonly permanent = false,
  ) {
    super(message);
  }
}

export interface PostOptions {
  /** Covers connecting, the response headers and reading the response body. */
  timeoutMs: number;
  /** Wall clock of this attempt: the signed `webhook-timestamp` (fresh on every attempt). */
  nowMs: number;
  userAgent: string;
  /** From {@link webhookDispatcher}: connections only to allowed addresses. */
  dispatcher: WebhookDispatcher;
  /**
   * Keep the start of an error answer in the failure (and so in dead letters)? Off by default:
   * with WEBHOOK_ALLOW_PRIVATE a receiver URL can point at an internal service, whose answers
   * would then be read back through the API (issue 16 item 13). Status and length always are.
   */
  keepErrorBody?: boolean;
}

export interface WebhookDispatcher {
  agent: Agent;
  policy: TargetPolicy;
}

/**
 * The connection pool webhooks go through: keep-alive, and a lookup that refuses any address
 * the policy does not allow at connect time (DNS rebinding). undici's own fetch with its Agent,
 * because Node's built-in fetch takes no lookup.
 */
export function webhookDispatcher(policy: TargetPolicy, resolve: Resolve = systemResolve): WebhookDispatcher {
  return { policy, agent: new Agent({ connect: { lookup: guardedLookup(policy, resolve) } }) };
}

// Enough of an error answer to say what went wrong; a 2xx body is read (so the connection can be
// reused) but never kept, and a receiver streaming megabytes cannot make us buffer them.
const SNIPPET_BYTES = 4_096;
const SNIPPET_CHARS = 200;

/** Resolves when the receiver answered 2xx; throws {@link WebhookDeliveryError} otherwise. */
export async function postWebhook(target: WebhookTarget, notification: { id: string; body: string }, options: PostOptions): Promise<void> {
  // A literal address never reaches the lookup: checked here (and the name's scheme and host).
  const refused = urlProblem(target.url, options.dispatcher.policy);
  if (refused) throw new WebhookDeliveryError(`refused target: ${refused}`, null);
  const headers = signedHeaders(target, notification, options);
  let response: Response;
  let answer: Snippet;
  try {
    // One signal for the whole exchange: a receiver that sends headers and then stalls the
    // body is as stuck as one that never answers.
    const signal = AbortSignal.timeout(options.timeoutMs);
    response = await fetch(target.url, {
      method: 'POST',
      body: notification.body,
      headers,
      redirect: 'manual',
      signal,
      dispatcher: options.dispatcher.agent,
    });
    answer = await readSnippet(response);
  } catch (err) {
    throw new WebhookDeliveryError(networkError(err, options.timeoutMs), null);
  }
  const { status } = response;
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400) {
    // Never followed: the signature was made for this URL's receiver, and a redirect is how an
    // attacker or a misconfigured proxy would move it elsewhere.
    const location = response.headers.get('location');
    throw new WebhookDeliveryError(`HTTP ${status} redirect to ${location ?? '(no Location)'} (redirects are not followed)`, status);
  }
  const message = `HTTP ${status}${errorDetail(answer, options.keepErrorBody === true)}`;
  // 410 Gone: the receiver says this endpoint is gone for good; retrying for a day helps nobody.
  throw new WebhookDeliveryError(status === 410 ? `${message} (permanent: endpoint gone)` : message, status, status === 410);
}

function signedHeaders(target: WebhookTarget, notification: { id: string; body: string }, options: PostOptions): Record<string, string> {
  try {
    const signature = signWebhook(notification.id, Math.floor(options.nowMs / 1000), notification.body, target.secrets);
    return { 'content-type': 'application/json', 'user-agent': options.userAgent, ...signature };
  } catch (err) {
    // A receiver with a broken secret is retried: fixing the receiver lets the backlog through.
    throw new WebhookDeliveryError(`cannot sign: ${messageOf(err)}`, null);
  }
}

interface Snippet {
  text: string;
  bytes: number;
  /** True when the answer went on past SNIPPET_BYTES (not read further). */
  more: boolean;
}

/** What a failure says of the answer: its start when kept, else only its length. */
function errorDetail(answer: Snippet, keep: boolean): string {
  if (keep) {
    const detail = answer.text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
    return detail ? `: ${detail}` : '';
  }
  if (answer.bytes === 0) return '';
  return ` (answer of ${answer.more ? 'over ' : ''}${answer.bytes} bytes, not kept)`;
}

async function readSnippet(response: Response): Promise<Snippet> {
  if (!response.body) return { text: '', bytes: 0, more: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= SNIPPET_BYTES) {
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8'), bytes: SNIPPET_BYTES, more: true };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes: size, more: false };
}

/** A short operator-facing reason from what fetch threw (undici wraps the socket error in `cause`). */
function networkError(err: unknown, timeoutMs: number): string {
  if (nameOf(err) === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  if (nameOf(cause) === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  switch (codeOf(cause)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'UND_ERR_SOCKET':
      return 'connection closed before a response';
    case 'ETARGETREFUSED':
      return messageOf(cause);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return `request failed: ${messageOf(cause)}`;
  }
}

function nameOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : undefined;
}

/** The errno-style code; an AggregateError (happy eyeballs tried several addresses) carries its first error's. */
function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if ('code' in err && typeof err.code === 'string') return err.code;
  if (err instanceof AggregateError) return codeOf(err.errors[0]);
  return undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
