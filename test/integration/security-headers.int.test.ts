import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom();
});
afterAll(async () => {
  await h.stop();
});

it('sends security headers on pages, API answers and errors (helmet)', async () => {
  for (const path of ['/', '/api', '/api/v1/fleet', '/api/v1/nope']) {
    const res = await authedFetch(h.url + path);
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self'/);
    expect(res.headers.get('x-powered-by'), path).toBeNull();
  }
});
