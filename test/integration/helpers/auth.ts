/**
 * The admin token every test server starts with (HEADROOM_ADMIN_TOKEN), and requests that carry
 * it. Tests that check refusals send their own headers instead.
 */
export const ADMIN_TOKEN = 'hr_test_admin_0123456789abcdefghijklmnopqrstuv';

/** Request budgets out of the way of tests that are not about them (those set their own). */
export const NO_RATE_LIMITS: Record<string, string> = {
  API_RATE_LIMIT_PER_MIN: '1000000000',
  INGEST_RATE_LIMIT_PER_S: '1000000000',
  INGEST_RATE_LIMIT_TOTAL_PER_S: '1000000000',
  AUTH_FAILURE_LIMIT_PER_MIN: '1000000000',
};

export const bearer = (token: string = ADMIN_TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** fetch with the admin token added (headers given win). */
export function authedFetch(url: string, init: RequestInit = {}, token: string = ADMIN_TOKEN): Promise<Response> {
  return fetch(url, { ...init, headers: { ...bearer(token), ...headersOf(init.headers) } });
}

function headersOf(headers: RequestInit['headers']): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}
