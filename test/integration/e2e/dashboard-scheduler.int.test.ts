import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityAnswer } from '../../../server/src/protocol/capacity.js';
import type { SiteAnswer } from '../../../server/src/protocol/fleet.js';
import type { SchedulerAnswer } from '../../../server/src/protocol/scheduler.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { SCREENSHOTS, buildClient, hasChromium, horizontalOverflow, launch, loadDashboard, openPage, signInUrl } from './browser.js';

type Configured = Extract<SchedulerAnswer, { configured: true }>;
const DAY_MS = 86_400_000;
const SIZES = [
  ['1280x800', { width: 1280, height: 800 }],
  ['1920x1080', { width: 1920, height: 1080 }],
  ['390x844', { width: 390, height: 844 }],
] as const;

/** The texts of one column of a table, top to bottom (each cell's first text: a note under it is left out). */
const column = (page: Page, table: string, n: number): Promise<string[]> =>
  page.$$eval(`[data-testid=${table}] tbody tr td:nth-child(${n})`, (tds) => tds.map((td) => td.firstChild?.textContent ?? ''));

/**
 * The Scheduler section in Chromium against a server polling its own simulated scheduler (the
 * default simulated run; the same slurmrestd adapter real Slurm is read through): health, the told-by share, the queue against the sellable
 * pods, the jobs, and the reservation calendar each show the API's own figures.
 */
