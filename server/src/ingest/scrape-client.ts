import { Client, type Dispatcher } from 'undici';

/**
 * Kept-alive HTTP GETs for scraping exporters: an undici `Client` per kept target (one
 * connection, kept across rounds), at most `maxConnections` open in all.
 *
 * Why undici and not our own: the house rule takes a well-kept library over hand-written code
 * unless a benchmark needs ours. The hand-written HTTP/1.1 client this replaced (git eb3fa97,
 * 457 lines) was cheaper; measured side by side on 2026-11-27 (2-core shared machine):
 *
 *                                                 hand-written   this (undici)   bare undici Client
 *   probe, µs CPU/request (scrape-clients.manual.ts,
 *     1,000 targets of 15 kB, all kept; median of
 *     3 processes, 14:03-14:08 UTC)                89 (71-93)    124 (119-126)     111 (111-130)
 *   bench 2, µs CPU/sample (goal ≤ 1.0× Prometheus) 2.15, 0.22×    2.93, 0.39×     (14:15 / 14:10 runs)
 *   bench 3a, Colossus cycle p99 (goal ≤ 5 s)      4.46 s PASS    7.76 s MISS     (14:13 / 14:12 runs)
 *   bench 3b, % of a core per round (goal ≤ 25 %)  32 % (3.16 s)  79 % (7.94 s)   (14:13 / 14:12 runs)
 *
 * Per kept request undici costs ≈ 35 µs more (≈ 0.9 s CPU a Colossus round); at Colossus the
 * gap is 4.8 s a round (a second run at 14:19: 77 %, p99 7.63 s), not yet profiled. Not the
 * TIME_WAIT of the 9,832 per-scrape connections a round: a snapshot mid-run held 44,882 on the
 * server's side and 2,975 on ours (undici destroys its socket once the answer is read, but the
 * server, asked to close, mostly has already). Next suspects: a new Client (connector, llhttp
 * parser) per per-scrape connection, and GC with 14,744 kept Clients.
 *
 * What is ours: the connection cap and which targets keep a connection, the 200-only rule, the
 * body limit (by Content-Length; undici's maxResponseSize while streaming), readable error
 * messages, one retry of a kept connection the server closed as we sent. What is undici's:
 * sockets, TLS, request writing, response parsing (llhttp), keep-alive, read-to-close and
 * chunked bodies.
 *
 * Connections: the first targets scraped keep theirs (up to `maxConnections` less a reserve for
 * the round's per-scrape connections); the others open a Client per scrape, send
 * `Connection: close` (undici's `reset`) and give their slot back once its socket has closed.
 * A kept target that fails gives up its place (a dead exporter does not hold it for good).
 */

export interface ScrapeClientOptions {
  /** Each phase's limit: connect, the head, each gap in the body. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Open connections at most, kept and per-scrape together. */
  maxConnections: number;
  /** Scrapes run at once (the round's concurrency): sizes the reserve for per-scrape connections. */
  concurrency: number;
  /** Idle time before a kept connection is closed on our side: longer than the scrape interval. */
  keepAliveMs: number;
  accept: string;
}

/** A failed GET: `status` when the server answered with one other than 200. */
export class ScrapeFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface ScrapeClient {
  /** A target's handle (its URL parsed once): `get()` resolves the body text of a 200, rejects with a ScrapeFailure otherwise. */
  target(url: string): { get(): Promise<string> };
  /** Closes every connection; later gets connect afresh. */
  close(): void;
  /** Connection slots taken now (kept targets and per-scrape connections), and how many targets keep theirs. */
  connections(): { open: number; kept: number };
}

interface Target {
  origin: string;
  path: string;
  /** The kept Client, null while the target connects per scrape. */
  client: Client | null;
  /** Answers on the kept Client: a failure before any answer cannot be a stale connection. */
  served: number;
}

