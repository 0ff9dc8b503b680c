import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureClientBuilt } from '../../../server/src/cli/client-build.js';
import { ADMIN_TOKEN } from '../helpers/auth.js';

/** Debian's chromium (`apt-get install -y chromium`); the browser tests skip, loudly, without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `*** SKIPPING the dashboard browser tests: ${CHROMIUM} is missing — install the Debian package \`chromium\` (apt-get install -y chromium) ***`,
  );
}

const ROOT = new URL('../../../', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, '.tmp/screenshots');

export const VIEWPORTS = {
  laptop: { width: 1280, height: 800 },
  wall: { width: 3840, height: 2160 },
} as const;

/** Builds client/dist when stale (the server serves what is there when it starts). */
export async function buildClient(): Promise<void> {
  await ensureClientBuilt({ info: () => undefined });
  mkdirSync(SCREENSHOTS, { recursive: true });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors and failed requests since the page opened. */
  problems: string[];
}

/** A page that records everything a person would see as an error in the console. */
export async function openPage(browser: Browser, viewport: { width: number; height: number }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return { page, problems };
}

/**
 * The dashboard's address with a token in its fragment, as the server prints it at first start
 * (Jupyter-style): opening it signs the browser in, and the page takes the token out of the address.
 */
export const signInUrl = (url: string, token: string = ADMIN_TOKEN): string => `${url}/#token=${encodeURIComponent(token)}`;

/** Answers of 400 and up the page got, as `status METHOD path`. */
export function refusals(page: Page): string[] {
  const seen: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return seen;
}

/**
 * When the server refuses the live handshake (a token it does not accept, or "server shutting down"
 * while it drains), socket.io-client closes the session while its next long-poll may already be on
 * the way: that poll gets 400 "Session ID unknown", which Chromium logs without its URL. Harmless:
 * dropped from `problems` when the page got such a 400 and no 4xx/5xx answer but socket.io's (`refusals`).
 */
export function withoutRefusedPollRace(problems: string[], refused: string[]): string[] {
  const raced = refused.includes('400 GET /socket.io/') && refused.every((r) => r.endsWith(' /socket.io/'));
  return problems.filter(
    (p) => !(raced && p === 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)'),
  );
}

/** Navigates and waits for every section to be drawn; returns ms from navigation start to that moment. */
export async function loadDashboard(page: Page, url: string): Promise<{ wallMs: number; pageMs: number }> {
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="full"]', { timeout: 20_000 });
  const wallMs = performance.now() - started;
  const pageMs = Number(await page.getAttribute('body', 'data-first-render-ms'));
  return { wallMs, pageMs };
}

/**
 * A port nothing listens on now, asked of the OS (helpers/process.ts `freePort` guesses one in
 * 20000–40000, which overlaps Linux's ephemeral range: a browser's own connections can hold it).
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `read` satisfies `ok`; returns the value and when it did. Throws with the last value after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<{ value: T; atMs: number }> {
  const deadline = performance.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await sleep(25);
    value = await read();
  }
  return { value, atMs: performance.now() };
}

/** A figure's raw value (`data-value`) and the text people see. */
export async function figure(page: Page, testid: string): Promise<{ value: string | null; text: string }> {
  const el = page.getByTestId(testid);
  return { value: await el.getAttribute('data-value'), text: (await el.textContent()) ?? '' };
}

/** No element sticks out of the page sideways (the first thing that looks broken on a wall screen). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;
}
