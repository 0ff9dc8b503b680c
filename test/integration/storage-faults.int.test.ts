import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom();
});
afterAll(async () => {
  await h.stop();
});

/** A batch of `n` GPUs, 8 per host, big enough to need fresh database pages. */
const batch = (prefix: string, n: number) =>
  JSON.stringify({
    gpus: Array.from({ length: n }, (_, i) => ({
      uuid: `GPU-${prefix}-${i}`,
      host: `${prefix}-node-${Math.floor(i / 8)}`,
      index: i % 8,
      powerWatts: 300,
      utilizationPercent: 50,
      memoryUsedMiB: 1024,
    })),
  });

describe('a storage fault (a real SQLITE_FULL: the database may not grow)', () => {
  it('answers 503 with Retry-After naming the problem, stores nothing, keeps serving, and accepts the batch once space is back', async () => {
    const pages = Number(h.db.pragma('page_count', { simple: true }));
    h.db.pragma(`max_page_count = ${pages}`);
    try {
      const refused = await authedFetch(`${h.url}/api/v1/ingest/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: batch('full', 2_000),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(((await refused.json()) as { error: string }).error).toMatch(
        /^storage unavailable: the disk \(or the database size limit\) is full; nothing of this request was stored/,
      );
      expect((await h.getJson('/healthz')).status).toBe(200);
      expect((await h.getJson('/api/v1/fleet')).status).toBe(200);
    } finally {
      h.db.pragma('max_page_count = 1073741823');
    }
    // A round later the refused batch left no trace.
    await h.collectAt(h.clock.now());
    expect((await h.getJson('/api/v1/gpus/GPU-full-0')).status).toBe(404);
    const accepted = await h.post('/api/v1/ingest/json', batch('full', 2_000), 'application/json');
    expect(accepted.status).toBe(200);
    expect(accepted.body.accepted).toBe(2_000);
    await h.collectAt(h.clock.now());
    expect((await h.getJson('/api/v1/gpus/GPU-full-0')).status).toBe(200);
  });
});
