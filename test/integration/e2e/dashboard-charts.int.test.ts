import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatMwNumber } from '../../../client/src/format.js';
import { ADMIN_TOKEN, authedFetch } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { SCREENSHOTS, buildClient, hasChromium, launch, loadDashboard, until, type WatchedPage, openPage } from './browser.js';

interface Fleet {
  gpus: { total: number; busy: number; held: number; down: number; unknown: number };
  power: { facilityDrawWatts: number };
  updatedAt: string;
}

const DAY_MS = 86_400_000;
const ALWAYS = { name: 'ChartsFeedWatched', figure: 'power_feed_watts', op: '>', threshold: 0, severity: 'info', annotations: {} };
/** ISO, 24-hour: `12-06 14:00` or `2026-12-06`. */
const ISO_TICK = /^(\d{2}-\d{2} \d{2}:\d{2}|\d{4}-\d{2}-\d{2})$/;

/** The dashboard with view parts in its fragment and the sign-in token after them. */
const at = (h: TestHeadroom, fragment: string): string =>
  `${h.url}/#${fragment ? `${fragment}&` : ''}token=${encodeURIComponent(ADMIN_TOKEN)}`;
const hashOf = (page: Page): Promise<string> => page.evaluate('location.hash') as Promise<string>;
const chart = (page: Page, which: 'gpus' | 'power') => page.locator(`[data-testid=chart-${which}] .chart`);
const attr = async (page: Page, which: 'gpus' | 'power', name: string): Promise<string> =>
  (await chart(page, which).getAttribute(name)) ?? '';
const xRange = async (page: Page, which: 'gpus' | 'power'): Promise<[number, number]> => [
  Number(await attr(page, which, 'data-x-from')),
  Number(await attr(page, which, 'data-x-to')),
];
const settled = (page: Page, what: string) =>
  until(
    () => page.getByTestId('trends').getAttribute('aria-busy'),
    (v) => v === 'false',
    10_000,
    what,
  );