export function createScrapeClient(opts: ScrapeClientOptions): ScrapeClient {
  // At least one slot is left to per-scrape connections, however small the cap.
  const keepLimit = opts.maxConnections - Math.min(opts.concurrency, Math.ceil(opts.maxConnections / 2));
  const clientOptions: Client.Options = {
    keepAliveTimeout: opts.keepAliveMs,
    keepAliveMaxTimeout: opts.keepAliveMs,
    maxResponseSize: opts.maxBodyBytes,
    // The timeout bounds each phase: connecting, the wait for the head, each gap in the body
    // (undici's timers; a deadline of our own, an AbortSignal a request, cost ≈ 10 µs more).
    connect: { timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  };
  const headers = { accept: opts.accept, 'user-agent': 'Headroom' };
  let open = 0;
  let kept = 0;
  const waiters: Array<() => void> = [];
  const keptTargets = new Set<Target>();
  const perScrape = new Set<Client>();

  function release(): void {
    const next = waiters.shift();
    if (next) next();
    else open--;
  }

  function drop(t: Target): void {
    const client = t.client!;
    t.client = null;
    t.served = 0;
    keptTargets.delete(t);
    kept--;
    void client.destroy().then(release);
  }

  async function get(t: Target): Promise<string> {
    if (t.client === null && kept < keepLimit && open < opts.maxConnections) {
      open++;
      kept++;
      t.client = new Client(t.origin, clientOptions);
      keptTargets.add(t);
    }
    const client = t.client;
    if (client !== null) {
      try {
        const text = await exchange(client, t.path, false, t.served > 0);
        t.served++;
        return text;
      } catch (error) {
        if (t.client === client) drop(t);
        throw failure(error, opts);
      }
    }
    if (open < opts.maxConnections) open++;
    else await new Promise<void>((resolve) => waiters.push(resolve));
    const once = new Client(t.origin, clientOptions);
    perScrape.add(once);
    try {
      return await exchange(once, t.path, true);
    } catch (error) {
      throw failure(error, opts);
    } finally {
      perScrape.delete(once);
      void once.destroy().then(release);
    }
  }

  /** One GET on `client`; `close` asks the server to close after it, `retry` allows one more on a stale kept connection. */
  async function exchange(client: Client, path: string, close: boolean, retry = false): Promise<string> {
    let res: Dispatcher.ResponseData;
    try {
      res = await client.request({ path, method: 'GET', headers, reset: close });
    } catch (error) {
      // The server closed the kept connection as we sent: once more on a new one (a GET may be repeated).
      if (retry && isStale(error)) return exchange(client, path, close);
      throw error;
    }
    return readBody(res, opts.maxBodyBytes);
  }

  return {
    target(url) {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ScrapeFailure(`unsupported scheme ${u.protocol}`);
      const t: Target = { origin: u.origin, path: `${u.pathname}${u.search}`, client: null, served: 0 };
      return { get: () => get(t) };
    },
    close() {
      for (const t of [...keptTargets]) drop(t);
      for (const c of perScrape) void c.destroy();
    },
    connections: () => ({ open, kept }),
  };
}

/** The body of a 200 as text; anything else, an announced or streamed excess, or an encoding we did not ask for fails. */
function readBody(res: Dispatcher.ResponseData, maxBodyBytes: number): Promise<string> {
  const { statusCode, headers, body } = res;
  const refuse = (message: string, status: number | null = null): Promise<never> => {
    body.on('error', () => undefined).destroy(); // the rest unread: the connection goes (a failed kept target gives up its place anyway)
    return Promise.reject(new ScrapeFailure(message, status));
  };
  if (statusCode !== 200) return refuse(`answered HTTP ${statusCode}`, statusCode);
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return refuse(`unsupported Content-Encoding ${String(encoding)}`);
  const length = headers['content-length'];
  if (length !== undefined && Number(length) > maxBodyBytes) return refuse(`body of ${String(length)} bytes exceeds ${maxBodyBytes}`);
  // undici decodes (UTF-8) once at the end: latin1 for ASCII bodies saved 0.2 µs of 3.2 on 15 kB.
  return body.text().catch((error: Error & { code?: string }) => {
    const announced = length === undefined ? '' : ` of ${String(length)} bytes`;
    throw error.code === 'UND_ERR_SOCKET' ? new ScrapeFailure(`connection closed within the body${announced} (${error.message})`) : error;
  });
}

/** A kept connection's failure before any answer: the server had closed it. */
function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** The real cause, readable: undici's codes and the socket's errors (ECONNREFUSED, ECONNRESET, TLS). */
function failure(error: unknown, opts: ScrapeClientOptions): ScrapeFailure {
  if (error instanceof ScrapeFailure) return error;
  const { code, message } = error instanceof Error ? (error as Error & { code?: string }) : { code: undefined, message: String(error) };
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new ScrapeFailure(`timed out after ${opts.timeoutMs} ms`);
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return new ScrapeFailure(`body exceeds ${opts.maxBodyBytes} bytes`);
    case 'UND_ERR_SOCKET':
      return new ScrapeFailure(`connection closed (${message})`);
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return new ScrapeFailure('bad response: body length does not match its Content-Length');
  }
  if (error instanceof Error && error.name === 'HTTPParserError') return new ScrapeFailure(`bad HTTP response: ${message}`);
  return new ScrapeFailure(`connection failed: ${message}`);
}
