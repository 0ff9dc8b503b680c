import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount } from '../../../client/src/format.js';
import { ADMIN_TOKEN, authedFetch } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import {
  SCREENSHOTS,
  VIEWPORTS,
  buildClient,
  figure,
  hasChromium,
  launch,
  loadDashboard,
  openPage,
  refusals,
  signInUrl,
  until,
  withoutRefusedPollRace,
  type WatchedPage,
} from './browser.js';

/** Where the page keeps the token (client/src/session.ts). */
const STORED = "localStorage.getItem('headroom.token')";
/** A token of the right shape that no server made. */
const UNKNOWN_TOKEN = `hr_0123456789abcdef_${'A'.repeat(43)}`;

const stored = (page: Page): Promise<string | null> => page.evaluate(STORED) as Promise<string | null>;
const connection = (page: Page) => page.getByTestId('connection').getAttribute('data-state');

/** Every /api/ request the page makes, to tell "no figures were read" from "figures not drawn yet". */
function apiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) seen.push(`${r.method()} ${path}`);
  });
  return seen;
}

/** The sign-in prompt is up, the live view refused without a DISCONNECTED banner, no figure on the page. */
async function expectSignInPrompt(page: Page): Promise<string> {
  await page.getByTestId('sign-in').waitFor({ state: 'visible', timeout: 10_000 });
  await until(
    () => connection(page),
    (s) => s === 'unauthorized',
    10_000,
    'live view refused',
  );
  expect(await page.getByTestId('disconnected-banner').isVisible()).toBe(false);
  expect(await page.getByTestId('connection').textContent()).toBe('SIGN-IN NEEDED');
  expect(await page.locator('main').isVisible()).toBe(false);
  expect(await page.locator('main [data-value]:not([data-value=""])').count()).toBe(0);
  expect(await page.getByTestId('sign-in-token').getAttribute('type')).toBe('password');
  return (await page.getByTestId('sign-in-reason').textContent()) ?? '';
}

