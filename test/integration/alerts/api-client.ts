import { authedFetch } from '../helpers/auth.js';
import type { TestHeadroom } from '../helpers/harness.js';

/** A JSON request to the alerts and webhooks API as admin; the answer's body parsed (null when empty). */
export async function send(h: TestHeadroom, method: string, path: string, body?: unknown) {
  const res = await authedFetch(h.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: string } };
}
