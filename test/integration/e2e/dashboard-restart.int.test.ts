import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatCount } from '../../../client/src/format.js';
import { tempDir } from '../helpers/harness.js';
import { killAll, startProcess, type HeadroomProcess } from '../helpers/process.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  figure,
  freeLoopbackPort,
  hasChromium,
  launch,
  loadDashboard,
  openPage,
  refusals,
  signInUrl,
  sleep,
  until,
  withoutRefusedPollRace,
} from './browser.js';
import { authedFetch } from '../helpers/auth.js';

interface Fleet {
  gpus: { total: number; busy: number; idle: number; sold: number };
  power: { facilityDrawWatts: number };
  updatedAt: string;
}

const atMsOnPage = async (page: Page): Promise<number> => Number(await page.getByTestId('data-time').getAttribute('data-at-ms'));
const connection = (page: Page) => page.getByTestId('connection').getAttribute('data-state');

/** The page shows the server's figures of this moment (the server runs its own rounds: retried until both agree on the moment). */
async function expectFreshFigures(page: Page, url: string, newerThanMs: number): Promise<void> {
  await until(
    async () => {
      const fleet = (await (await authedFetch(`${url}/api/v1/fleet`)).json()) as Fleet;
      const atMs = await atMsOnPage(page);
      const busy = await figure(page, 'gpus-busy');
      const draw = await figure(page, 'headline-draw');
      return { same: atMs === Date.parse(fleet.updatedAt), atMs, fleet, busy, draw };
    },
    (r) =>
      r.same &&
      r.atMs > newerThanMs &&
      r.busy.value === String(r.fleet.gpus.busy) &&
      r.busy.text === formatCount(r.fleet.gpus.busy) &&
      r.draw.value === String(r.fleet.power.facilityDrawWatts),
    15_000,
    'fresh figures after the restart',
  );
}

afterEach(killAll);

describe.skipIf(!hasChromium)('the dashboard across a server restart (real `npm start` processes, same port and data)', () => {
  let browser: Browser;

  beforeAll(async () => {
    await buildClient();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says DISCONNECTED with the figures ageing, then recovers by itself with fresh figures — after SIGTERM and after kill -9', async () => {
    const dir = tempDir();
    const port = await freeLoopbackPort();
    let server: HeadroomProcess = await startProcess(dir, port);
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    const refused = refusals(page);
    await loadDashboard(page, signInUrl(server.url));
    expect(await connection(page)).toBe('live');
    await expect(page.getByTestId('disconnected-banner').isVisible()).resolves.toBe(false);

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const before = await atMsOnPage(page);
      const stopped = performance.now();
      server.child.kill(signal);
      await server.exited;
      const down = await until(
        () => connection(page),
        (s) => s === 'disconnected',
        20_000,
        `disconnected after ${signal}`,
      );
      console.log(`${signal}: page says DISCONNECTED ${Math.round(down.atMs - stopped)} ms after the signal`);
      await page.getByTestId('disconnected-banner').waitFor({ state: 'visible', timeout: 2_000 });
      expect(await page.getByTestId('disconnected-banner').textContent()).toMatch(
        /^DISCONNECTED — reconnecting.*figures below are .* old$/,
      );
      // The age keeps ticking while the server is away.
      const age = async () => Number(await page.getByTestId('updated-ago').getAttribute('data-age-seconds'));
      const ageThen = await age();
      await sleep(3_100);
      expect(await age()).toBeGreaterThanOrEqual(ageThen + 2);
      if (signal === 'SIGTERM') await page.screenshot({ path: join(SCREENSHOTS, 'restart-laptop-disconnected.png') });

      const restarted = performance.now();
      server = await startProcess(dir, port);
      const readyAt = performance.now();
      const back = await until(
        () => connection(page),
        (s) => s === 'live',
        20_000,
        `live again after ${signal}`,
      );
      console.log(
        `${signal}: server ready ${Math.round(readyAt - restarted)} ms after the restart began; page live ${Math.round(back.atMs - readyAt)} ms after that (≤ 0: before /readyz)`,
      );
      await expectFreshFigures(page, server.url, before);
      expect(await page.getByTestId('disconnected-banner').isVisible()).toBe(false);
      if (signal === 'SIGTERM') await page.screenshot({ path: join(SCREENSHOTS, 'restart-laptop-recovered.png') });
    }
    // While the server was away the browser logged its failed reconnection attempts; nothing else.
    // (A SIGTERM'd server refuses live handshakes while it drains: socket.io's poll race, see browser.ts.)
    expect(
      withoutRefusedPollRace(problems, refused).filter(
        (p) => !/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket connection to .* failed|\/socket\.io\//.test(p),
      ),
    ).toEqual([]);
    await page.close();
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