describe.skipIf(!hasChromium)('signing in to the dashboard (API tokens, Jupyter-style link, PUBLIC_READ)', () => {
  let h: TestHeadroom;
  let open: TestHeadroom;
  let browser: Browser;
  let admin: WatchedPage;

  beforeAll(async () => {
    await buildClient();
    h = await startTestHeadroom({ SIM_CONTRACTS: 'demo' });
    open = await startTestHeadroom({ PUBLIC_READ: 'true' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await open?.stop();
  });

  it('signs in from /#token=…: the token leaves the address, the live view is LIVE, the status bar names the admin', async () => {
    admin = await openPage(browser, VIEWPORTS.laptop);
    const { page } = admin;
    await loadDashboard(page, signInUrl(h.url));
    expect(page.url()).toBe(`${h.url}/`);
    expect(await page.evaluate('location.hash')).toBe('');
    expect(await stored(page)).toBe(ADMIN_TOKEN);
    expect(await connection(page)).toBe('live');
    const who = page.getByTestId('session');
    await until(
      () => who.getAttribute('data-role'),
      (r) => r === 'admin',
      5_000,
      'the admin named',
    );
    expect(await who.textContent()).toBe('admin · HEADROOM_ADMIN_TOKEN');
    expect(await page.getByTestId('sign-out').isVisible()).toBe(true);
    expect(await page.getByTestId('sign-in').isVisible()).toBe(false);
    // The admin reads the operator's lists too: no "needs an operator token" note.
    expect(await page.getByTestId('delivery-restricted').count()).toBe(0);
    await page.locator('.bar').screenshot({ path: join(SCREENSHOTS, 'auth-laptop-status-signed-in.png') });
    expect(admin.problems).toEqual([]);
  });

  it('keeps the session across a reload', async () => {
    const { page } = admin;
    await page.reload();
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    expect(page.url()).toBe(`${h.url}/`);
    expect(await connection(page)).toBe('live');
    await until(
      () => page.getByTestId('session').getAttribute('data-role'),
      (r) => r === 'admin',
      5_000,
      'still the admin',
    );
    const fleet = (await h.getJson<{ gpus: { total: number } }>('/api/v1/fleet')).body;
    expect(await figure(page, 'gpus-total')).toEqual({ value: String(fleet.gpus.total), text: formatCount(fleet.gpus.total) });
    expect(admin.problems).toEqual([]);
  });

  it('asks for a token in a fresh browser and reads no figures; a pasted viewer token signs in, with the operator lists marked as such', async () => {
    const created = await h.post('/api/v1/tokens', JSON.stringify({ name: 'wall screen', role: 'viewer' }), 'application/json');
    expect(created.status).toBe(201);
    const viewerToken = String(created.body.token);

    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    const requests = apiRequests(page);
    await page.goto(`${h.url}/`);
    expect(await expectSignInPrompt(page)).toBe('This Headroom server needs an API token to show its figures.');
    expect(await page.getByTestId('sign-in').textContent()).toContain('npm run token -- --role viewer --name <you>');
    expect(await page.getByTestId('sign-in-read-only').isVisible()).toBe(false);
    expect(await page.getByTestId('session').getAttribute('data-state')).toBe('signed-out');
    expect(requests).toEqual(['GET /api/v1/whoami']);
    await page.screenshot({ path: join(SCREENSHOTS, 'auth-laptop-sign-in.png') });

    await page.getByTestId('sign-in-token').fill(viewerToken);
    await Promise.all([page.waitForEvent('load'), page.getByTestId('sign-in-submit').click()]);
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    expect(await connection(page)).toBe('live');
    expect(await stored(page)).toBe(viewerToken);
    await until(
      () => page.getByTestId('session').textContent(),
      (t) => t === 'viewer · wall screen',
      5_000,
      'the viewer named',
    );
    // Webhook reads need operator: the alerts card says so instead of failing, and nothing was refused.
    await page.getByTestId('delivery-restricted').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.getByTestId('delivery-restricted').textContent()).toMatch(/need an operator token \(this one is viewer\)/);
    expect(await figure(page, 'delivery-failing')).toEqual({ value: '', text: '–' });
    expect(requests.filter((r) => r.includes('/webhooks'))).toEqual([]);
    await page.getByTestId('alerts').screenshot({ path: join(SCREENSHOTS, 'auth-laptop-alerts-viewer.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the server's reason for a wrong token, and answers a wrong pasted token in place", async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    const refused = refusals(page);
    await page.goto(signInUrl(h.url, UNKNOWN_TOKEN));
    expect(page.url()).toBe(`${h.url}/`);
    await until(
      () => page.getByTestId('sign-in-reason').textContent(),
      (t) => (t ?? '').includes('unknown token'),
      10_000,
      "the server's reason",
    );
    expect(await expectSignInPrompt(page)).toBe(
      'The server refused the token this browser keeps: unknown token. Paste another one, or sign out.',
    );
    await until(
      () => page.getByTestId('session').getAttribute('data-state'),
      (s) => s === 'refused',
      5_000,
      'token refused in the status bar',
    );
    expect(await page.getByTestId('sign-out').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'auth-laptop-sign-in-refused.png') });

    await page.getByTestId('sign-in-token').fill(`${UNKNOWN_TOKEN}x`);
    await page.getByTestId('sign-in-submit').click();
    await until(
      () => page.getByTestId('sign-in-answer').textContent(),
      (t) => (t ?? '').startsWith('The server does not accept this token'),
      5_000,
      'the pasted token refused',
    );
    expect(await stored(page)).toBe(UNKNOWN_TOKEN);
    expect(withoutRefusedPollRace(problems, refused)).toEqual([]);
    await page.close();
  });

  it('shows the figures without a token when PUBLIC_READ=true, marked public read-only', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, `${open.url}/`);
    expect(await connection(page)).toBe('live');
    await until(
      () => page.getByTestId('session').getAttribute('data-state'),
      (s) => s === 'public',
      5_000,
      'public read-only',
    );
    expect(await page.getByTestId('session').textContent()).toBe('public read-only');
    expect(await page.getByTestId('status-sign-in').isVisible()).toBe(true);
    expect(await page.getByTestId('sign-out').isVisible()).toBe(false);
    expect(await page.getByTestId('sign-in').isVisible()).toBe(false);
    const fleet = (await open.getJson<{ gpus: { total: number } }>('/api/v1/fleet')).body;
    expect(await figure(page, 'gpus-total')).toEqual({ value: String(fleet.gpus.total), text: formatCount(fleet.gpus.total) });
    expect(await page.getByTestId('delivery-restricted').textContent()).toMatch(/need an operator token \(reading without a token\)/);
    await page.locator('.bar').screenshot({ path: join(SCREENSHOTS, 'auth-laptop-status-public.png') });
    // "Sign in" from the status bar offers the prompt; reading on without a token closes it.
    await page.getByTestId('status-sign-in').click();
    await page.getByTestId('sign-in').waitFor({ state: 'visible' });
    expect(await page.getByTestId('sign-in-reason').textContent()).toMatch(/^Reads are public on this server/);
    await page.getByTestId('sign-in-read-only').click();
    expect(await page.getByTestId('sign-in').isVisible()).toBe(false);
    expect(await page.locator('main').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('asks again when the token is revoked while the page is open: the server drops its live connection, the handshake says why', async () => {
    const created = await h.post('/api/v1/tokens', JSON.stringify({ name: 'soon revoked', role: 'viewer' }), 'application/json');
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    const refused = refusals(page);
    await loadDashboard(page, signInUrl(h.url, String(created.body.token)));
    await until(
      () => page.getByTestId('session').textContent(),
      (t) => t === 'viewer · soon revoked',
      5_000,
      'the viewer named',
    );
    expect((await authedFetch(`${h.url}/api/v1/tokens/${String(created.body.id)}`, { method: 'DELETE' })).status).toBe(200);
    await until(
      () => connection(page),
      (s) => s === 'unauthorized',
      10_000,
      'live view refused after the revocation',
    );
    expect(await page.getByTestId('sign-in-reason').textContent()).toBe(
      'The server refused the token this browser keeps: token revoked. Paste another one, or sign out.',
    );
    await until(
      () => page.getByTestId('session').getAttribute('data-state'),
      (s) => s === 'refused',
      5_000,
      'token refused in the status bar',
    );
    expect(await page.getByTestId('disconnected-banner').isVisible()).toBe(false);
    expect(withoutRefusedPollRace(problems, refused)).toEqual([]);
    await page.close();
  });

  it('asks again when a REST read is refused while the live view stays connected', async () => {
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await loadDashboard(page, signInUrl(h.url));
    // Another tab kept a token this server does not know: the live connection is already authenticated, the next read is not.
    await page.evaluate(`localStorage.setItem('headroom.token', ${JSON.stringify(UNKNOWN_TOKEN)})`);
    await page.getByTestId('whatif-submit').click();
    await page.getByTestId('sign-in').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.getByTestId('sign-in-reason').textContent()).toBe(
      'The server refused the token this browser keeps: unknown token. Paste another one, or sign out.',
    );
    expect(await page.getByTestId('whatif-error').textContent()).toMatch(/401 unknown token$/);
    await until(
      () => page.getByTestId('session').getAttribute('data-state'),
      (s) => s === 'refused',
      5_000,
      'token refused in the status bar',
    );
    // The figures stay (the live view is still connected), under the prompt.
    expect(await connection(page)).toBe('live');
    expect(await page.locator('main').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'auth-laptop-sign-in-over-figures.png') });
    expect(problems).toEqual(['console.error: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    await page.close();
  });

  it('forgets the token on Sign out', async () => {
    const { page } = admin;
    await Promise.all([page.waitForEvent('load'), page.getByTestId('sign-out').click()]);
    expect(await stored(page)).toBeNull();
    await expectSignInPrompt(page);
    // A sign-in link opened in the same tab (only the fragment changes) signs in again.
    await Promise.all([page.waitForEvent('load'), page.evaluate(`location.hash = ${JSON.stringify(`#token=${ADMIN_TOKEN}`)}`)]);
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
    expect(page.url()).toBe(`${h.url}/`);
    expect(await stored(page)).toBe(ADMIN_TOKEN);
    expect(admin.problems).toEqual([]);
    await page.close();
  });
});
