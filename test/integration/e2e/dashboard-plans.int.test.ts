import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedFetch } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  hasChromium,
  launch,
  loadDashboard,
  openPage,
  signInUrl,
  sleep,
  until,
  type WatchedPage,
} from './browser.js';

interface Plan {
  id: number;
  name: string;
  gpus: number;
  start: string;
  end: string | null;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The card's rows as people read them: name (note included), GPUs, term, status. */
function planRows(page: Page): Promise<Array<{ id: string; status: string; cells: string[] }>> {
  return page.locator('[data-testid=demand-plans-table] tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-plan') ?? '',
      status: r.getAttribute('data-status') ?? '',
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    })),
  );
}

describe.skipIf(!hasChromium)('the planned internal demand card (small site, rebound scenario with its demo plan)', () => {
  let h: TestHeadroom;
  let browser: Browser;
  let laptop: WatchedPage;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ SIM_SCENARIO: 'rebound', SIM_PLANS: 'demo' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it("shows the owner's plan of its comeback as GET /api/v1/demand-plans has it, with its status on the collection clock's day", async () => {
    laptop = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(laptop.page, signInUrl(h.url));
    const plans = (await h.getJson<{ plans: Plan[] }>('/api/v1/demand-plans')).body.plans;
    expect(plans.map((p) => [p.name, p.gpus, p.start, p.end])).toEqual([['Own training returns', 359, '2026-12-01', null]]);
    const today = isoDay(h.clock.now());
    const status = today < '2026-12-01' ? 'planned' : 'in force';
    const rows = await planRows(laptop.page);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.id).toBe(String(plans[0]?.id));
    expect(row?.status).toBe(status);
    expect(row?.cells[0]).toMatch(/^Own training returns/);
    expect(row?.cells.slice(1)).toEqual(['359', '2026-12-01 → until further notice', status]);
    const summary = await laptop.page.locator('#demand-plans .table-summary').textContent();
    expect(summary).toBe(`1 plan · ${status === 'planned' ? 'none in force' : 'largest in force: 359 GPUs'} · as of ${today}`);
    await laptop.page.getByTestId('demand-plans').screenshot({ path: join(SCREENSHOTS, 'small-laptop-demand-plans.png') });
    expect(laptop.problems).toEqual([]);
  });

  it('shows a plan created through the API after the next live update, without a reload', async () => {
    const { page } = laptop;
    await page.evaluate('window.__sameDocument = true');
    const today = isoDay(h.clock.now());
    const siteGpus = (await h.getJson<{ gpus: { total: number } }>('/api/v1/fleet')).body.gpus.total;
    const end = isoDay(h.clock.now() + 13 * 86_400_000);
    // The live headline carries the plans' revision; the page reads them again when it changes.
    const created = await authedFetch(`${h.url}/api/v1/demand-plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Launch week', gpus: siteGpus, start: today, end, note: 'every GPU for the launch' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Plan;
    await sleep(1_100); // past the server's one-update-per-second throttle
    await h.collectAt(h.clock.now());
    const shown = await until(
      () => planRows(page),
      (rows) => rows.some((r) => r.id === String(id)),
      10_000,
      'the new plan on the page',
    );
    const row = shown.value.find((r) => r.id === String(id));
    expect(row?.status).toBe('in force');
    expect(row?.cells.slice(1)).toEqual([String(siteGpus), `${today} → ${end}`, 'in force']);
    expect(await page.locator('#demand-plans .table-summary').textContent()).toBe(
      `2 plans · largest in force: ${siteGpus} GPUs · as of ${today}`,
    );
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.getByTestId('demand-plans').screenshot({ path: join(SCREENSHOTS, 'small-laptop-demand-plans-two.png') });
    expect(laptop.problems).toEqual([]);
  });

  it('shows a plan that moves no capacity figure (one already over) as ended, at the next live update too', async () => {
    const start = isoDay(h.clock.now() - 60 * 86_400_000);
    const end = isoDay(h.clock.now() - 20 * 86_400_000);
    const created = await authedFetch(`${h.url}/api/v1/demand-plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Autumn evals', gpus: 64, start, end }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Plan;
    const { page } = laptop;
    await sleep(1_100); // past the server's one-update-per-second throttle
    await h.collectAt(h.clock.now());
    const rows = (
      await until(
        () => planRows(page),
        (r) => r.length === 3,
        10_000,
        'the ended plan on the page',
      )
    ).value;
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(rows.find((r) => r.id === String(id))?.cells).toEqual(['Autumn evals', '64', `${start} → ${end}`, 'ended']);
    await page.getByTestId('demand-plans').screenshot({ path: join(SCREENSHOTS, 'small-laptop-demand-plans-three.png') });
    expect(laptop.problems).toEqual([]);
  });
});
