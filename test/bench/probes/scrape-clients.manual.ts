/**
 * Probe: CPU per scrape request of candidate HTTP clients, side by side in one run, against the
 * benchmark target server (servers/dcgm-targets.ts, no idle close), N node endpoints, 256 at once,
 * rounds 5 s apart, first round (connects, JIT) left out; prints the median µs CPU per request.
 *
 *   node --import tsx test/bench/servers/dcgm-targets.ts '{"topology":"hall","nodes":1000,"port":9400,"tickMs":5000,"idleCloseMs":0}' &
 *   node --import tsx test/bench/probes/scrape-clients.manual.ts 9400 fetch,undici-client,undici-agent,http,raw,ours [nodes] [rounds]
 *
 * Each mode runs in its own child process (fresh heap, fresh JIT), one after the other,
 * modes interleaved over `rounds` passes so that machine noise hits them alike.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, Client, request as undiciRequest } from 'undici';
import { createHttpScrapeSource } from '../../../server/src/pipeline/ingest/http-scrape-source.js';
import { loopbackAddress, targetUrl } from '../lib/targets.js';

const port = Number(process.argv[2]);
const modes = (process.argv[3] ?? 'fetch,undici-client,undici-agent,http,raw,ours').split(',');
const n = Number(process.argv[4] ?? 1000);
const passes = Number(process.argv[5] ?? 1);

if (process.env.PROBE_CHILD) {
  const mode = process.env.PROBE_CHILD;
  const url = (i: number): string => targetUrl(i, port);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60_000 });
  const viaHttp = (i: number): Promise<string> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: loopbackAddress(i), port, path: '/metrics', agent: httpAgent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
        })
        .on('error', reject);
    });
  // One undici Client per target: an origin of its own, kept alive past the interval.
  const clients = new Map<number, Client>();
  const viaUndiciClient = async (i: number): Promise<string> => {
    let c = clients.get(i);
    if (!c)
      clients.set(i, (c = new Client(`http://${loopbackAddress(i)}:${port}`, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 })));
    const { statusCode, body } = await c.request({
      path: '/metrics',
      method: 'GET',
      headers: { accept: 'text/plain' },
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    if (statusCode !== 200) throw new Error(String(statusCode));
    return body.text();
  };
  const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000, connections: 1 });
  const viaUndiciAgent = async (i: number): Promise<string> => {
    const { statusCode, body } = await undiciRequest(url(i), {
      dispatcher: agent,
      headers: { accept: 'text/plain' },
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    if (statusCode !== 200) throw new Error(String(statusCode));
    return body.text();
  };
  // The notes' minimal client: a kept net.Socket per target, Content-Length bodies only.
  const sockets = new Map<number, net.Socket>();
  const viaRaw = (i: number): Promise<string> =>
    new Promise((resolve, reject) => {
      let s = sockets.get(i);
      if (!s || s.destroyed) {
        s = net.connect(port, loopbackAddress(i));
        s.setNoDelay(true);
        sockets.set(i, s);
      }
      const sock = s;
      let headerEnd = -1;
      let need = -1;
      let got = 0;
      const chunks: Buffer[] = [];
      const onData = (d: Buffer): void => {
        chunks.push(d);
        got += d.length;
        if (headerEnd < 0) {
          const buf = Buffer.concat(chunks);
          headerEnd = buf.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const m = /content-length: *(\d+)/i.exec(buf.toString('latin1', 0, headerEnd));
          need = headerEnd + 4 + Number(m?.[1] ?? 0);
          chunks.length = 0;
          chunks.push(buf);
        }
        if (got >= need) {
          sock.off('data', onData);
          sock.off('error', reject);
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve(all.toString('latin1', headerEnd + 4, need));
        }
      };
      sock.on('data', onData);
      sock.once('error', reject);
      sock.write(`GET /metrics HTTP/1.1\r\nHost: ${loopbackAddress(i)}:${port}\r\nAccept: text/plain\r\n\r\n`);
    });
  const ours = createHttpScrapeSource(
    Array.from({ length: n }, (_, i) => url(i)),
    { timeoutMs: 5_000, maxConnections: 4_096, concurrency: 256 },
  ).targets();
  const one: (i: number) => Promise<string> =
    mode === 'http'
      ? viaHttp
      : mode === 'raw'
        ? viaRaw
        : mode === 'undici-client'
          ? viaUndiciClient
          : mode === 'undici-agent'
            ? viaUndiciAgent
            : mode === 'ours'
              ? (i) => ours[i]!.read() as Promise<string>
              : async (i) => (await fetch(url(i))).text();
  const cpu: number[] = [];
  for (let round = 0; round < 6; round++) {
    const c0 = process.cpuUsage();
    let next = 0;
    let bytes = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next < n) {
          const text = await one(next++);
          bytes += text.length;
        }
      }),
    );
    const c = process.cpuUsage(c0);
    if (round > 0) cpu.push((c.user + c.system) / n);
    if (bytes < n * 1000) throw new Error(`only ${bytes} bytes`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  cpu.sort((a, b) => a - b);
  console.log(JSON.stringify({ mode, medianCpuUsPerRequest: Math.round(cpu[2]!), rounds: cpu.map(Math.round) }));
  process.exit(0);
} else {
  const results = new Map<string, number[]>();
  for (let pass = 0; pass < passes; pass++) {
    for (const mode of modes) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        env: { ...process.env, PROBE_CHILD: mode },
        encoding: 'utf8',
      });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { medianCpuUsPerRequest: number };
      results.set(mode, [...(results.get(mode) ?? []), r.medianCpuUsPerRequest]);
      console.log(mode, out.trim());
    }
  }
  for (const [mode, v] of results)
    console.log(`${mode.padEnd(14)} median µs CPU/request ${[...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]} (${v.join(', ')})`);
}
