import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatMwNumber, formatUsd, formatUsdCompact } from '../../../client/src/format.js';
import { HEATMAP_STATES } from '../../../server/src/protocol/live.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  figure,
  freeLoopbackPort,
  hasChromium,
  horizontalOverflow,
  launch,
  loadDashboard,
  openPage,
  signInUrl,
  sleep,
  until,
  type WatchedPage,
} from './browser.js';
import { authedFetch } from '../helpers/auth.js';

interface Fleet {
  gpus: Record<(typeof HEATMAP_STATES)[number] | 'total', number>;
  power: { feedWatts: number; facilityDrawWatts: number; headroomWatts: number };
  updatedAt: string;
}
interface Capacity {
  sellable: { gpus: number; watts: number; valueUsdPerMonth: number; blocks: unknown[] };
  risk: { oversold: boolean; firstRiskAt: string | null };
}
interface Pods {
  pods: Array<{ id: string; gpus: Record<(typeof HEATMAP_STATES)[number], number> }>;
}

/** Every headline figure on the page against GET /fleet and /capacity read now: raw values exactly, text as formatted. */
async function expectHeadlineIsTheApi(page: Page, h: TestHeadroom): Promise<void> {
  const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
  const capacity = (await h.getJson<Capacity>('/api/v1/capacity')).body;
  expect(await page.getByTestId('data-time').getAttribute('data-at-ms')).toBe(String(Date.parse(fleet.updatedAt)));
  const mw = {
    'headline-feed': fleet.power.feedWatts,
    'headline-draw': fleet.power.facilityDrawWatts,
    'headline-headroom': fleet.power.headroomWatts,
    'sellable-mw': capacity.sellable.watts,
  };
  for (const [testid, watts] of Object.entries(mw))
    expect(await figure(page, testid), testid).toEqual({ value: String(watts), text: formatMwNumber(watts) });
  for (const state of ['total', ...HEATMAP_STATES] as const) {
    expect(await figure(page, `gpus-${state}`), state).toEqual({ value: String(fleet.gpus[state]), text: formatCount(fleet.gpus[state]) });
  }
  expect(await figure(page, 'sellable-gpus')).toEqual({ value: String(capacity.sellable.gpus), text: formatCount(capacity.sellable.gpus) });
  const usd = capacity.sellable.valueUsdPerMonth;
  expect(await figure(page, 'sellable-value')).toEqual({ value: String(usd), text: formatUsdCompact(usd) });
  const risk = capacity.risk.oversold ? 'oversold' : capacity.risk.firstRiskAt ? 'at-risk' : 'ok';
  expect((await figure(page, 'risk')).value).toBe(risk);
}

/** The 64 GPUs of a pod as JSON push entries that read idle: no compute, idle power, no memory. */
function idleBatch(h: TestHeadroom, podId: string) {
  const { state } = h.collector;
  const pod = state.topology.pods.find((p) => p.id === podId);
  return (pod?.nodes ?? []).flatMap((n) => {
    const node = state.topology.nodes[n];
    return (node?.slots ?? []).map((slot, index) => ({
      uuid: state.uuidOfSlot[slot] ?? '',
      host: node?.host ?? '',
      index,
      utilizationPercent: 0,
      powerWatts: 70,
      memoryUsedMiB: 0,
    }));
  });
}

