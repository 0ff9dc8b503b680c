/**
 * Bytes a dashboard screen costs the network, with and without compression (issue 17).
 *
 *   node --import tsx test/bench/dashboard-bytes.ts [--preset small|colossus] [--seconds 120]
 *
 * Starts Headroom with collection rounds at the default interval, opens the real dashboard in
 * headless Chromium through a counting TCP proxy, and counts every byte the server sends on the
 * wire (HTTP answers with their headers, socket.io polls and websocket frames) for a fixed
 * window after the first full render. Run twice: once with the browser's usual Accept-Encoding,
 * once with `identity` (what HTTP answers were before compression; the websocket's
 * perMessageDeflate is negotiated apart from it). It also deflates each websocket message on its
 * own as it arrives, the estimate perMessageDeflate was turned on from. Figures: docs/performance.md.
 */
import { createServer, connect, type Server } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../server/src/config.js';
import { startHeadroom } from '../../server/src/app/headroom.js';
import { ADMIN_TOKEN, NO_RATE_LIMITS } from '../integration/helpers/auth.js';
import { PINNED_START } from '../integration/helpers/pinned-clock.js';
import { CHROMIUM, buildClient, loadDashboard, signInUrl, sleep } from '../integration/e2e/browser.js';
import { tempDir } from '../integration/helpers/harness.js';

interface Counts {
  /** Bytes the server sent on connections that opened with a socket.io request. */
  live: number;
  http: number;
}

/** A loopback proxy to `port` counting what the server sends, per kind of connection. */
async function countingProxy(port: number): Promise<{ server: Server; port: number; counts: Counts }> {
  const counts: Counts = { live: 0, http: 0 };
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    let kind: keyof Counts | null = null;
    client.on('data', (d: Buffer) => {
      kind ??= d.subarray(0, 64).toString('latin1').includes(' /socket.io/') ? 'live' : 'http';
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      counts[kind ?? 'http'] += d.length;
      client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, counts };
}

async function measure(url: string, proxyCounts: Counts, seconds: number, acceptEncoding: string | null) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({
      viewport: { width: 3840, height: 2160 },
      ...(acceptEncoding ? { extraHTTPHeaders: { 'accept-encoding': acceptEncoding } } : {}),
    });
    const page = await context.newPage();
    let wsPayload = 0;
    let wsDeflated = 0;
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
        wsPayload += bytes.length;
        // perMessageDeflate with its 1 KB threshold, no context takeover (the cheap setting).
        wsDeflated += bytes.length < 1024 ? bytes.length : deflateRawSync(bytes).length;
      }),
    );
    proxyCounts.live = proxyCounts.http = 0;
    await loadDashboard(page, signInUrl(url));
    const load = { ...proxyCounts };
    proxyCounts.live = proxyCounts.http = 0;
    wsPayload = wsDeflated = 0;
    await sleep(seconds * 1000);
    const perMin = (n: number): number => Math.round((n * 60) / seconds);
    return {
      loadBytes: load.http + load.live,
      httpPerMin: perMin(proxyCounts.http),
      livePerMin: perMin(proxyCounts.live),
      totalPerMin: perMin(proxyCounts.http + proxyCounts.live),
      wsPayloadPerMin: perMin(wsPayload),
      wsDeflatedPerMin: perMin(wsDeflated),
    };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const preset = arg('preset', 'small');
  const seconds = Number(arg('seconds', '120'));
  await buildClient();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: tempDir(),
    PRESET: preset,
    BACKFILL_DAYS: '1',
    LOG_LEVEL: 'silent',
    SIM_START: PINNED_START,
    SIM_CONTRACTS: 'demo',
    HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    ...NO_RATE_LIMITS,
  });
  const headroom = await startHeadroom(config, { autoCollect: true });
  const proxy = await countingProxy(headroom.port);
  try {
    const url = `http://127.0.0.1:${proxy.port}`;
    console.log(`preset ${preset}, rounds every ${config.scrape.intervalMs / 1000} s, window ${seconds} s per run`);
    for (const [name, encoding] of [
      ['uncompressed (Accept-Encoding: identity, as before)', 'identity'],
      ["compressed (Chromium's own Accept-Encoding)", null],
    ] as const) {
      const r = await measure(url, proxy.counts, seconds, encoding);
      console.log(
        `${name}: page load ${r.loadBytes} B; then per minute ${r.totalPerMin} B ` +
          `(HTTP ${r.httpPerMin} B, socket.io ${r.livePerMin} B; websocket payload ${r.wsPayloadPerMin} B, ` +
          `${r.wsDeflatedPerMin} B if perMessageDeflate)`,
      );
    }
  } finally {
    proxy.server.close();
    await headroom.stop();
  }
}

await main();