describe.skipIf(!hasChromium)('the dashboard’s Scheduler section', () => {
  let h: TestHeadroom;
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({
      SIM_CONTRACTS: 'demo',
      // The morning the rebound's big run starts: its reservation active, a maintenance ahead, its jobs queued.
      SIM_SCENARIO: 'rebound',
      SIM_START: '2026-12-01T06:00:00.000Z',
    });
    // A round for the simulated scheduler to answer from, a poll, then a round that uses it.
    await h.collectAt(h.clock.now());
    await h.scheduler!.pollNow();
    await h.collectAt(h.clock.now());
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('shows the health, the told-by share, the queue against sellable and the calendar as the API has them', async () => {
    const { page, problems } = await openPage(browser, SIZES[0][1]);
    await loadDashboard(page, signInUrl(h.url));
    const report = (await h.getJson<SchedulerAnswer>('/api/v1/scheduler')).body as Configured;
    const site = (await h.getJson<SiteAnswer>('/api/v1/fleet')).body;
    const capacity = (await h.getJson<CapacityAnswer>('/api/v1/capacity')).body;
    expect(report.configured).toBe(true);

    expect(await page.getByTestId('scheduler-health').getAttribute('data-value')).toBe(report.health.state);
    expect(await page.getByTestId('scheduler-health').textContent()).toContain(report.health.state);
    expect(site.toldBy.scheduler).toBeGreaterThan(0);
    expect(await page.getByTestId('scheduler-told-by').getAttribute('data-value')).toBe(String(site.toldBy.scheduler));
    expect(await page.getByTestId('scheduler-told-by').textContent()).toContain(site.toldBy.telemetry.toLocaleString('en-US'));

    // Held by team: each team's busy and held GPUs and the held GPUs' value, in the API's order.
    const tenants = report.tenants;
    expect(tenants?.teams.length).toBeGreaterThan(0);
    const rows = await page.$$eval('[data-testid=held-by-team] li', (lis) =>
      lis.map((li) => ({
        team: li.getAttribute('data-team'),
        busy: li.querySelector('[data-testid=team-busy]')?.getAttribute('data-value'),
        held: li.querySelector('[data-testid=team-held]')?.getAttribute('data-value'),
        value: li.querySelector('[data-testid=team-held-value]')?.getAttribute('data-value') ?? null,
        over: li.querySelector('[data-testid=team-over]')?.getAttribute('data-value') ?? null,
      })),
    );
    expect(rows).toEqual(
      tenants!.teams.map((t) => ({
        team: t.team,
        busy: String(t.busy),
        held: String(t.held),
        value: t.heldValueUsdPerMonth === null || t.held === 0 ? null : String(t.heldValueUsdPerMonth),
        over: t.heldOverThreshold > 0 ? String(t.heldOverThreshold) : null,
      })),
    );
    console.log(`teams: ${JSON.stringify(tenants!.teams)}`);

    // The queue: every pending GPU, and the sentence set against the capacity report's sellable pods.
    expect(report.queue.pendingGpus).toBeGreaterThan(0);
    expect(await page.getByTestId('queue-summary').getAttribute('data-value')).toBe(String(report.queue.pendingGpus));
    const pods = capacity.sellable.blocks.reduce((n, b) => n + b.pods.length, 0);
    // The simulated site's customers queue nothing: every queued GPU is the owner's own work.
    const internal = report.queue.byAccount.reduce((n, a) => n + a.gpus, 0);
    expect(internal).toBe(report.queue.pendingGpus);
    const sentence = (await page.getByTestId('queue-sentence').textContent()) ?? '';
    console.log(`queue: ${sentence}`);
    const queued = `${internal.toLocaleString('en-US')} GPUs queued by internal teams`;
    const taken = pods === 0 ? Number.POSITIVE_INFINITY : Math.ceil(internal / (capacity.sellable.gpus / pods));
    expect(sentence).toBe(
      pods === 0
        ? `${queued}, and no sellable pods: the queue waits for the owner's own capacity.`
        : taken <= pods
          ? `${queued} would take ${taken} of the ${pods} sellable pods.`
          : `${queued} would take all ${pods} sellable pods and ${(internal - capacity.sellable.gpus).toLocaleString('en-US')} GPUs more.`,
    );
    // The first jobs by priority: account, GPUs, expected start (ISO, UTC) and reason.
    const listed = report.queue.jobs.slice(0, 12);
    expect(await column(page, 'queue-table', 1)).toEqual(listed.map((j) => j.account));
    expect(await column(page, 'queue-table', 2)).toEqual(listed.map((j) => String(j.gpus)));
    expect(await column(page, 'queue-table', 3)).toEqual(
      listed.map((j) => (j.expectedStart === null ? 'none given' : `${j.expectedStart.slice(0, 10)} ${j.expectedStart.slice(11, 16)}Z`)),
    );
    expect(await column(page, 'queue-table', 4)).toEqual(listed.map((j) => j.reason));

    // The calendar: the reservations of the next 14 days from the collection time, earliest first.
    const now = h.clock.now();
    const within = report.reservations
      .filter((r) => Date.parse(r.end) > now && Date.parse(r.start) < now + 14 * DAY_MS)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.name.localeCompare(b.name));
    console.log(`calendar: ${within.length} of ${report.reservations.length} reservations in 14 days`);
    expect(within.some((r) => r.maintenance) && within.some((r) => !r.maintenance) && within.some((r) => r.active)).toBe(true);
    const bars = page.locator('.cal-bar');
    expect(await bars.count()).toBe(within.length);
    for (const [i, r] of within.entries()) {
      const bar = bars.nth(i);
      expect(await bar.getAttribute('data-reservation')).toBe(r.name);
      expect(await bar.getAttribute('class')).toContain(r.maintenance ? 'cal-maintenance' : 'cal-reservation');
      expect((await bar.getAttribute('class'))!.includes('cal-active')).toBe(r.active);
      expect(await bar.getAttribute('aria-label')).toContain(`${r.start.slice(0, 10)} ${r.start.slice(11, 16)}Z`);
    }
    expect(await column(page, 'reservations-table', 1)).toEqual(within.map((r) => r.name));
    expect(await column(page, 'reservations-table', 3)).toEqual(within.map((r) => r.gpus.toLocaleString('en-US')));
    // Keyboard: the bars are Tab stops that say what they are.
    await bars.first().focus();
    expect(await page.evaluate('document.activeElement.dataset.reservation')).toBe(within[0]!.name);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits 1280×800, 1920×1080 and a 390×844 phone with no sideways page; screenshots of the section', async () => {
    for (const [name, viewport] of SIZES) {
      const { page, problems } = await openPage(browser, viewport);
      await loadDashboard(page, signInUrl(h.url));
      expect(await horizontalOverflow(page), name).toBeLessThanOrEqual(0);
      await page.locator('.cal-table summary').click();
      await page.getByTestId('scheduler').screenshot({ path: join(SCREENSHOTS, `scheduler-${name}.png`) });
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});

describe.skipIf(!hasChromium)('the Scheduler section with no scheduler configured', () => {
  it('says so in one line', async () => {
    await buildClient();
    const h = await startTestHeadroom({ SIM_SCHEDULER: 'false' });
    const browser = await launch();
    try {
      await h.collectAt(h.clock.now());
      const { page, problems } = await openPage(browser, SIZES[0][1]);
      await loadDashboard(page, signInUrl(h.url));
      expect((await h.getJson('/api/v1/scheduler')).body).toEqual({ configured: false, kubernetes: null });
      expect(await page.getByTestId('scheduler-none').textContent()).toMatch(/^No scheduler configured/);
      expect(await page.locator('#scheduler .card-body > *').count()).toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await h.stop();
    }
  });
});