describe.skipIf(!hasChromium)('the live dashboard in a browser (small site, real server, real socket.io)', () => {
  let h: TestHeadroom;
  let browser: Browser;
  let laptop: WatchedPage;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({
      SIM_CONTRACTS: 'demo',
      BACKFILL_DAYS: '3',
      // Telemetry alone: the pushed idle samples must outvote the simulator's next one (with its
      // scheduler, an allocated GPU's phase is its newest sample, the simulator's).
      SIM_SCHEDULER: 'false',
      // A receiver that refuses: retried fast and dead-lettered after 1.5 s, so the page shows all three states.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '500',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '200',
      WEBHOOK_GIVE_UP_AFTER_MS: '1500',
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('loads from the server with no console errors, and the headline figures equal GET /api/v1/fleet and /capacity', async () => {
    laptop = await openPage(browser, VIEWPORTS.laptop);
    const { wallMs, pageMs } = await loadDashboard(laptop.page, signInUrl(h.url));
    console.log(`first full render (small site, 1280×800): ${Math.round(wallMs)} ms from navigation (page's own clock: ${pageMs} ms)`);
    expect(await laptop.page.getByTestId('connection').getAttribute('data-state')).toBe('live');
    await expectHeadlineIsTheApi(laptop.page, h);
    const contracts = (await h.getJson<{ contracts: unknown[] }>('/api/v1/contracts')).body.contracts;
    expect(await laptop.page.locator('[data-testid=contracts-table] tbody tr').count()).toBe(contracts.length);
    expect(await laptop.page.locator('.cell[data-pod]').count()).toBe(6);
    expect(Number(await laptop.page.getByTestId('trends').getAttribute('data-gpu-points'))).toBeGreaterThan(100);
    expect(laptop.problems).toEqual([]);
  });

  it('shows a pod idled by a pushed batch within 2 s, without a reload, and the pod detail follows', async () => {
    const { page } = laptop;
    await page.evaluate('window.__sameDocument = true');
    const pods = (await h.getJson<Pods>('/api/v1/fleet/pods')).body.pods;
    const busiest = [...pods].sort((a, b) => b.gpus.busy - a.gpus.busy)[0];
    if (!busiest) throw new Error('no pods');
    expect(busiest.gpus.busy).toBeGreaterThan(0);
    await page.click(`.cell[data-pod="${busiest.id}"]`);
    await until(
      () => page.getByTestId('pod-detail').getAttribute('data-history-points'),
      (v) => Number(v) > 0,
      5_000,
      'pod history chart',
    );
    expect((await figure(page, 'pod-gpus-busy')).value).toBe(String(busiest.gpus.busy));
    await sleep(1_100); // past the server's one-update-per-second throttle

    const gpus = idleBatch(h, busiest.id);
    const started = performance.now();
    for (let i = 0; i < 2; i++)
      expect((await h.post('/api/v1/ingest/json', JSON.stringify({ gpus }), 'application/json')).status).toBe(200);
    await h.collectAt(h.clock.now());
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.gpus.idle).toBeGreaterThan(0);
    const shown = await until(
      () => figure(page, 'gpus-idle'),
      (f) => f.value === String(fleet.gpus.idle),
      2_000,
      'idle GPUs on the page',
    );
    const podIdle = await until(
      () => figure(page, 'pod-gpus-busy'),
      (f) => f.value === '0',
      2_000,
      'the pod detail',
    );
    console.log(
      `pushed batch → page shows it: ${Math.round(shown.atMs - started)} ms (pod detail ${Math.round(podIdle.atMs - started)} ms)`,
    );
    expect(shown.atMs - started).toBeLessThan(2_000);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await expectHeadlineIsTheApi(page, h);
    expect(laptop.problems).toEqual([]);
  });

  it('values a what-if sale exactly as POST /api/v1/what-if does, with and without a price', async () => {
    const { page } = laptop;
    const start = await page.getByTestId('whatif-start').inputValue();
    expect(start).toMatch(/^\d{4}-\d{2}-01$/);
    for (const body of [
      { pods: 2, months: 24, monthlyPriceUsd: 250_000, start },
      { pods: 1, months: 12, start },
    ]) {
      await page.getByTestId('whatif-pods').fill(String(body.pods));
      await page.getByTestId('whatif-months').fill(String(body.months));
      await page.getByTestId('whatif-price').fill(body.monthlyPriceUsd === undefined ? '' : String(body.monthlyPriceUsd));
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/what-if'));
      await page.getByTestId('whatif-submit').click();
      await answered;
      const api = (await (
        await authedFetch(`${h.url}/api/v1/what-if`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as {
        monthlyUsd: number;
        totalUsd: number;
        fitsSellable: boolean;
        risk: { oversold: boolean; firstShortfallAt: string | null };
      };
      await until(
        () => figure(page, 'whatif-total'),
        (f) => f.value === String(api.totalUsd),
        2_000,
        'what-if total',
      );
      expect(await figure(page, 'whatif-monthly')).toEqual({ value: String(api.monthlyUsd), text: formatUsd(api.monthlyUsd) });
      expect(await figure(page, 'whatif-total')).toEqual({ value: String(api.totalUsd), text: formatUsd(api.totalUsd) });
      expect((await figure(page, 'whatif-fits')).value).toBe(String(api.fitsSellable));
      expect((await figure(page, 'whatif-oversold')).value).toBe(String(api.risk.oversold));
      expect((await figure(page, 'whatif-shortfall')).value).toBe(api.risk.firstShortfallAt ?? '');
    }
    expect(laptop.problems).toEqual([]);
  });

  it("shows the server's reason when it refuses a what-if: more pods than the site, a start in the past", async () => {
    const { page } = laptop;
    const start = await page.getByTestId('whatif-start').inputValue();
    for (const [pods, day, reason] of [
      ['5000', start, /pods: 5,000 pods is more than the site has \(\d+\)/],
      ['1', '2020-01-01', /start: 2020-01-01 is in the past: the earliest start is today, \d{4}-\d{2}-\d{2}/],
    ] as const) {
      await page.getByTestId('whatif-pods').fill(pods);
      await page.getByTestId('whatif-start').fill(day);
      await page.getByTestId('whatif-submit').click();
      const error = page.getByTestId('whatif-error');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toMatch(reason);
      expect(await page.getByTestId('whatif-results').isHidden()).toBe(true);
    }
    // Chromium logs every 4xx answer as a console error: these two were asked for.
    const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
    expect(laptop.problems.filter((p) => p !== refused)).toEqual([]);
    laptop.problems.length = 0;
    await page.getByTestId('whatif-pods').fill('1');
    await page.getByTestId('whatif-start').fill(start);
  });

  it("exports the sellable blocks, the contracts (server CSV) and a chart's own series as CSV", async () => {
    const { page } = laptop;
    const download = async (testid: string): Promise<string> => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
      return readFileSync((await file.path()) ?? '', 'utf8');
    };
    const blocks = await download('export-blocks-csv');
    expect(blocks.split(/\r?\n/)[0]).toMatch(/^id,hall,pods,model,fabric,gpus,watts,valueUsdPerMonth/);
    // A customer named as a spreadsheet formula arrives as text (the one CSV writer's guard).
    const formula = '=HYPERLINK("http://attacker.example","click")';
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    const created = await authedFetch(`${h.url}/api/v1/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: formula,
        capacity: { pods: 1 },
        start: today,
        end: '2027-12-31',
        monthlyPriceUsd: 1_000,
        ramp: [],
        noticeDays: 30,
      }),
    });
    expect(created.status).toBe(201);
    const contracts = await download('export-contracts-csv');
    expect(contracts).toContain(`"'=HYPERLINK(""http://attacker.example"",""click"")"`);
    expect(contracts).not.toMatch(/(^|,)=HYPERLINK/m);
    const contractCount = (await h.getJson<{ contracts: unknown[] }>('/api/v1/contracts')).body.contracts.length;
    expect(contracts.trim().split(/\r?\n/)).toHaveLength(1 + contractCount);
    const gpus = (await download('export-gpu-csv')).trim().split(/\r?\n/);
    expect(gpus[0]).toBe(
      'time_utc,unix_seconds,gpus_capacity_up,gpus_internal,gpus_sold,forecast_median_gpus,forecast_high_gpus,reserve_gpus,gpus_unknown',
    );
    expect(gpus.length - 1).toBe(Number(await page.getByTestId('trends').getAttribute('data-gpu-points')));
    expect((await download('export-power-csv')).split(/\r?\n/)[0]).toBe('time_utc,unix_seconds,feed_mw,facility_draw_mw,it_draw_mw');
    expect(laptop.problems).toEqual([]);
  });

  it('shows the alerts of GET /api/v1/alerts and a failing webhook going to the dead letters, live', async () => {
    const { page } = laptop;
    const alerts = (await h.getJson<{ active: Array<{ fingerprint: string }> }>('/api/v1/alerts')).body.active;
    expect(
      (
        await page
          .locator('[data-testid=alerts-active] [data-fingerprint]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-fingerprint')))
      ).sort(),
    ).toEqual(alerts.map((a) => a.fingerprint).sort());
    // A receiver nobody listens on: every attempt is refused.
    const hook = await authedFetch(`${h.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nobody-listens', url: `http://127.0.0.1:${await freeLoopbackPort()}/hook` }),
    });
    expect(hook.status).toBe(201);
    const { id } = (await hook.json()) as { id: string };
    const sent = await authedFetch(`${h.url}/api/v1/webhooks/${id}/test`, { method: 'POST' });
    expect(sent.status).toBe(202);
    const { id: notification } = (await sent.json()) as { id: string };
    await until(
      () => figure(page, 'delivery-dead'),
      (f) => f.value === '1',
      15_000,
      'dead letter on the page',
    );
    await until(
      () =>
        page
          .getByTestId('dead-letters')
          .textContent()
          .catch(() => ''),
      (t) => (t ?? '').includes(notification) && (t ?? '').includes('nobody-listens'),
      5_000,
      'the dead letter listed',
    );
    const dead = (await h.getJson<{ deliveries: Array<{ id: string }> }>('/api/v1/webhooks/deliveries?state=dead')).body.deliveries;
    expect(dead.map((d) => d.id)).toEqual([notification]);
    await page.getByTestId('alerts').screenshot({ path: join(SCREENSHOTS, 'small-laptop-alerts-dead-letter.png') });
    expect(laptop.problems).toEqual([]);
  });

  it('saves screenshots of each view at 1280×800 and 3840×2160, nothing overflowing sideways', async () => {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const { page, problems } = await openPage(browser, viewport);
      const { wallMs } = await loadDashboard(page, signInUrl(h.url));
      console.log(`first full render (small site, ${viewport.width}×${viewport.height}): ${Math.round(wallMs)} ms`);
      const pod = (await page.locator('.cell[data-pod]').first().getAttribute('data-pod')) ?? '';
      await page.click(`.cell[data-pod="${pod}"]`);
      await until(
        () => page.getByTestId('pod-detail').getAttribute('data-history-points'),
        (v) => Number(v) > 0,
        5_000,
        'pod history',
      );
      await page.getByTestId('whatif-pods').fill('2');
      await page.getByTestId('whatif-submit').click();
      await page.getByTestId('whatif-results').waitFor({ state: 'visible' });
      await sleep(300);
      expect(await horizontalOverflow(page), `${name}: page wider than the viewport`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SCREENSHOTS, `small-${name}-page.png`), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, `small-${name}-first-screen.png`) });
      for (const view of ['headline', 'heatmap', 'trends', 'sellable', 'what-if', 'contracts', 'demand-plans', 'alerts']) {
        await page.getByTestId(view).screenshot({ path: join(SCREENSHOTS, `small-${name}-${view}.png`) });
      }
      await page.click('button[data-range="7 d"]');
      await until(
        () => page.getByTestId('trends').getAttribute('aria-busy'),
        (v) => v === 'false',
        5_000,
        '7-day range',
      );
      await page.getByTestId('trends').screenshot({ path: join(SCREENSHOTS, `small-${name}-trends-7d.png`) });
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
