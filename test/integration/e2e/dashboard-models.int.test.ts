import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
import { smallMixedSite } from '../../support/mixed-site.js';

interface Pods {
  pods: Array<{ id: string; model: string; fabric: string; gpus: { total: number } }>;
}
interface Capacity {
  sellable: { blocks: Array<{ id: string; model: string; gpus: number; valueUsdPerMonth: number }> };
}

/** The blocks of GET /capacity summed per model, in the order each model's first block comes. */
function blocksByModel(capacity: Capacity): Array<{ model: string; blocks: number; gpus: number; usd: number }> {
  const sums = new Map<string, { model: string; blocks: number; gpus: number; usd: number }>();
  for (const b of capacity.sellable.blocks) {
    const sum = sums.get(b.model) ?? { model: b.model, blocks: 0, gpus: 0, usd: 0 };
    sum.blocks += 1;
    sum.gpus += b.gpus;
    sum.usd += b.valueUsdPerMonth;
    sums.set(b.model, sum);
  }
  return [...sums.values()];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const texts = (page: Page, selector: string): Promise<string[]> => page.locator(selector).allTextContents();

describe.skipIf(!hasChromium)('the dashboard on a mixed site: H100 leaf groups, H200 scalable units, GB200 NVL72 racks', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    // No contracts and a short, median reserve: a 504-GPU site then has blocks of two models to sell
    // (H100 and H200 at the pinned clock), which the grouping needs; the 90-day 95 % reserve leaves none.
    h = await startTestHeadroom(
      { BACKFILL_DAYS: '2', SIM_CONTRACTS: 'none', CAPACITY_HORIZON_DAYS: '7', FORECAST_QUANTILE: '0.5', RESERVE_MARGIN: '0' },
      tempDir(),
      { topology: smallMixedSite },
    );
    await h.collectAt(h.clock.now());
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('groups the heatmap per model, each cell a fabric unit that says what it is, as GET /fleet/pods', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    const { pods } = (await h.getJson<Pods>('/api/v1/fleet/pods')).body;
    expect(await texts(page, '[data-testid=heatmap-model]')).toEqual([
      'H100-SXM · 6 leaf groups of 32 GPUs · 192 GPUs',
      'H200-SXM · 3 scalable units of 32 GPUs · 96 GPUs',
      'GB200 · 3 NVL72 racks of 72 GPUs · 216 GPUs',
    ]);
    // Under each header, its model's pods alone; every pod once.
    const shown = (await page.$$eval('.heatmap-row', (rows) =>
      rows.flatMap((r) =>
        [...r.querySelectorAll('.cell')].map((c) => [
          r.getAttribute('data-model'),
          c.getAttribute('data-pod'),
          c.getAttribute('data-fabric'),
        ]),
      ),
    )) as Array<[string, string, string]>;
    expect([...shown].sort()).toEqual(pods.map((p) => [p.model, p.id, p.fabric]).sort());
    expect(shown.map(([model]) => model)).toEqual([...Array(6).fill('H100-SXM'), ...Array(3).fill('H200-SXM'), ...Array(3).fill('GB200')]);
    const rack = pods.find((p) => p.model === 'GB200')!;
    expect(rack.gpus.total).toBe(72);
    expect(await page.locator(`.cell[data-pod="${rack.id}"]`).getAttribute('aria-label')).toContain(
      `${rack.id} · GB200 NVL72 rack, 72 GPUs`,
    );
    // Hall h02 alone: both of its models' rows and headers, not H100's.
    await page.getByTestId('hall-select').selectOption('h02');
    expect(await texts(page, '.heatmap-model:not([hidden]) b')).toEqual(['H200-SXM', 'GB200']);
    await page.getByTestId('hall-select').selectOption('');
    // The keyboard walks the rows, model headers not a stop: ↓ from the H100 row lands on H200's.
    await page.locator(`.cell[data-pod="h01-p001"]`).click();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.dataset.pod')).toBe('h02-p001');
    await page.keyboard.press('PageDown');
    expect(await page.evaluate('document.activeElement.dataset.model')).toBe('GB200');
    // axe-core over the grid with its model headers: no critical or serious violation.
    await page.evaluate(AXE_SOURCE);
    const violations = (await page.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    )) as string[];
    expect(violations).toEqual([]);
    await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'models-heatmap-1280x800.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('groups the sellable table and the headline per model, with the figures of GET /capacity (the mixed Colossus preset)', async () => {
    // Since each model pool keeps its own reserve (issue 19 item 4) the 504-GPU site leaves only its
    // H100 leaf groups sellable; the mixed Colossus at the median forecast has blocks of several models.
    const colossus = await startTestHeadroom({ PRESET: 'colossus', BACKFILL_DAYS: '2', SIM_CONTRACTS: 'demo', FORECAST_QUANTILE: '0.5' });
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(colossus.url));
    const capacity = (await colossus.getJson<Capacity>('/api/v1/capacity')).body;
    const models = blocksByModel(capacity);
    console.info(`mixed Colossus sellable by model: ${JSON.stringify(models)}`);
    expect(models.length).toBeGreaterThan(1);
    const list = (await page.$$eval('[data-testid=sellable-by-model] li', (items) =>
      items.map((li) => ({
        model: li.dataset.model,
        blocks: Number(li.dataset.blocks),
        gpus: Number(li.dataset.gpus),
        usd: Number(li.dataset.usd),
      })),
    )) as Array<{ model: string; blocks: number; gpus: number; usd: number }>;
    expect(list.map(({ model, blocks, gpus }) => ({ model, blocks, gpus }))).toEqual(
      models.map(({ model, blocks, gpus }) => ({ model, blocks, gpus })),
    );
    list.forEach((item, i) => expect(item.usd).toBeCloseTo(models[i]!.usd, 2));
    // One table body per model, its rows that model's blocks.
    const bodies = (await page.$$eval('[data-testid=blocks-table] tbody', (els) =>
      els.map((b) => ({
        model: b.getAttribute('data-model'),
        rows: [...b.querySelectorAll('tr[data-block]')].map((r) => r.getAttribute('data-model')),
      })),
    )) as Array<{ model: string; rows: string[] }>;
    expect(bodies.map((b) => b.model)).toEqual(models.map((m) => m.model));
    for (const body of bodies) expect(body.rows).toEqual(Array(models.find((m) => m.model === body.model)!.blocks).fill(body.model));
    // The headline: sellable GPUs per model from the live figures.
    const headline = (await page.$$eval('[data-testid=headline-sellable-models] [data-model]', (spans) =>
      spans.map((s) => ({ model: s.getAttribute('data-model'), gpus: Number(s.getAttribute('data-gpus')) })),
    )) as Array<{ model: string; gpus: number }>;
    expect(headline).toEqual(models.map(({ model, gpus }) => ({ model, gpus })));
    expect(await page.getByTestId('headline-sellable-models').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'models-1280x800-page.png'), fullPage: true });
    await page.getByTestId('sellable').screenshot({ path: join(SCREENSHOTS, 'models-sellable-1280x800.png') });
    await page.getByTestId('headline').screenshot({ path: join(SCREENSHOTS, 'models-headline-1280x800.png') });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
    await colossus.stop();
  }, 240_000);

  it('keeps a 390×844 phone one page wide with the model headers', async () => {
    const { page, problems } = await openPage(browser, { width: 390, height: 844 });
    await loadDashboard(page, signInUrl(h.url));
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await page.locator('[data-testid=heatmap-model]').count()).toBe(3);
    await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'models-heatmap-390x844.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits the 3840×2160 wall in kiosk mode with the model headers', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.wall);
    await loadDashboard(page, signInUrl(h.url).replace('/#', '/?kiosk#'));
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(VIEWPORTS.wall.height);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    // The heatmap's card (the sellable card scrolls its table on a wall once blocks pass ≈ 4, with one model or several).
    const clipped = await page.$$eval('#heatmap .card-body, #heatmap .heatmap-rows', (els) =>
      els
        .filter((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
        .map(
          (e) =>
            `${e.closest('.card')?.id ?? '?'} ${e.className}: ${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight}`,
        ),
    );
    expect(clipped).toEqual([]);
    expect(await page.locator('[data-testid=heatmap-model]').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'models-wall-kiosk-3840x2160.png') });
    await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'models-wall-kiosk-heatmap.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
