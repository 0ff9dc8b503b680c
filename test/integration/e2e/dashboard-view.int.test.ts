import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMwNumber } from '../../../client/src/format.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
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

const HD = { width: 1920, height: 1080 } as const;
const PHONE = { width: 390, height: 844 } as const;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const STATES = ['busy', 'held', 'idle', 'sold', 'down', 'unknown'] as const;

interface Block {
  id: string;
  hall: string | null;
  pods: string[];
  gpus: number;
  watts: number;
}
interface Capacity {
  sellable: { blocks: Block[]; watts: number };
}
interface Halls {
  halls: Array<{ id: string; gpus: Record<(typeof STATES)[number] | 'total', number> }>;
}

/** axe-core's critical and serious violations (as dashboard-a11y.int runs it), every one logged. */
async function blocking(page: Page, where: string): Promise<Array<{ id: string; impact: string | null }>> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const found = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      first: v.nodes[0] ? v.nodes[0].target.join(' ') + ': ' + (v.nodes[0].any[0]?.message ?? '') : '' })))`,
  )) as Array<{ id: string; impact: string | null; nodes: number; first: string }>;
  console.log(
    `axe, ${where}: ${found.length ? found.map((v) => `${v.id} (${v.impact}, ${v.nodes}×, e.g. ${v.first})`).join('; ') : 'no violations'}`,
  );
  return found.filter((v) => v.impact === 'critical' || v.impact === 'serious').map(({ id, impact }) => ({ id, impact }));
}

const fragment = (page: Page): Promise<string> => page.evaluate('location.hash') as Promise<string>;
const shownHalls = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('.heatmap-row')].filter((r) => !r.hidden).map((r) => r.dataset.hall)`) as Promise<string[]>;
const cellWidth = (page: Page): Promise<number> =>
  page.evaluate(`[...document.querySelectorAll('.heatmap-row:not([hidden]) .cell')][0].getBoundingClientRect().width`) as Promise<number>;

