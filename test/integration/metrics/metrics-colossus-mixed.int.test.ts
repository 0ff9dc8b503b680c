import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../helpers/exposition.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { authedFetch } from '../helpers/auth.js';
import { colossusMixedSite } from '../../support/mixed-site.js';

/** As metrics-colossus.int.test.ts, on a mixed site of Colossus' size: the model label must not push the count past it. */
const MAX_SERIES_AT_COLOSSUS = 1_000;

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ BACKFILL_DAYS: '0.25', SIM_CONTRACTS: 'demo' }, tempDir(), { topology: colossusMixedSite });
  await h.collectAt(h.clock.now());
}, 240_000);
afterAll(async () => {
  await h.stop();
});

describe('/metrics at a mixed Colossus (230,216 GPUs: 586 H100 and 196 H200 leaf groups of 256, 417 GB200 NVL72 racks, 16 halls)', () => {
  it(`stays under ${MAX_SERIES_AT_COLOSSUS} series, with a model label on the per-model families`, async () => {
    const text = await (await authedFetch(`${h.url}/metrics`)).text();
    const m = parseExposition(text);
    const series = m.seriesCount();
    const perFamily = [...m.families.values()].map((f) => `${f.name} ${f.metrics.length}`).join(', ');
    // A figure for docs/prometheus-grafana.md and the closing note.
    console.info(`mixed colossus /metrics: ${series} series, ${text.length} bytes; ${perFamily}`);
    expect(series).toBeLessThanOrEqual(MAX_SERIES_AT_COLOSSUS);
    expect(m.sum('headroom_gpus')).toBe(230_216);
    expect(m.sum('headroom_model_gpus', { model: 'H100-SXM' })).toBe(586 * 256);
    expect(m.sum('headroom_model_gpus', { model: 'H200-SXM' })).toBe(196 * 256);
    expect(m.sum('headroom_model_gpus', { model: 'GB200' })).toBe(417 * 72);
    expect(m.families.get('headroom_model_gpus')?.metrics).toHaveLength(3 * 6);
  });
});
