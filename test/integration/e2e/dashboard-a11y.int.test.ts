import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { SCREENSHOTS, VIEWPORTS, buildClient, hasChromium, launch, loadDashboard, openPage, signInUrl, until } from './browser.js';

/** A phone held upright (iPhone 12–15): the smallest screen the dashboard is read on. */
const PHONE = { width: 390, height: 844 } as const;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  nodes: number;
  targets: string[];
}

/** axe-core's violations on the page as it is now (WCAG 2.x A/AA and best practices). */
async function axeViolations(page: Page): Promise<Violation[]> {
  // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') refuses an inline <script> (addScriptTag).
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' in #' + document.querySelector(n.target[0])?.closest('section')?.id),
  })))`)) as Violation[];
}

/** Logs every violation (the minor ones too, for the record) and returns the critical and serious ones. */
async function blockingViolations(page: Page, where: string): Promise<Violation[]> {
  const found = await axeViolations(page);
  console.log(
    `axe, ${where}: ${found.length ? found.map((v) => `${v.id} (${v.impact}, ${v.nodes}× e.g. ${v.targets[0]})`).join('; ') : 'no violations'}`,
  );
  return found.filter((v) => v.impact === 'critical' || v.impact === 'serious');
}

/** What has the keyboard focus: its test id or pod, its label and where it sits. */
function focused(
  page: Page,
): Promise<{ tag: string; pod: string | null; label: string | null; range: string | null; inDetail: boolean; inGrid: boolean }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    return {
      tag: el ? el.tagName.toLowerCase() : '',
      pod: el ? el.getAttribute('data-pod') : null,
      label: el ? el.getAttribute('aria-label') : null,
      range: el ? el.getAttribute('data-range') : null,
      inDetail: !!el && !!el.closest('[data-testid=pod-detail]'),
      inGrid: !!el && !!el.closest('[role=grid]'),
    };
  })()`) as Promise<{ tag: string; pod: string | null; label: string | null; range: string | null; inDetail: boolean; inGrid: boolean }>;
}

