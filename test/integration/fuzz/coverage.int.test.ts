import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountedOperations } from '../helpers/express-routes.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { FUZZ_GROUPS, NOT_FUZZED } from './endpoints.js';

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom();
});
afterAll(async () => {
  await h.stop();
});

describe('the endpoint fuzz covers the app', () => {
  const fuzzed = Object.values(FUZZ_GROUPS).flatMap((g) => g.endpoints.map((e) => `${e.method} ${e.route}`));

  it('fuzzes every POST, PUT and PATCH route the app mounts, or says why not', () => {
    const writes = mountedOperations(h.app).filter((op) => /^(POST|PUT|PATCH) /.test(op));
    expect(
      writes.filter((op) => !fuzzed.includes(op) && !(op in NOT_FUZZED)),
      'add these to test/integration/fuzz/endpoints.ts',
    ).toEqual([]);
  });

  it('lists only routes the app mounts', () => {
    const mounted = mountedOperations(h.app);
    expect([...fuzzed, ...Object.keys(NOT_FUZZED)].filter((op) => !mounted.includes(op))).toEqual([]);
  });
});