describe.skipIf(!hasChromium)('the trends charts in a browser (accessible, ISO time, aligned, ranges in the URL, annotations)', () => {
  let h: TestHeadroom;
  let browser: Browser;
  let laptop: WatchedPage;
  let startDay = '';

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ BACKFILL_DAYS: '3' });
    // A contract that started two days ago (in the 7-day range, not in the 24-hour one) and an alert that fires.
    startDay = new Date(h.clock.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    const end = new Date(h.clock.now() + 365 * DAY_MS).toISOString().slice(0, 10);
    const created = await authedFetch(`${h.url}/api/v1/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: 'Chart Labs',
        capacity: { pods: 1 },
        start: startDay,
        end,
        monthlyPriceUsd: 100_000,
        ramp: [],
        noticeDays: 30,
      }),
    });
    expect(created.status).toBe(201);
    const rules = (await h.getJson<{ rules: unknown[] }>('/api/v1/alerts/rules')).body.rules;
    const put = await authedFetch(`${h.url}/api/v1/alerts/rules`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [...rules, ALWAYS] }),
    });
    expect(put.status).toBe(200);
    h.evaluateAlerts();
    browser = await launch();
    laptop = await openPage(browser, { width: 1280, height: 800 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it("names each chart with a one-line summary of the API's figures now, and marks the contract start and the alert", async () => {
    const { page } = laptop;
    await loadDashboard(page, at(h, 'range=7d'));
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    const g = fleet.gpus;
    const alert = (
      await h.getJson<{ active: Array<{ labels: Record<string, string>; startsAt: string | null }> }>('/api/v1/alerts')
    ).body.active.find((a) => a.labels.alertname === ALWAYS.name);
    expect(alert?.startsAt).not.toBeNull();
    const gpuName = await until(
      () => page.locator('[data-testid=chart-gpus] [role=img]').getAttribute('aria-label'),
      (v) => (v ?? '').includes('alert fired') && (v ?? '').includes('contract start'),
      10_000,
      'the GPU chart names its marks',
    );
    const gpu = gpuName.value ?? '';
    expect(gpu).toMatch(/^GPUs over the last 7 d: /);
    expect(gpu).toContain(`internal demand ${formatCount(g.busy + g.held)} now (`);
    expect(gpu).toContain(`capacity up ${formatCount(g.total - g.down - g.unknown)} now`);
    expect(gpu).toMatch(/forecast: forecast median [\d,]+ in \d/);
    expect(gpu).toMatch(/1 alert fired and 1 contract start in range$/);
    const power = (await page.locator('[data-testid=chart-power] [role=img]').getAttribute('aria-label')) ?? '';
    expect(power).toMatch(/^Power over the last 7 d: /);
    expect(power).toContain(`facility draw ${formatMwNumber(fleet.power.facilityDrawWatts)} MW now`);

    const start = page.locator('[data-testid=chart-gpus] .mark[data-kind=contract-start]');
    expect(await start.getAttribute('aria-label')).toContain('Chart Labs');
    const startX = await start.boundingBox();
    const plot = await page.locator('[data-testid=chart-gpus] .u-over').boundingBox();
    const [from, to] = await xRange(page, 'gpus');
    // The mark sits where its day starts on the axis.
    const expected = plot!.x + ((Date.parse(`${startDay}T00:00:00Z`) / 1000 - from) / (to - from)) * plot!.width;
    expect(Math.abs(startX!.x + startX!.width / 2 - expected)).toBeLessThan(3);
    const fired = page.locator('[data-testid=chart-gpus] .mark[data-kind=alert-fired]');
    expect(await fired.getAttribute('aria-label')).toBe(`alert fired: ${ALWAYS.name} (info)`);

    // The pod detail's chart too.
    await page.locator('.cell[data-pod]').first().click();
    await until(
      () => page.locator('[data-testid=pod-detail] [role=img]').getAttribute('aria-label'),
      (v) => /^GPUs and utilization of pod \S+ over the last 24 h: internal \(busy \+ held\) [\d,]+ now/.test(v ?? ''),
      10_000,
      'the pod chart summary',
    );
    expect(laptop.problems).toEqual([]);
  });

  it('labels the time axis in ISO 24-hour form, shares one x range across both charts (forecast included), and puts units on the axes', async () => {
    const { page } = laptop;
    for (const which of ['gpus', 'power'] as const) {
      const ticks = JSON.parse(await attr(page, which, 'data-ticks')) as string[];
      expect(ticks.length).toBeGreaterThan(2);
      for (const t of ticks) expect(t).toMatch(ISO_TICK);
    }
    const gpuX = await xRange(page, 'gpus');
    expect(await xRange(page, 'power')).toEqual(gpuX);
    // The charts' now: the time of the figures shown (the last round).
    const nowS = Number(await page.getByTestId('data-time').getAttribute('data-at-ms')) / 1000;
    expect(gpuX[0]).toBe(nowS - 7 * 86_400);
    // Half the range ahead: the power chart's axis runs into the forecast's future too.
    expect(gpuX[1]).toBe(nowS + 3.5 * 86_400);
    // Units: the GPU axis is labelled (drawn on the canvas, so the chart also keeps it as an attribute), power ticks say MW.
    expect(await attr(page, 'gpus', 'data-y-label')).toBe('GPUs');
    for (const t of JSON.parse(await attr(page, 'power', 'data-y-ticks')) as string[]) expect(t).toMatch(/^[\d,.]+ MW$/);
    expect(await page.locator('[data-testid=chart-gpus] .u-legend th').first().textContent()).toBe('UTC');
    // Hovering one chart moves the other's cursor to the same time: both legends read it.
    const legendTime = (which: 'gpus' | 'power') =>
      page.locator(`[data-testid=chart-${which}] .u-legend .u-series`).first().locator('.u-value').textContent();
    const resting = await legendTime('power');
    const over = (await page.locator('[data-testid=chart-gpus] .u-over').boundingBox())!;
    await page.locator('[data-testid=chart-gpus] .u-over').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=chart-gpus] .u-over').hover({ position: { x: over.width * 0.55, y: over.height / 2 } });
    const hovered = await until(
      () => legendTime('gpus'),
      (t) => t !== resting,
      5_000,
      'the hovered time',
    );
    expect(hovered.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await legendTime('power')).toBe(hovered.value);
    await page.mouse.move(0, 0);
  });

  it('opens the range the URL names, and writes the range clicked', async () => {
    const { page } = laptop;
    expect(await page.locator('button[data-range="7 d"]').getAttribute('aria-pressed')).toBe('true');
    await page.click('button[data-range="1 h"]');
    await settled(page, '1 h range');
    expect(await hashOf(page)).toContain('range=1h');
    const [from, to] = await xRange(page, 'power');
    expect(to - from).toBe(3_600 + 2 * 3_600);
    expect(await xRange(page, 'gpus')).toEqual([from, to]);
  });

  it('zooms to a dragged span as an absolute range in the URL, not live, and "back to live" returns to the preset', async () => {
    const { page } = laptop;
    await loadDashboard(page, at(h, 'range=24h'));
    await page.locator('[data-testid=chart-power] .u-over').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-testid=chart-power] .u-over').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.35, y, { steps: 5 });
    await page.mouse.up();
    await until(
      async () => decodeURIComponent(await hashOf(page)),
      (v) => /range=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z\.\.\d{4}/.test(v),
      5_000,
      'absolute range in the URL',
    );
    await settled(page, 'zoomed range');
    const [, fromText, toText] = /range=([^&.]+)\.\.([^&]+)/.exec(decodeURIComponent(await hashOf(page)))!;
    const [from, to] = await xRange(page, 'gpus');
    expect([from, to]).toEqual([Date.parse(fromText!) / 1000, Date.parse(toText!) / 1000]);
    expect(await xRange(page, 'power')).toEqual([from, to]);
    expect(to).toBeLessThan(h.clock.now() / 1000);
    expect(await page.getByTestId('range-state').textContent()).toContain('not live');
    expect(await page.locator('[data-testid=chart-gpus] [role=img]').getAttribute('aria-label')).toMatch(
      /^GPUs from \d{4}-\d{2}-\d{2} \d{2}:\d{2} to /,
    );
    // A live round does not slide it.
    await h.collectAt(h.clock.now());
    await page.waitForTimeout(300);
    expect(await xRange(page, 'gpus')).toEqual([from, to]);
    for (const width of [1280, 1920]) {
      await page.setViewportSize({ width, height: width === 1280 ? 800 : 1080 });
      await page.waitForTimeout(300);
      await page.getByTestId('trends').screenshot({ path: join(SCREENSHOTS, `charts-${width}-zoomed.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('back-to-live').click();
    await settled(page, 'back to live');
    expect(await hashOf(page)).toContain('range=24h');
    expect(await page.getByTestId('back-to-live').isHidden()).toBe(true);
  });

  it('refuses a custom range with the field named, and shows one it accepts', async () => {
    const { page } = laptop;
    await page.getByTestId('range-custom').click();
    await page.getByTestId('range-from').fill('2030-01-01T00:00');
    await page.getByTestId('range-to').fill('2030-01-02T00:00');
    await page.getByTestId('range-apply').click();
    expect(await page.getByTestId('range-error').textContent()).toMatch(/^from: must not be after now/);
    expect(await page.getByTestId('range-from').getAttribute('aria-invalid')).toBe('true');
    const day = new Date(h.clock.now() - DAY_MS).toISOString().slice(0, 10);
    await page.getByTestId('range-from').fill(`${day}T06:00`);
    await page.getByTestId('range-to').fill(`${day}T05:00`);
    await page.getByTestId('range-apply').click();
    expect(await page.getByTestId('range-error').textContent()).toMatch(/^to: must be at least a minute after from/);
    await page.getByTestId('range-to').fill(`${day}T12:00`);
    await page.getByTestId('range-apply').click();
    await until(
      () => hashOf(page),
      (v) => v.includes(`range=${day}T06%3A00Z..${day}T12%3A00Z`),
      5_000,
      'custom range in the URL',
    );
    await settled(page, 'custom range');
    expect(await xRange(page, 'gpus')).toEqual([Date.parse(`${day}T06:00Z`) / 1000, Date.parse(`${day}T12:00Z`) / 1000]);
  });

  it('says "no history yet in this range" for an empty range, and from when for a partly covered one', async () => {
    const { page } = laptop;
    await page.goto(at(h, 'range=2026-01-01T00:00Z..2026-01-02T00:00Z'));
    await settled(page, 'empty range');
    for (const which of ['gpus', 'power'] as const) {
      expect(await chart(page, which).getByTestId('chart-note').textContent()).toBe('no history yet in this range');
      expect(await xRange(page, which)).toEqual([Date.parse('2026-01-01T00:00Z') / 1000, Date.parse('2026-01-02T00:00Z') / 1000]);
      for (const t of JSON.parse(await attr(page, which, 'data-ticks')) as string[])
        expect(t).toMatch(/^(01-0[12] \d{2}:\d{2}|2026-01-0[12])$/);
    }
    expect(await page.locator('[data-testid=chart-gpus] [role=img]').getAttribute('aria-label')).toContain('no history yet in this range');
    // From six days ago: the three days backfilled are the last half.
    const fromMs = h.clock.now() - 6 * DAY_MS;
    const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z';
    await page.goto(at(h, `range=${iso(fromMs)}..${iso(h.clock.now() - 60_000)}`));
    await settled(page, 'partly covered range');
    expect(await chart(page, 'gpus').getByTestId('chart-note').textContent()).toMatch(/^history from \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });

  it('shows local time when asked, writes tz=local, and the legend says which zone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
    await loadDashboard(page, at(h, 'range=6h'));
    const utcTicks = JSON.parse(await attr(page, 'gpus', 'data-ticks')) as string[];
    await page.click('button[data-zone=local]');
    await until(
      () => hashOf(page),
      (v) => v.includes('tz=local'),
      5_000,
      'tz=local in the URL',
    );
    const localTicks = await until(
      async () => JSON.parse(await attr(page, 'gpus', 'data-ticks')) as string[],
      (t) => JSON.stringify(t) !== JSON.stringify(utcTicks),
      5_000,
      'ticks in local time',
    );
    for (const t of localTicks.value) expect(t).toMatch(ISO_TICK);
    expect(await page.locator('[data-testid=chart-gpus] .u-legend th').first().textContent()).toBe('local (UTC+01:00)');
    expect(await page.getByTestId('range-state').textContent()).toContain('local (UTC+01:00)');
    // Reopened from the address, it is still local.
    await page.reload();
    await page.waitForSelector('body[data-rendered="full"]');
    expect(await page.locator('[data-testid=chart-power] .u-legend th').first().textContent()).toBe('local (UTC+01:00)');
    await page.click('button[data-zone=utc]');
    expect(await hashOf(page)).not.toContain('tz=');
    await page.close();
  });

  it('marks a resolution as it happens, beside the firing, and names both in the summary', async () => {
    const { page } = laptop;
    await loadDashboard(page, at(h, 'range=24h'));
    const rules = (await h.getJson<{ rules: Array<{ name: string }> }>('/api/v1/alerts/rules')).body.rules;
    const off = rules.map((r) => (r.name === ALWAYS.name ? { ...ALWAYS, op: '<' } : r));
    const put = await authedFetch(`${h.url}/api/v1/alerts/rules`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: off }),
    });
    expect(put.status).toBe(200);
    h.evaluateAlerts();
    const resolved = page.locator('[data-testid=chart-gpus] .mark[data-kind=alert-resolved]');
    await until(
      () => resolved.count(),
      (n) => n === 1,
      10_000,
      'the resolution marked live',
    );
    expect(await resolved.getAttribute('aria-label')).toBe(`alert resolved: ${ALWAYS.name} (info)`);
    expect(await page.locator('[data-testid=chart-gpus] .mark[data-kind=alert-fired]').count()).toBe(1);
    expect(await page.locator('[data-testid=chart-power] [role=img]').getAttribute('aria-label')).toMatch(
      /1 alert fired and 1 alert resolved in range$/,
    );
  });

  it('gives the charts the room at 1920×1080 (at least 280 px each); screenshots at 1920×1080, 1280×800 and 390×844 with a mark label shown', async () => {
    for (const viewport of [
      { width: 1920, height: 1080 },
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const page = await browser.newPage({ viewport });
      await loadDashboard(page, at(h, 'range=7d'));
      for (const which of ['gpus', 'power'] as const) {
        const canvas = (await page.locator(`[data-testid=chart-${which}] canvas`).boundingBox())!;
        console.log(`${which} chart at ${viewport.width}×${viewport.height}: ${Math.round(canvas.width)}×${Math.round(canvas.height)} px`);
        if (viewport.width === 1920) expect(canvas.height).toBeGreaterThanOrEqual(280);
      }
      await page.getByTestId('trends').scrollIntoViewIfNeeded();
      await page.locator('[data-testid=chart-gpus] .mark[data-kind=contract-start]').hover();
      await page.getByTestId('trends').screenshot({ path: join(SCREENSHOTS, `charts-${viewport.width}-7d-annotations.png`) });
      await page.close();
    }
  });
});
