import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_STATES } from '../../../server/src/protocol/fleet.js';
import { parseExposition } from '../helpers/exposition.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { authedFetch } from '../helpers/auth.js';
import { smallMixedSite } from '../../support/mixed-site.js';

interface ModelPool {
  model: string;
  gpus: Record<(typeof GPU_STATES)[number] | 'total', number>;
  facilityWatts: number;
  pods: number;
}

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ BACKFILL_DAYS: '0.25' }, tempDir(), { topology: smallMixedSite });
  await h.collectAt(h.clock.now());
}, 120_000);
afterAll(async () => {
  await h.stop();
});

describe('/metrics per GPU model on a mixed site (H100 leaf groups, H200 scalable units, GB200 NVL72 racks)', () => {
  it('gives each model pool its GPUs by state and facility watts, equal to GET /api/v1/fleet', async () => {
    const [fleet, text] = await Promise.all([
      h.getJson<{ models: ModelPool[] }>('/api/v1/fleet'),
      authedFetch(`${h.url}/metrics`).then((r) => r.text()),
    ]);
    const m = parseExposition(text);
    expect(fleet.body.models.map((p) => [p.model, p.gpus.total, p.pods])).toEqual([
      ['H100-SXM', 192, 6],
      ['H200-SXM', 96, 3],
      ['GB200', 216, 3],
    ]);
    for (const pool of fleet.body.models) {
      for (const state of GPU_STATES) expect(m.value('headroom_model_gpus', { model: pool.model, state })).toBe(pool.gpus[state]);
      expect(m.value('headroom_model_facility_watts', { model: pool.model })).toBe(pool.facilityWatts);
    }
    expect(m.families.get('headroom_model_gpus')?.metrics).toHaveLength(3 * 6);
    expect(m.sum('headroom_model_gpus')).toBe(504);
  });
});
