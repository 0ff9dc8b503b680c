/**
 * Issue 19 item 1 on the dashboard: GPUs of models the table lacks are named in a small notice in
 * the status bar (hidden while there are none), at 1280×800 and on the 4K wall; screenshots saved.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
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
  until,
} from './browser.js';

const CAPTURES = ['v100-node-handmade.txt', 'a10g-node-handmade.txt', 'rtx6000ada-aiperf.txt'];

describe.skipIf(!hasChromium)('the unknown-model notice', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ STALE_AFTER_MS: '86400000' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('is hidden on a site where every model is known, then names the unknown models and their GPUs', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    expect(await page.getByTestId('unknown-models').isHidden()).toBe(true);

    for (let round = 0; round < 2; round++) {
      for (const name of CAPTURES)
        expect((await h.post('/api/v1/ingest/dcgm', fixture(`dcgm-exporter/${name}`), 'text/plain')).status).toBe(200);
      await h.collectAt(h.clock.now());
    }
    const notice = page.getByTestId('unknown-models');
    await until(
      () => notice.isVisible(),
      (v) => v,
      10_000,
      'the notice',
    );
    expect(await notice.textContent()).toBe('⚠ 7 GPUs of unknown models: "Tesla V100-SXM2-16GB" ×4, "NVIDIA A10G" ×2 +1 more');
    expect(await notice.getAttribute('title')).toContain('unknown model "NVIDIA RTX 6000 Ada Generation" ×1');
    await page.screenshot({ path: join(SCREENSHOTS, 'unknown-models-1280.png') });
    expect(await horizontalOverflow(page)).toBe(0);

    const wall = await openPage(browser, VIEWPORTS.wall);
    await loadDashboard(wall.page, signInUrl(h.url));
    await until(
      () => wall.page.getByTestId('unknown-models').isVisible(),
      (v) => v,
      10_000,
      'the notice on the wall',
    );
    await wall.page.screenshot({ path: join(SCREENSHOTS, 'unknown-models-wall.png') });
    expect(await horizontalOverflow(wall.page)).toBe(0);
    expect([...problems, ...wall.problems]).toEqual([]);
  });
});
