import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/harness.js';
import { SCREENSHOTS, VIEWPORTS, buildClient, freeLoopbackPort, hasChromium, launch, openPage, until } from './browser.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe.skipIf(!hasChromium)('the dashboard during a first start (`npm start` on a fresh data folder, Colossus, 14-day backfill)', () => {
  let browser: Browser;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    await buildClient();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it("prints a sign-in link, and the page it opens shows the backfill's progress while it runs, then every section, without a reload", async () => {
    const port = await freeLoopbackPort();
    // `npm start`'s command with its defaults (Colossus, 14 days of history to backfill), no admin token
    // in the environment: the server makes one and prints the link that signs in, opened the moment it does.
    const dataDir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.HEADROOM_ADMIN_TOKEN;
    child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = performance.now();
    // Standard output is a pipe here, as under systemd or in a container: the token must not go
    // into it (a log), but into an owner-only file the log names (issue 16 item 13).
    const tokenFile = join(dataDir, 'first-admin-token.txt');
    const link = await until(
      async () => (existsSync(tokenFile) ? /(http:\/\/\S+\/#token=(\S+))/.exec(readFileSync(tokenFile, 'utf8')) : null),
      (m) => m !== null || child?.exitCode !== null,
      90_000,
      'the sign-in link in DATA_DIR/first-admin-token.txt',
    );
    const [, url, token] = link.value ?? [];
    if (!url || !token) throw new Error(`the server wrote no sign-in link (exit ${child.exitCode}): ${stdout}${stderr}`);
    expect(url).toBe(`http://127.0.0.1:${port}/#token=${token}`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // The log line naming the file is written just after it: wait for the pipe to carry it.
    await until(
      async () => stdout,
      (out) => out.includes(tokenFile),
      10_000,
      'the log naming the token file',
    );
    expect(stdout + stderr).not.toContain(token);
    const { page, problems } = await openPage(browser, VIEWPORTS.laptop);
    await page.goto(url);
    const listenedMs = performance.now() - started;
    // Signed in by the link, which is out of the address now.
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`);
    await until(
      () => page.getByTestId('session').getAttribute('data-role'),
      (r) => r === 'admin',
      10_000,
      'signed in as admin',
    );
    await until(
      () => page.getAttribute('body', 'data-backfill-shown'),
      (v) => v === 'true',
      60_000,
      'backfill progress on the page',
    );
    const bar = await page.getByTestId('backfill-progress').textContent();
    console.log(`first start at Colossus: page loaded ${Math.round(listenedMs)} ms after the process started; it shows "${bar}"`);
    expect(bar).toMatch(/^Backfilling history: \d+%$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'startup-laptop-backfill-progress.png') });
    await page.waitForSelector('body[data-rendered="full"]', { timeout: 90_000 });
    await until(
      () => page.getByTestId('backfill-progress').isHidden(),
      (hidden) => hidden,
      10_000,
      'progress bar gone',
    );
    console.log(`first start at Colossus: every section drawn ${Math.round(performance.now() - started)} ms after the process started`);
    expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('live');
    expect(Number(await page.getByTestId('trends').getAttribute('data-gpu-points'))).toBeGreaterThan(100);
    expect(problems).toEqual([]);
    await page.close();
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  });
});