describe.skipIf(!hasChromium)('the dashboard for keyboard and screen-reader users (axe-core, Tab order, the heatmap grid)', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ SIM_CONTRACTS: 'demo' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  for (const [name, viewport] of [
    ['1280×800', VIEWPORTS.laptop],
    ['390×844', PHONE],
  ] as const) {
    it(`has no critical or serious axe violations at ${name}, with a pod open and a what-if valued`, async () => {
      const { page, problems } = await openPage(browser, viewport);
      await loadDashboard(page, signInUrl(h.url));
      expect(await blockingViolations(page, `${name} loaded`)).toEqual([]);
      await page.locator('.cell[data-pod]').first().click();
      await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
      await page.getByTestId('whatif-submit').click();
      await page.getByTestId('whatif-results').waitFor({ state: 'visible' });
      expect(await blockingViolations(page, `${name} pod open, what-if valued`)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('has no critical or serious axe violations on the sign-in prompt', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await page.goto(h.url);
    await page.getByTestId('sign-in').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await blockingViolations(page, 'sign-in prompt')).toEqual([]);
    await page.close();
  });

  it('names the page (h1) and announces the link state and what-if results in live regions', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.getByTestId('connection').getAttribute('role')).toBe('status');
    const announce = page.locator('#what-if [role=status]');
    expect(await announce.count()).toBe(1);
    await page.getByTestId('whatif-submit').click();
    await until(
      () => announce.textContent(),
      (t) => (t ?? '').includes('per month'),
      5_000,
      'what-if announcement',
    );
    await page.close();
  });

  it('says "cannot reach the server" instead of "Failed to fetch" when a request gets no answer', async () => {
    const { page } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    await page.route('**/api/v1/what-if', (route) => route.abort('connectionrefused'));
    await page.getByTestId('whatif-submit').click();
    const error = page.getByTestId('whatif-error');
    await error.waitFor({ state: 'visible' });
    const text = (await error.textContent()) ?? '';
    expect(text.toLowerCase()).toContain('cannot reach the server');
    expect(text).not.toContain('Failed to fetch');
    await page.close();
  });

  it('walks by keyboard: skip link first, range buttons within 15 Tabs, the heatmap one stop with arrows, Enter/Escape for the detail', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));

    // From page load: the skip link first, then count Tabs to the first range button and the heatmap's stops on the way.
    let tabs = 0;
    let gridStops = 0;
    for (; tabs < 1_000;) {
      await page.keyboard.press('Tab');
      tabs++;
      const at = await focused(page);
      if (tabs === 1) expect(await page.evaluate('document.activeElement.textContent')).toMatch(/^Skip to/);
      if (at.inGrid) gridStops++;
      if (at.range !== null) break;
    }
    console.log(`Tabs from page load to the chart range buttons: ${tabs} (heatmap stops on the way: ${gridStops})`);
    expect(tabs).toBeLessThanOrEqual(15);
    expect(gridStops).toBe(1);

    // The skip link lands on the heatmap; arrows move the focus cell by cell, in halls (rows) × pods.
    const halls = (await page.evaluate(
      `[...document.querySelectorAll('.heatmap-cells')].map((g) => [...g.querySelectorAll('[data-pod]')].map((c) => c.dataset.pod))`,
    )) as string[][];
    const [hallA, hallB] = halls;
    if (!hallA || !hallB || hallA.length < 2) throw new Error(`expected two halls of pods, got ${JSON.stringify(halls)}`);
    const expectFocusOn = async (key: string, pod: string | undefined): Promise<void> => {
      await page.keyboard.press(key);
      const at = await focused(page);
      expect(at.pod, key).toBe(pod);
      expect(at.inGrid).toBe(true);
      // The name a screen reader reads is the pod's, with its state.
      expect(at.label, key).toContain(pod);
    };
    await page.locator('.skip-link').focus();
    await expectFocusOn('Enter', hallA[0]);
    await expectFocusOn('ArrowRight', hallA[1]);
    await expectFocusOn('ArrowDown', hallB[1]);
    await expectFocusOn('ArrowLeft', hallB[0]);
    await expectFocusOn('ArrowUp', hallA[0]);
    await expectFocusOn('End', hallA.at(-1));
    await expectFocusOn('Home', hallA[0]);
    await expectFocusOn('Control+End', halls.at(-1)?.at(-1));
    await expectFocusOn('Control+Home', hallA[0]);
    await expectFocusOn('PageDown', hallB[0]);
    await expectFocusOn('PageUp', hallA[0]);
    await expectFocusOn('ArrowRight', hallA[1]);
    expect(await page.locator('[role=grid] [tabindex="0"]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'a11y-heatmap-focused.png') });

    // Enter opens the pod and takes the focus into its detail; Escape closes it and gives the focus back.
    const chosen = (await focused(page)).pod;
    await page.keyboard.press('Enter');
    await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
    expect(await page.getByTestId('pod-detail').getAttribute('data-pod')).toBe(chosen);
    expect((await focused(page)).inDetail).toBe(true);
    await until(
      () => page.getByTestId('pod-detail').getAttribute('data-history-points'),
      (v) => Number(v) > 0,
      5_000,
      'pod history',
    );
    await page.getByTestId('heatmap').screenshot({ path: join(SCREENSHOTS, 'a11y-pod-detail-open.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('pod-detail').waitFor({ state: 'hidden' });
    const back = await focused(page);
    expect(back.pod).toBe(chosen);
    expect(back.inGrid).toBe(true);
    // Space opens it as Enter does.
    await page.keyboard.press(' ');
    await page.getByTestId('pod-detail').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    expect((await focused(page)).pod).toBe(chosen);
    expect(problems).toEqual([]);
    await page.close();
  });
});