describe.skipIf(!hasChromium)('the view: one hall, the address, the tab title, themes, print and reduced motion', () => {
  let h: TestHeadroom;
  let browser: Browser;
  let stopped = false;
  /** The hall with the most sellable blocks in GET /api/v1/capacity, so its figures are not all zero. */
  let hall: string;
  let capacity: Capacity;

  beforeAll(async () => {
    await buildClient();
    // Colossus with a median forecast (as dashboard-figures.int): twelve halls, sellable blocks in several.
    h = await startTestHeadroom({ PRESET: 'colossus', BACKFILL_DAYS: '2', SIM_CONTRACTS: 'demo', FORECAST_QUANTILE: '0.5' });
    browser = await launch();
    capacity = (await h.getJson<Capacity>('/api/v1/capacity')).body;
    const perHall = new Map<string, number>();
    for (const b of capacity.sellable.blocks) if (b.hall) perHall.set(b.hall, (perHall.get(b.hall) ?? 0) + 1);
    const best = [...perHall].sort((a, b) => b[1] - a[1])[0];
    if (!best) throw new Error('the site has no sellable block in any hall');
    hall = best[0];
  });
  afterAll(async () => {
    await browser?.close();
    if (!stopped) await h?.stop();
  });

  it("shows one hall's pods larger, with its GPUs by state and sellable blocks equal to the API's, and back to all halls", async () => {
    const { page, problems } = await openPage(browser, HD);
    await loadDashboard(page, signInUrl(h.url));
    const allHalls = await shownHalls(page);
    expect(allHalls.length).toBeGreaterThan(1);
    const smallCell = await cellWidth(page);

    await page.getByTestId('hall-select').selectOption(hall);
    // A long hall wraps into several rows (fabric-units.ts wrapAt): every row shown is the hall's.
    expect([...new Set(await shownHalls(page))]).toEqual([hall]);
    expect(await fragment(page)).toBe(`#hall=${hall}`);
    const bigCell = await cellWidth(page);
    console.log(
      `heatmap cell at 1920×1080: ${smallCell.toFixed(1)} px wide with all halls, ${bigCell.toFixed(1)} px with hall ${hall} alone`,
    );
    expect(bigCell).toBeGreaterThan(smallCell * 1.3);

    // GPUs by state: the live heatmap's counts for the hall, as GET /api/v1/fleet/halls has them.
    const fromApi = (await h.getJson<Halls>('/api/v1/fleet/halls')).body.halls.find((x) => x.id === hall);
    if (!fromApi) throw new Error(`hall ${hall} not in /api/v1/fleet/halls`);
    const figures = page.getByTestId('hall-figures');
    await figures.waitFor({ state: 'visible' });
    expect(await figures.getAttribute('data-hall')).toBe(hall);
    expect(Number(await page.getByTestId('hall-gpus-total').getAttribute('data-value'))).toBe(fromApi.gpus.total);
    for (const state of STATES)
      expect(Number(await page.getByTestId(`hall-gpus-${state}`).getAttribute('data-value')), state).toBe(fromApi.gpus[state]);

    // Its sellable blocks, GPUs and power: GET /api/v1/capacity's blocks in that hall.
    const mine = capacity.sellable.blocks.filter((b) => b.hall === hall);
    const watts = mine.reduce((s, b) => s + b.watts, 0);
    expect(Number(await page.getByTestId('hall-sellable-blocks').getAttribute('data-value'))).toBe(mine.length);
    expect(Number(await page.getByTestId('hall-sellable-gpus').getAttribute('data-value'))).toBe(mine.reduce((s, b) => s + b.gpus, 0));
    expect(Number(await page.getByTestId('hall-sellable-mw').getAttribute('data-value'))).toBeCloseTo(watts, 6);
    expect(await page.getByTestId('hall-sellable-mw').textContent()).toBe(formatMwNumber(watts));

    // The sellable table shows that hall's blocks alone, its total theirs.
    const rowHalls = (await page.evaluate(
      `[...document.querySelectorAll('[data-testid=blocks-table] tbody tr')].map((r) => r.cells[0].textContent)`,
    )) as string[];
    expect(rowHalls.length).toBe(mine.length);
    expect(new Set(rowHalls)).toEqual(new Set([hall]));
    expect(Number(await page.getByTestId('sellable-total-gpus').getAttribute('data-value'))).toBe(mine.reduce((s, b) => s + b.gpus, 0));
    await page.screenshot({ path: join(SCREENSHOTS, 'view-hall-1920.png'), fullPage: true });

    // Its label again: all halls, and the address forgets the hall.
    await page.locator(`.heatmap-row[data-hall="${hall}"] .hall-label`).first().click();
    expect(await shownHalls(page)).toEqual(allHalls);
    expect(await fragment(page)).toBe('');
    expect(await page.getByTestId('hall-figures').isVisible()).toBe(false);
    // A label picks its hall, "all halls" in the select clears it.
    await page.locator(`.heatmap-row[data-hall="${hall}"] .hall-label`).first().click();
    // A long hall wraps into several rows (fabric-units.ts wrapAt): every row shown is the hall's.
    expect([...new Set(await shownHalls(page))]).toEqual([hall]);
    await page.getByTestId('hall-select').selectOption('');
    expect(await shownHalls(page)).toEqual(allHalls);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits one hall on a phone without sideways scrolling, cells at least 24 px', async () => {
    const { page, problems } = await openPage(browser, PHONE);
    await loadDashboard(page, signInUrl(h.url));
    await page.getByTestId('hall-select').selectOption(hall);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const sizes = (await page.evaluate(
      `[...document.querySelectorAll('.heatmap-row:not([hidden]) .cell')].map((c) => { const r = c.getBoundingClientRect(); return Math.min(r.width, r.height); })`,
    )) as number[];
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(24);
    const rows = page.locator('.heatmap-rows');
    expect(await rows.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'view-hall-390.png') });
    await page.getByTestId('headline').screenshot({ path: join(SCREENSHOTS, 'view-hall-390-headline.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the other parts of the address when a pod link opens a pod, and a reload restores hall and pod', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    // Parts another section owns (the charts' range and time zone) must survive a pod link.
    await page.evaluate(`history.replaceState(null, '', '#range=7d&tz=local')`);
    await page.getByTestId('hall-select').selectOption(hall);
    expect(await fragment(page)).toBe(`#range=7d&tz=local&hall=${hall}`);

    const link = page.locator('[data-testid=blocks-table] a.pod-link').first();
    const pod = (await link.getAttribute('data-pod')) ?? '';
    await link.hover();
    expect(await link.getAttribute('href')).toBe(`#range=7d&tz=local&hall=${hall}&pod=${pod}`);
    await link.click();
    await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
    expect(await page.getByTestId('pod-detail').getAttribute('data-pod')).toBe(pod);
    expect(await fragment(page)).toBe(`#range=7d&tz=local&hall=${hall}&pod=${pod}`);

    await page.reload();
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
    expect(await page.getByTestId('pod-detail').getAttribute('data-pod')).toBe(pod);
    // A long hall wraps into several rows (fabric-units.ts wrapAt): every row shown is the hall's.
    expect([...new Set(await shownHalls(page))]).toEqual([hall]);
    expect(await page.getByTestId('hall-select').inputValue()).toBe(hall);
    expect(await fragment(page)).toBe(`#range=7d&tz=local&hall=${hall}&pod=${pod}`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('has no critical or serious axe violations in the light theme, which the address and the browser keep', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.getByTestId('theme-select').selectOption('light');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    expect(await fragment(page)).toBe('#theme=light');
    const background = await page.evaluate(`getComputedStyle(document.querySelector('.card')).backgroundColor`);
    expect(background).toBe('rgb(255, 255, 255)');
    await page.locator('.cell[data-pod]').first().click();
    await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
    expect(await blocking(page, 'light theme, 1280×800, a pod open')).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'view-light-1280.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'view-light-1280-full.png'), fullPage: true });

    // Without the fragment, this browser's last choice (localStorage); with "system", the system's scheme.
    await page.evaluate(`history.replaceState(null, '', location.pathname)`);
    await page.reload();
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    await page.getByTestId('theme-select').selectOption('system');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    // The system's change arrives as a matchMedia event, after emulateMedia returns.
    await page.emulateMedia({ colorScheme: 'dark' });
    await until(
      () => page.evaluate('document.documentElement.dataset.theme'),
      (t) => t === 'dark',
      5_000,
      'the system theme turning dark',
    );
    expect(await fragment(page)).toBe('#theme=system');
    expect(await blocking(page, 'dark theme, 1280×800')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits every contracts column at 1280×800 without scrolling sideways, money to the dollar', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    const wrap = page.locator('#contracts .table-wrap');
    const [scroll, client] = await wrap.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    console.log(`contracts table at 1280×800: ${scroll} px wide in a ${client} px box`);
    expect(scroll).toBeLessThanOrEqual(client);
    const tcv = await page.getByTestId('total-tcv').textContent();
    expect(tcv).toMatch(/^\$[\d,]+$/);
    await page.getByTestId('contracts').screenshot({ path: join(SCREENSHOTS, 'view-contracts-1280.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('prints light, without controls, with the address and the time of the figures', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    const visibleControls = (): Promise<number> =>
      page.evaluate(
        `[...document.querySelectorAll('button, input, select, .pill')].filter((el) => el.getClientRects().length > 0).length`,
      ) as Promise<number>;
    expect(await visibleControls()).toBeGreaterThan(0);
    await page.emulateMedia({ media: 'print' });
    expect(await visibleControls()).toBe(0);
    const meta = page.getByTestId('print-meta');
    expect(await meta.isVisible()).toBe(true);
    const text = (await meta.textContent()) ?? '';
    expect(text).toContain(`Printed from ${h.url}/`);
    expect(text).toMatch(/figures at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(await page.evaluate(`getComputedStyle(document.body).color`)).toBe('rgb(15, 26, 38)');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'view-print.png') });
    await page.getByTestId('contracts').screenshot({ path: join(SCREENSHOTS, 'view-print-contracts.png') });
    writeFileSync(join(SCREENSHOTS, 'view-print.pdf'), await page.pdf({ format: 'A4', printBackground: true }));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('stops every animation and transition under reduced motion', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await page.goto(signInUrl(h.url));
    // Every element's animation and transition durations, in seconds (a list like "0.3s, 0s" summed).
    const moving = `[...document.querySelectorAll('*')].map((el) => { const cs = getComputedStyle(el);
      const sum = (v) => v.split(',').reduce((s, x) => s + parseFloat(x), 0);
      return sum(cs.animationDuration) + sum(cs.transitionDuration); }).filter((s) => s > 0).length`;
    // The skeletons shimmer and the progress bar slides while the page loads.
    expect(await page.evaluate(moving)).toBeGreaterThan(0);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.reload();
    expect(await page.evaluate(moving)).toBe(0);
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    expect(await page.evaluate(moving)).toBe(0);
    await page.close();
  });

  it('gives the sign-in page one main landmark', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await page.goto(h.url);
    await page.getByTestId('sign-in').waitFor({ state: 'visible', timeout: 10_000 });
    const mains = await page.evaluate(
      `[...document.querySelectorAll('main, [role=main]')].filter((el) => el.getClientRects().length > 0).length`,
    );
    expect(mains).toBe(1);
    if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
    const ids = (await page.evaluate(`axe.run(document).then((r) => r.violations.map((v) => v.id))`)) as string[];
    expect(ids).not.toContain('landmark-one-main');
    expect(await page.title()).toBe('Headroom · SIGN-IN NEEDED');
    await page.close();
  });

  it('shows the sellable power and alerts firing in the tab title, and DISCONNECTED when the server stops', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    const sellable = (await h.getJson<Capacity>('/api/v1/capacity')).body.sellable.watts;
    const firing = (await h.getJson<{ active: Array<{ status: string }> }>('/api/v1/alerts')).body.active.filter(
      (a) => a.status === 'firing',
    ).length;
    const title = await page.title();
    console.log(`tab title: ${title}`);
    expect(title).toBe(
      `Headroom · ${formatMwNumber(sellable)} MW sellable${firing ? ` · ${firing} alert${firing === 1 ? '' : 's'} firing` : ''}`,
    );
    stopped = true;
    await h.stop();
    const { value } = await until(
      () => page.title(),
      (t) => t === 'Headroom · DISCONNECTED',
      15_000,
      'the tab title after the server stopped',
    );
    expect(value).toBe('Headroom · DISCONNECTED');
    await page.close();
  });
});
