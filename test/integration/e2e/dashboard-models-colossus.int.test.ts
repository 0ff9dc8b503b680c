import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  hasChromium,
  horizontalOverflow,
  launch,
  loadDashboard,
  openPage,
  signInUrl,
} from './browser.js';
import { colossusMixedSite } from '../../support/mixed-site.js';

/** The wall and the laptop at a mixed Colossus (1,199 fabric units in 16 halls): the heatmap's model groups fit, cell sizes logged. */
describe.skipIf(!hasChromium)('the dashboard at a mixed Colossus (586 H100 and 196 H200 leaf groups, 417 GB200 NVL72 racks)', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ BACKFILL_DAYS: '0.25', SIM_CONTRACTS: 'demo' }, tempDir(), { topology: colossusMixedSite });
    await h.collectAt(h.clock.now());
    browser = await launch();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('fits the 3840×2160 kiosk wall and 1280×800 with a header per model over its halls', async () => {
    for (const [name, viewport, kiosk] of [
      ['wall-kiosk-3840x2160', VIEWPORTS.wall, true],
      ['1280x800', VIEWPORTS.laptop, false],
    ] as const) {
      const { page, problems } = await openPage(browser, viewport);
      await loadDashboard(page, kiosk ? signInUrl(h.url).replace('/#', '/?kiosk#') : signInUrl(h.url));
      // Saved first, so a failing size below still leaves the picture to look at.
      await page.screenshot({ path: join(SCREENSHOTS, `models-colossus-${name}.png`) });
      await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, `models-colossus-heatmap-${name}.png`) });
      expect(await page.locator('.cell[data-pod]').count()).toBe(1_199);
      expect(await page.locator('[data-testid=heatmap-model] b').allTextContents()).toEqual(['H100-SXM', 'H200-SXM', 'GB200']);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const cell = (await page.locator('.cell[data-pod]').first().boundingBox())!;
      console.info(`mixed colossus ${name}: pod cells ${cell.width.toFixed(1)}×${cell.height.toFixed(1)} px`);
      if (kiosk) {
        expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(VIEWPORTS.wall.height);
        const clipped = await page.$$eval('#heatmap .card-body, #heatmap .heatmap-rows', (els) =>
          els.filter((e) => e.scrollHeight > e.clientHeight + 1).map((e) => `${e.className}: ${e.scrollHeight} in ${e.clientHeight}`),
        );
        expect(clipped).toEqual([]);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
