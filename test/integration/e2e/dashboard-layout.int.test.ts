import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from './browser.js';

const PHONE = { width: 390, height: 844 } as const;
const HD = { width: 1920, height: 1080 } as const;
const SECTIONS = ['headline', 'heatmap', 'trends', 'sellable', 'what-if', 'contracts', 'demand-plans', 'alerts'] as const;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

/** Every pod cell's box on the page, in document order (hall by hall). */
function cellBoxes(page: Page): Promise<Box[]> {
  return page.$$eval('.cell[data-pod]', (cells) =>
    cells.map((c) => {
      const r = c.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    }),
  );
}

async function sectionBoxes(page: Page): Promise<Record<string, Box>> {
  const out: Record<string, Box> = {};
  for (const id of SECTIONS) {
    const { x, y, width, height } = (await page.getByTestId(id).boundingBox())!;
    out[id] = { left: x, top: y, right: x + width, bottom: y + height, width, height };
  }
  return out;
}

// Expressions as strings where the page's globals are read: this file is type-checked without the DOM library.
const pageWidth = (page: Page): Promise<number> => page.evaluate('document.scrollingElement.scrollWidth') as Promise<number>;
const pageHeight = (page: Page): Promise<number> => page.evaluate('document.documentElement.scrollHeight') as Promise<number>;
const round = (n: number): number => Math.round(n * 10) / 10;

