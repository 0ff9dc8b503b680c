import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpScrapeSource, ScrapeError } from '../../server/src/pipeline/ingest/http-scrape-source.js';

/**
 * The HTTP scrape source over real loopback HTTP: a node:http server standing in for
 * dcgm-exporter, counting the connections it accepts and holds open. No timing assertions:
 * each test waits for events, never for durations.
 */

const BODY = `${'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-x",Hostname="n1"} 42\n'.repeat(300)}`;
const MAX_BYTES = 64 * 1024;

let server: Server;
let base: string;
let connections = 0;
let openNow = 0;
const sockets = new Set<Socket>();
const hanging: ServerResponse[] = [];
let lastAccept = '';
let closeRequests = 0;

function route(req: IncomingMessage, res: ServerResponse): void {
  lastAccept = req.headers.accept ?? '';
  if (req.headers.connection === 'close') closeRequests++;
  const path = (req.url ?? '').replace(/^\/n\d+/, '');
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
  } else if (path === '/chunked') {
    // No Content-Length: node:http sends it chunked, as Go's net/http does for larger bodies.
    res.writeHead(200, { 'content-type': 'text/plain' });
    const half = BODY.length / 2;
    res.write(BODY.slice(0, half));
    setImmediate(() => res.end(BODY.slice(half)));
  } else if (path === '/utf8') {
    res.end('DCGM_FI_DEV_GPU_UTIL{gpu="0",note="héllo ✓"} 1\n');
  } else if (path === '/status') {
    res.writeHead(503).end('busy');
  } else if (path === '/redirect') {
    res.writeHead(302, { location: '/metrics' }).end();
  } else if (path === '/hang') {
    hanging.push(res);
  } else if (path === '/big-length') {
    res.writeHead(200, { 'content-length': MAX_BYTES + 1 });
    res.write('x'.repeat(1024)); // the head alone must refuse it
  } else if (path === '/big-chunked') {
    res.writeHead(200);
    const piece = 'y'.repeat(8 * 1024);
    let sent = 0;
    const more = (): void => {
      if (res.destroyed || sent > 4 * MAX_BYTES) return void res.end();
      sent += piece.length;
      res.write(piece, () => setImmediate(more));
    };
    more();
  } else if (path === '/reset') {
    res.writeHead(200, { 'content-length': 10_000 });
    res.write('z'.repeat(2_000), () => req.socket.resetAndDestroy());
  } else {
    res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  server.keepAliveTimeout = 0; // as Go's net/http: no Keep-Alive header, no idle close
  server.on('connection', (socket: Socket) => {
    connections++;
    openNow++;
    sockets.add(socket);
    socket.on('close', () => {
      openNow--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sources: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of sources.splice(0)) s.close();
  for (const res of hanging.splice(0)) res.destroy();
});

function sourceOf(paths: string[], opts: { maxConnections?: number; concurrency?: number; timeoutMs?: number } = {}) {
  const source = createHttpScrapeSource(
    paths.map((p) => `${base}${p}`),
    {
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxConnections: opts.maxConnections ?? 100,
      concurrency: opts.concurrency ?? 10,
      maxBodyBytes: MAX_BYTES,
    },
  );
  sources.push(source);
  return source;
}

const read = async (source: ReturnType<typeof sourceOf>, i = 0): Promise<string> => source.targets()[i]!.read() as Promise<string>;
const failure = async (source: ReturnType<typeof sourceOf>, i = 0): Promise<ScrapeError> => {
  const error = await read(source, i).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrapeError);
  return error as ScrapeError;
};
/** Resolves once the server has seen every connection it holds closed down to `n`. */
const untilOpenAtMost = async (n: number): Promise<void> => {
  while (openNow > n) await new Promise((r) => setImmediate(r));
};

describe('the HTTP scrape source', () => {
  it('reuses one connection per target across rounds', async () => {
    const source = sourceOf(['/n1/metrics', '/n2/metrics', '/n3/metrics']);
    const before = connections;
    for (let round = 0; round < 5; round++) {
      const bodies = await Promise.all(source.targets().map((t) => t.read()));
      expect(bodies).toEqual([BODY, BODY, BODY]);
    }
    expect(connections - before).toBe(3);
    expect(lastAccept).toBe('text/plain;version=0.0.4;q=1,*/*;q=0.1');
  });

  it('reads a chunked body whole, and keeps its connection', async () => {
    const source = sourceOf(['/chunked']);
    const before = connections;
    expect(await read(source)).toBe(BODY);
    expect(await read(source)).toBe(BODY);
    expect(connections - before).toBe(1);
  });

  it('decodes the body as UTF-8', async () => {
    expect(await read(sourceOf(['/utf8']))).toContain('héllo ✓');
  });

  it('fails a non-200 answer with its status, and follows no redirect', async () => {
    const status = await failure(sourceOf(['/status']));
    expect(status.status).toBe(503);
    expect(status.message).toBe(`${base}/status: answered HTTP 503`);
    const redirect = await failure(sourceOf(['/redirect']));
    expect(redirect.status).toBe(302);
  });

  it('gives up on a target that does not answer within the timeout', async () => {
    const error = await failure(sourceOf(['/hang'], { timeoutMs: 200 }));
    expect(error.message).toBe(`${base}/hang: timed out after 200 ms`);
  });

  it('refuses a body over the limit, announced by Content-Length or streamed chunked', async () => {
    expect((await failure(sourceOf(['/big-length']))).message).toBe(
      `${base}/big-length: body of ${MAX_BYTES + 1} bytes exceeds ${MAX_BYTES}`,
    );
    expect((await failure(sourceOf(['/big-chunked']))).message).toBe(`${base}/big-chunked: body exceeds ${MAX_BYTES} bytes`);
  });

  it('names the cause when the connection is reset mid-body, and reads the target again afterwards', async () => {
    const error = await failure(sourceOf(['/reset']));
    expect(error.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/reset: connection (failed: read ECONNRESET|closed after \d+ of 10000 body bytes)$/,
    );
  });

  it('names the cause when the target refuses connections', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const source = createHttpScrapeSource([`http://127.0.0.1:${port}/metrics`], { timeoutMs: 5_000, maxConnections: 10, concurrency: 1 });
    sources.push(source);
    await expect(source.targets()[0]!.read()).rejects.toThrow(
      `http://127.0.0.1:${port}/metrics: connection failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('connects again when the target closed its idle connection, and the read succeeds', async () => {
    const source = sourceOf(['/n1/metrics', '/n2/metrics']);
    await Promise.all(source.targets().map((t) => t.read()));
    const before = connections;
    for (const s of sockets) s.destroy(); // the exporter drops every idle connection
    await untilOpenAtMost(0);
    expect(await Promise.all(source.targets().map((t) => t.read()))).toEqual([BODY, BODY]);
    expect(connections - before).toBe(2);
    // And once more, when the close reaches the client only as it sends (no wait in between).
    for (const s of sockets) s.end();
    expect(await Promise.all(source.targets().map((t) => t.read()))).toEqual([BODY, BODY]);
  });

  it('keeps at most maxConnections open, reusing a kept set across rounds', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => `/n${i}/metrics`);
    const source = sourceOf(paths, { maxConnections: 12, concurrency: 4 });
    // The client's open connections, looked at whenever the server accepts one.
    let mostOpenByClient = 0;
    const look = (): void => void (mostOpenByClient = Math.max(mostOpenByClient, source.connections().open));
    server.on('connection', look);
    const before = connections;
    const rounds = 4;
    let closesAfterRound1 = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        if (round === 1) closesAfterRound1 = closeRequests;
        // 4 at once, as the collection round's workers read.
        let next = 0;
        const bodies: string[] = [];
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (next < paths.length) {
              bodies.push(await read(source, next++));
              look();
            }
          }),
        );
        expect(bodies).toHaveLength(40);
        expect(bodies.every((b) => b === BODY)).toBe(true);
      }
    } finally {
      server.off('connection', look);
    }
    expect(mostOpenByClient).toBeLessThanOrEqual(12);
    expect(source.connections().kept).toBe(8);
    // 8 kept (12 less a reserve of 4 for the round's concurrency): the other 32 connect per scrape,
    // and, once the kept set is full, ask the server to close after answering (so that it, not
    // the scraper, holds the TIME_WAIT).
    expect(connections - before).toBe(8 + 32 * rounds);
    expect(closeRequests - closesAfterRound1).toBe(32 * (rounds - 1));
  });

  it('makes progress when the cap is below the concurrency, and still keeps to it', async () => {
    const paths = Array.from({ length: 10 }, (_, i) => `/n${i}/metrics`);
    const source = sourceOf(paths, { maxConnections: 2, concurrency: 8 });
    let mostOpenByClient = 0;
    const look = (): void => void (mostOpenByClient = Math.max(mostOpenByClient, source.connections().open));
    server.on('connection', look);
    try {
      for (let round = 0; round < 2; round++) {
        const bodies = await Promise.all(paths.map((_, i) => read(source, i).finally(look)));
        expect(bodies.every((b) => b === BODY)).toBe(true);
      }
    } finally {
      server.off('connection', look);
    }
    expect(mostOpenByClient).toBeLessThanOrEqual(2);
  });
});

describe('responses a scrape client must not accept', () => {
  let raw: NetServer;
  let rawBase: string;
  let answer = '';
  beforeAll(async () => {
    raw = createNetServer((socket) => {
      socket.once('data', () => socket.end(answer));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawBase = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  afterAll(() => raw.close());

  const rawRead = async (text: string): Promise<string> => {
    answer = text;
    const source = createHttpScrapeSource([`${rawBase}/metrics`], {
      timeoutMs: 5_000,
      maxConnections: 10,
      concurrency: 1,
      maxBodyBytes: MAX_BYTES,
    });
    sources.push(source);
    return source.targets()[0]!.read() as Promise<string>;
  };

  it('reads a body that ends at the close (no length, not chunked)', async () => {
    expect(await rawRead('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc\n')).toBe('abc\n');
  });

  it('reads chunk extensions and trailers', async () => {
    expect(await rawRead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n1\r\n\n\r\n0\r\nX-Trailer: 1\r\n\r\n')).toBe(
      'abc\n',
    );
  });

  it('refuses a body closed short of its Content-Length, garbage and compressed bodies', async () => {
    await expect(rawRead('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')).rejects.toThrow('connection closed after 3 of 10 body bytes');
    await expect(rawRead('SSH-2.0-OpenSSH\r\n\r\n')).rejects.toThrow('not an HTTP/1.x response');
    await expect(rawRead('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc')).rejects.toThrow(
      'unsupported Content-Encoding gzip',
    );
    await expect(rawRead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).rejects.toThrow('bad chunked encoding');
  });
});

describe('an https target', () => {
  // A self-signed certificate made for the test (openssl): the TLS path runs, and the scrape
  // fails naming why, since no CA vouches for it.
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version']);
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)('is read over TLS, and an untrusted certificate fails the scrape naming the cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { stdio: 'ignore' },
      );
      let served = 0;
      const https = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_req, res) => {
          served++;
          res.end(BODY);
        },
      );
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      const url = `https://localhost:${(https.address() as AddressInfo).port}/metrics`;
      const source = createHttpScrapeSource([url], { timeoutMs: 5_000, maxConnections: 10, concurrency: 1 });
      sources.push(source);
      await expect(source.targets()[0]!.read()).rejects.toThrow(`${url}: connection failed: self-signed certificate`);
      expect(served).toBe(0);
      https.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
