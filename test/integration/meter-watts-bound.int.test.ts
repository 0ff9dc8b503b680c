/**
 * Issue 16 (item 8), regression: a JSON push with a meter reading `watts: 1e300` was accepted,
 * and the site's facility draw read 1e300 W on /fleet, /metrics and in a year of history. A
 * facility meter (site or hall) now reads at most METER_MAX_FEED_MULTIPLE × the site feed, and
 * not negative or infinite; a batch with one bad reading is refused whole (400 naming the reading)
 * and stores nothing: not the journal entry, not its GPUs, not its other meters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METER_MAX_FEED_MULTIPLE } from '../../server/src/domain/fleet/apply-batch.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

interface Fleet {
  site: { feedWatts: number };
  power: { facilityDrawWatts: number; metered: boolean };
}

describe('facility meter readings are bounded by the site feed', () => {
  let h: TestHeadroom;
  let feedWatts = 0;
  const journalRows = () => h.db.prepare<[], number>('SELECT count(*) FROM ingest_journal').pluck().get() ?? 0;
  const push = (body: string) => h.post('/api/v1/ingest/json', body, 'application/json');
  const fleet = async () => (await h.getJson<Fleet>('/api/v1/fleet')).body;

  beforeAll(async () => {
    h = await startTestHeadroom();
    await h.collectAt(h.clock.now());
    feedWatts = (await fleet()).site.feedWatts;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses 1e300 W, a negative and an infinite reading with a 400 naming the reading, and stores nothing of the batch', async () => {
    const journalBefore = journalRows();
    const before = await fleet();
    const gpu = { uuid: 'GPU-meter-batch', host: 'meter-node', powerWatts: 400 };
    const good = { id: 'm-site', scope: 'site', watts: feedWatts / 2 };
    for (const [body, error] of [
      [JSON.stringify({ gpus: [gpu], meters: [good, { id: 'm-huge', scope: 'site', watts: 1e300 }] }), /^meters\[1\]\.watts: must be ≤ /],
      [
        JSON.stringify({ meters: [{ id: 'm-over', scope: 'site', watts: METER_MAX_FEED_MULTIPLE * feedWatts + 1 }] }),
        /^meters\[0\]\.watts/,
      ],
      [JSON.stringify({ gpus: [gpu], meters: [{ id: 'm-neg', scope: 'site', watts: -1 }] }), /^meters\[0\]\.watts/],
      // JSON.parse reads 1e999 as Infinity.
      [`{"gpus":[${JSON.stringify(gpu)}],"meters":[{"id":"m-inf","scope":"site","watts":1e999}]}`, /^meters\[0\]\.watts/],
    ] as const) {
      const res = await push(body);
      expect(res.status, body.slice(0, 120)).toBe(400);
      expect(String(res.body.error)).toMatch(error);
    }
    expect(journalRows()).toBe(journalBefore);
    await h.collectAt(h.clock.now());
    const after = await fleet();
    expect(after.power.metered).toBe(before.power.metered);
    expect(after.power.facilityDrawWatts).toBeLessThan(feedWatts * METER_MAX_FEED_MULTIPLE);
    expect((await h.getJson('/api/v1/gpus/GPU-meter-batch')).status).toBe(404);
    expect(await (await fetch(`${h.url}/metrics`)).text()).not.toMatch(/e\+300/);
  });

  it('takes a reading up to the bound', async () => {
    const watts = METER_MAX_FEED_MULTIPLE * feedWatts;
    const res = await push(JSON.stringify({ meters: [{ id: 'm-peak', scope: 'site', watts }] }));
    expect(res.status).toBe(200);
    await h.collectAt(h.clock.now());
    expect((await fleet()).power).toMatchObject({ metered: true, facilityDrawWatts: watts });
  });
});