/* ---- colour vision: Machado, Oliveira & Fernandes (2009) at severity 1, the matrices Chromium's emulation uses ---- */
type Rgb = [number, number, number];
const DEFICIENCY: Record<'protanopia' | 'deuteranopia', number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
};
const toLinear = (v: number): number => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
const toSrgb = (v: number): number => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * Math.max(0, v) ** (1 / 2.4) - 0.055);
const hex = (s: string): Rgb => [1, 3, 5].map((i) => parseInt(s.trim().slice(i, i + 2), 16)) as Rgb;
function simulate(c: Rgb, m: number[][]): Rgb {
  const lin = c.map(toLinear);
  return m.map((row) =>
    toSrgb(
      Math.min(
        1,
        row.reduce((sum, k, i) => sum + k * lin[i]!, 0),
      ),
    ),
  ) as Rgb;
}
const distance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe.skipIf(!hasChromium)(
  'the dashboard on a phone, on a wall in kiosk mode, and to colour-blind eyes (the uniform Colossus, colossus-h100: 768 pods; the mixed one in dashboard-models-colossus)',
  () => {
    let h: TestHeadroom;
    let browser: Browser;

    beforeAll(async () => {
      await buildClient();
      h = await startTestHeadroom({ PRESET: 'colossus-h100', BACKFILL_DAYS: '2', SIM_CONTRACTS: 'demo' });
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
      await h?.stop();
    });

    it('fits a 390×844 phone: no sideways page, headline figures apart, pods ≥ 24 px and tappable, money columns a swipe away', async () => {
      const { page, problems } = await openPage(browser, PHONE);
      await loadDashboard(page, signInUrl(h.url));
      const width = await pageWidth(page);
      console.log(`phone 390×844: page ${width} px wide`);
      expect(width).toBeLessThanOrEqual(PHONE.width);

      // Headline: within each tile no two figures overlap, and none leaves the screen.
      const tiles = await page.$$eval('.tile', (els) =>
        els.map((t) =>
          [...t.querySelectorAll('.fig-value')].map((f) => {
            const r = f.getBoundingClientRect();
            return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
          }),
        ),
      );
      for (const figs of tiles) {
        for (const [i, a] of figs.entries()) {
          expect(a.right).toBeLessThanOrEqual(PHONE.width);
          for (const b of figs.slice(i + 1)) {
            const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
            expect(apart, `headline figures overlap: ${JSON.stringify([a, b])}`).toBe(true);
          }
        }
      }

      // Pods: WCAG 2.5.8 target size, and neighbours do not overlap (a tap opened the next pod).
      const cells = await cellBoxes(page);
      expect(cells).toHaveLength(768);
      const smallest = Math.min(...cells.flatMap((c) => [c.width, c.height]));
      console.log(`phone: pod cells ${round(cells[0]!.width)}×${round(cells[0]!.height)} px (smallest side ${round(smallest)} px)`);
      expect(smallest).toBeGreaterThanOrEqual(24);
      for (let i = 1; i < cells.length; i++) {
        const [a, b] = [cells[i - 1]!, cells[i]!];
        if (Math.abs(a.top - b.top) < 1) expect(b.left).toBeGreaterThanOrEqual(a.right);
      }
      // A pod far to the right of hall h03: scrolled to inside the heatmap card, it opens itself.
      const far = page.locator('.heatmap-row').nth(2).locator('.cell[data-pod]').nth(60);
      const farPod = (await far.getAttribute('data-pod')) ?? '';
      await far.scrollIntoViewIfNeeded();
      await far.click();
      expect(decodeURIComponent((await page.evaluate('location.hash')) as string)).toBe(`#pod=${farPod}`);
      expect(await page.getByTestId('pod-title').textContent()).toContain(farPod);
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'layout-phone-heatmap-scrolled.png') });

      // Money columns: each scrolls into view inside its table, the page itself never moves sideways.
      const money = page.locator('[data-testid=contracts-table] th.n, [data-testid=contracts-table] td.n');
      expect(await money.count()).toBeGreaterThan(0);
      for (const column of await money.all()) {
        await column.scrollIntoViewIfNeeded();
        const box = (await column.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width + 0.5);
      }
      expect(await page.evaluate('window.scrollX')).toBe(0);
      await page.getByTestId('contracts').screenshot({ path: join(SCREENSHOTS, 'layout-phone-contracts-scrolled.png') });
      await page.evaluate(`
      for (const el of document.querySelectorAll('.table-wrap, .heatmap-rows')) el.scrollLeft = 0;
      window.scrollTo(0, 0);
    `);
      await page.screenshot({ path: join(SCREENSHOTS, 'layout-phone-390x844-page.png'), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'layout-phone-390x844-first-screen.png') });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('fills a 3840×2160 wall with ?kiosk: no scrolling, every section on the screen, pods ≥ 32 px with marks to scale', async () => {
      const { page, problems } = await openPage(browser, VIEWPORTS.wall);
      await loadDashboard(page, signInUrl(h.url).replace('/#', '/?kiosk#'));
      const height = await pageHeight(page);
      console.log(`wall kiosk 3840×2160: page ${height} px tall`);
      expect(height).toBeLessThanOrEqual(VIEWPORTS.wall.height);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      for (const [id, box] of Object.entries(await sectionBoxes(page))) {
        expect(box.top, id).toBeGreaterThanOrEqual(0);
        expect(box.left, id).toBeGreaterThanOrEqual(0);
        expect(box.bottom, id).toBeLessThanOrEqual(VIEWPORTS.wall.height);
        expect(box.right, id).toBeLessThanOrEqual(VIEWPORTS.wall.width);
      }
      // Every contract's row shows (a 22vh table showed one).
      const rowsHidden = await page.$$eval('[data-testid=contracts-table] tbody tr', (rows) => {
        const card = rows[0]!.closest('[data-testid=contracts]')!.getBoundingClientRect();
        return rows.filter((r) => r.getBoundingClientRect().bottom > card.bottom).length;
      });
      expect(rowsHidden).toBe(0);
      // Nothing is cut inside a card either: no card's body (nor a table in it) has more than it shows.
      const clipped = await page.$$eval('.card-body, .table-wrap', (els) =>
        els
          .filter((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
          .map(
            (e) =>
              `${e.closest('.card')?.id ?? '?'} ${e.className}: ${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight}`,
          ),
      );
      expect(clipped).toEqual([]);
      expect(await page.getByTestId('session').isVisible()).toBe(false);

      const cells = await cellBoxes(page);
      const cell = cells[0]!;
      console.log(`wall kiosk: pod cells ${round(cell.width)}×${round(cell.height)} px`);
      expect(Math.min(cell.width, cell.height)).toBeGreaterThanOrEqual(32);
      // Cells fill the card: the halls reach across the heatmap's area or down to its legend, whichever is nearer.
      const area = (await page.locator('.heatmap-rows').boundingBox())!;
      const across = area.x + area.width - Math.max(...cells.map((c) => c.right));
      const down = area.y + area.height - Math.max(...cells.map((c) => c.bottom));
      expect(Math.min(across, down)).toBeLessThan(cell.width);
      expect(Math.max(across, down)).toBeGreaterThanOrEqual(0);
      // The "down" corner scales with the cell: half of it, black around white.
      const mark = await page.$eval('.cell.down', (c) => {
        const view = c.ownerDocument.defaultView!;
        const outer = view.getComputedStyle(c, '::before');
        const inner = view.getComputedStyle(c, '::after');
        return { outer: parseFloat(outer.width), outerColour: outer.backgroundColor, innerColour: inner.backgroundColor };
      });
      expect(mark.outer).toBeGreaterThanOrEqual(16);
      expect(mark).toMatchObject({ outerColour: 'rgb(0, 0, 0)', innerColour: 'rgb(255, 255, 255)' });
      await page.screenshot({ path: join(SCREENSHOTS, 'layout-wall-kiosk-3840x2160.png') });
      await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'layout-wall-kiosk-heatmap.png') });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('keeps 1280×800, 1920×1080 and 3840×2160 without kiosk one page wide; cell sizes logged, screenshots saved', async () => {
      for (const [name, viewport] of [
        ['1280x800', VIEWPORTS.laptop],
        ['1920x1080', HD],
        ['3840x2160', VIEWPORTS.wall],
      ] as const) {
        const { page, problems } = await openPage(browser, viewport);
        await loadDashboard(page, signInUrl(h.url));
        expect(await horizontalOverflow(page), name).toBeLessThanOrEqual(0);
        const cell = (await cellBoxes(page))[0]!;
        console.log(`${name}: page ${await pageHeight(page)} px tall, pod cells ${round(cell.width)}×${round(cell.height)} px`);
        await page.screenshot({ path: join(SCREENSHOTS, `layout-${name}-page.png`), fullPage: true });
        expect(problems).toEqual([]);
        await page.close();
      }
    });

    it('keeps busy, held, idle, sold and down apart under deuteranopia and protanopia; screenshots under both and in greyscale', async () => {
      const { page, problems } = await openPage(browser, HD);
      await loadDashboard(page, signInUrl(h.url));
      const states = ['busy', 'held', 'idle', 'sold', 'down'] as const;
      const colours = await page.$eval(
        'html',
        (root, names) => {
          const style = root.ownerDocument.defaultView!.getComputedStyle(root);
          return Object.fromEntries(names.map((n) => [n, style.getPropertyValue(`--s-${n}`)]));
        },
        states,
      );
      for (const [deficiency, matrix] of Object.entries(DEFICIENCY)) {
        const seen = states.map((s) => [s, simulate(hex(colours[s]!), matrix)] as const);
        for (const [i, [a, ca]] of seen.entries()) {
          for (const [b, cb] of seen.slice(i + 1)) {
            // In 0–255 RGB: the closest pair here is 65 apart (busy and down, deuteranopia); in the old palette
            // idle and sold were 17 apart under deuteranopia, held and down 33.
            expect(distance(ca, cb), `${deficiency}: ${a} and ${b} look alike`).toBeGreaterThan(50);
          }
        }
      }

      // Secondary notes meet WCAG AA (axe colour-contrast), on both panel shades.
      const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
      // Evaluated over CDP: the page's CSP (script-src 'self') refuses an added <script>.
      await page.evaluate(readFileSync(axePath, 'utf8'));
      const contrast = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ nodes: Array<{ target: string[] }> }> }> };
          }
        ).axe;
        const result = await axe.run(
          { include: [['.fig-note'], ['.restricted'], ['.alert-since'], ['.pod-chart-caption'], ['.loading-text'], ['.chart-empty']] },
          { runOnly: ['color-contrast'] },
        );
        return result.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')));
      });
      expect(contrast).toEqual([]);

      const cdp = await page.context().newCDPSession(page);
      for (const type of ['deuteranopia', 'protanopia', 'achromatopsia'] as const) {
        await cdp.send('Emulation.setEmulatedVisionDeficiency', { type });
        await page.screenshot({ path: join(SCREENSHOTS, `layout-1920x1080-${type}.png`) });
        await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, `layout-heatmap-${type}.png`) });
        await page.getByTestId('headline').screenshot({ path: join(SCREENSHOTS, `layout-headline-${type}.png`) });
      }
      await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'none' });
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
