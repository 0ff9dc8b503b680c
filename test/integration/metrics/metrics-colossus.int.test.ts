import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../helpers/exposition.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { authedFetch } from '../helpers/auth.js';
import { expectNoNaN } from '../helpers/metrics-agreement.js';

/** docs/prometheus-grafana.md states the figure; this bounds it, so a per-GPU or per-node label cannot slip in. */
const MAX_SERIES_AT_COLOSSUS = 1_000;

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ PRESET: 'colossus', BACKFILL_DAYS: '0.25', SIM_CONTRACTS: 'demo' });
}, 120_000);
afterAll(async () => {
  await h.stop();
});

describe('/metrics at Colossus scale (226,560 GPUs, 32,064 simulated targets)', () => {
  it(`stays under ${MAX_SERIES_AT_COLOSSUS} series, counting every GPU`, async () => {
    const text = await (await authedFetch(`${h.url}/metrics`)).text();
    const m = parseExposition(text);
    const series = m.seriesCount();
    const renders: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      await (await authedFetch(`${h.url}/metrics`)).text();
      renders.push(performance.now() - started);
    }
    renders.sort((a, b) => a - b);
    // A figure for docs/prometheus-grafana.md and the closing note, not a timed assertion.
    console.info(
      `colossus /metrics: ${series} series, ${text.length} bytes, render median ${renders[7]?.toFixed(1)} ms, max ${renders[14]?.toFixed(1)} ms`,
    );
    expect(series).toBeLessThanOrEqual(MAX_SERIES_AT_COLOSSUS);
    expect(m.sum('headroom_gpus')).toBe(226_560);
    expect(m.families.get('headroom_gpus')?.metrics).toHaveLength(14 * 6);
  });

  it('has no NaN in any sample, before and after a collection round', async () => {
    expectNoNaN(await (await authedFetch(`${h.url}/metrics`)).text());
    await h.collectAt(h.clock.now());
    expectNoNaN(await (await authedFetch(`${h.url}/metrics`)).text());
  });
});
