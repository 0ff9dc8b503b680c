import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatMwNumber, formatUsdCompact } from '../../../client/src/format.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  figure,
  hasChromium,
  horizontalOverflow,
  launch,
  loadDashboard,
  openPage,
  signInUrl,
  sleep,
  until,
} from './browser.js';

interface Fleet {
  gpus: { total: number; busy: number; idle: number; sold: number; down: number };
  power: { feedWatts: number; facilityDrawWatts: number; headroomWatts: number };
  updatedAt: string;
}
interface Capacity {
  sellable: { gpus: number; watts: number; valueUsdPerMonth: number; blocks: Array<{ pods: string[] }> };
}

/** The collection interval the server runs at by default (SCRAPE_INTERVAL_MS): one update per round. */
const ROUND_MS = 10_000;

describe.skipIf(!hasChromium)('the dashboard at Colossus scale (226,560 GPUs, 1,184 pods)', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ PRESET: 'colossus', BACKFILL_DAYS: '2', SIM_CONTRACTS: 'demo' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('draws every section, with the headline of GET /fleet and /capacity, at 1280×800 and 3840×2160; screenshots saved', async () => {
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    const capacity = (await h.getJson<Capacity>('/api/v1/capacity')).body;
    // Whether blocks are sellable depends on the forecast of the simulated history at this hour of
    // the day (2 days backfilled): both cases are drawn, the table must match the API either way.
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const { page, problems } = await openPage(browser, viewport);
      const { wallMs, pageMs } = await loadDashboard(page, signInUrl(h.url));
      console.log(
        `first full render (Colossus, ${viewport.width}×${viewport.height}): ${Math.round(wallMs)} ms from navigation (page's own clock: ${pageMs} ms)`,
      );
      expect(await page.locator('.cell[data-pod]').count()).toBe(1_184);
      expect(await figure(page, 'gpus-total')).toEqual({ value: String(fleet.gpus.total), text: formatCount(fleet.gpus.total) });
      expect(await figure(page, 'gpus-busy')).toEqual({ value: String(fleet.gpus.busy), text: formatCount(fleet.gpus.busy) });
      expect(await figure(page, 'headline-draw')).toEqual({
        value: String(fleet.power.facilityDrawWatts),
        text: formatMwNumber(fleet.power.facilityDrawWatts),
      });
      expect(await figure(page, 'sellable-gpus')).toEqual({
        value: String(capacity.sellable.gpus),
        text: formatCount(capacity.sellable.gpus),
      });
      const usd = capacity.sellable.valueUsdPerMonth;
      expect(await figure(page, 'sellable-value')).toEqual({ value: String(usd), text: formatUsdCompact(usd) });
      expect(await page.locator('[data-testid=blocks-table] tbody tr').count()).toBe(capacity.sellable.blocks.length);
      expect(await horizontalOverflow(page), `${name}: page wider than the viewport`).toBeLessThanOrEqual(0);
      if (name === 'wall') {
        // A wall screen cannot be scrolled: the whole default view fits on it.
        expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(viewport.height);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `colossus-${name}-page.png`), fullPage: true });

      // "Sell these 12 pods for 24 months at $6M a month."
      await page.getByTestId('whatif-pods').fill('12');
      await page.getByTestId('whatif-months').fill('24');
      await page.getByTestId('whatif-price').fill('6000000');
      await page.getByTestId('whatif-submit').click();
      await until(
        () => figure(page, 'whatif-total'),
        (f) => f.value === String(6_000_000 * 24),
        5_000,
        'what-if answer',
      );
      const sellablePod =
        capacity.sellable.blocks[0]?.pods[0] ?? (await page.locator('.cell[data-pod]').first().getAttribute('data-pod')) ?? '';
      await page.click(`.cell[data-pod="${sellablePod}"]`);
      await until(
        () => page.getByTestId('pod-detail').getAttribute('data-history-points'),
        (v) => Number(v) > 0,
        10_000,
        'pod history',
      );
      await sleep(300);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(SCREENSHOTS, `colossus-${name}-with-pod-and-what-if.png`), fullPage: true });
      for (const view of ['headline', 'heatmap', 'trends', 'sellable', 'what-if', 'contracts', 'demand-plans', 'alerts']) {
        await page.getByTestId(view).screenshot({ path: join(SCREENSHOTS, `colossus-${name}-${view}.png`) });
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('sends a connected client about 1 kB/s: one update per round (a headline and a 10.8 kB heatmap frame)', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    let bytes = 0;
    let frames = 0;
    page.on('websocket', (ws) => {
      ws.on('framereceived', ({ payload }) => {
        bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
        frames++;
      });
    });
    await loadDashboard(page, signInUrl(h.url));
    await sleep(1_500); // socket.io's upgrade from long-polling to the WebSocket
    const rounds = 2;
    const startBytes = bytes;
    const startFrames = frames;
    const started = performance.now();
    let t = h.clock.now();
    for (let i = 0; i < rounds; i++) {
      const roundStarted = performance.now();
      t += ROUND_MS;
      await h.collectAt(t);
      await sleep(Math.max(0, ROUND_MS - (performance.now() - roundStarted)));
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = (bytes - startBytes) / seconds;
    console.log(
      `Colossus, one client: ${bytes - startBytes} bytes in ${frames - startFrames} WebSocket frames over ${seconds.toFixed(1)} s = ${Math.round(rate)} B/s (${rounds} rounds at the default 10 s interval)`,
    );
    expect(await page.getByTestId('data-time').getAttribute('data-at-ms')).toBe(String(t));
    // Each round: the update's JSON + its 10,764-byte heatmap attachment; pings are a few bytes.
    expect(rate).toBeGreaterThan(800);
    expect(rate).toBeLessThan(2_000);
    expect(problems).toEqual([]);
    await page.close();
  });
});
