import { isAscii } from 'node:buffer';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A kept-alive HTTP/1.1 GET client for scraping exporters: one connection per target, kept
 * across rounds, at most `maxConnections` open in all.
 *
 * Why our own and not a library: measured side by side (2026-11-27, this 2-core machine,
 * shared; test/bench/probes/scrape-clients.manual.ts: 1,000 dcgm endpoints of 15 kB, 256 at
 * once, every client kept alive; each figure the median of 3 processes of 5 rounds), µs of CPU
 * per request, two runs (12:59 and 13:36 UTC; the second with this version of the client):
 *
 *                                                              run 1   run 2
 *   global fetch (what we had; reconnects every 10-s round)      665       —
 *   node:http, keepAlive Agent                                   197       —
 *   undici.request through an Agent (keepAliveTimeout 60 s)      145     142
 *   undici Client per target, client.request                     139     116
 *   minimal raw client (Content-Length only, no limits)           78      79
 *   this client (chunked, limits, deadline, cap, reconnect)       89      93
 *
 * undici's request API is the best library here, yet 23–50 µs a request dearer than this
 * client: at Colossus scale (24,576 targets a 10-s round) 0.6–1.2 s of CPU a round, 6–12 % of a
 * core against benchmark 3's whole budget of 25 %. What a scrape needs from HTTP is small: GET,
 * the status, a Content-Length or chunked body, a size limit, a deadline; no redirects, no
 * compression (we send no Accept-Encoding), no pipelining. Anything else fails the scrape.
 *
 * Tried and reverted (14:00–14:20 UTC the same day): this module rebuilt on one undici Client
 * per kept target (request(), reset: true for per-scrape connections, maxResponseSize, undici's
 * timeouts), measured beside this client in one session: probe 124 vs 89 µs a request;
 * benchmark 2 0.39× vs 0.22× Prometheus's CPU per sample (both pass); benchmark 3 (a Colossus
 * round, 24,576 targets) p99 7.76 s MISS vs 4.46 s PASS (goal ≤ 5 s) and 79 % vs 32 % of a core
 * — and its timeouts bound each phase, not the whole scrape, so a slow-dripping target could
 * hold a round. The benchmark says ours is needed; git history (bdf292f…73d1fbb) keeps the try.
 *
 * Connections: the first targets to complete a scrape keep theirs (up to `maxConnections` less a
 * reserve for the rest), the others connect per scrape and close after it, so with more targets
 * than the cap the same kept set is reused every round (an LRU would evict exactly the socket
 * the cyclic round needs next). A target whose kept socket the server closed connects again.
 */

export interface ScrapeClientOptions {
  /** Whole-request deadline: connect, send, head and body. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Open connections at most, kept and per-scrape together. */
  maxConnections: number;
  /** Scrapes run at once (the round's concurrency): the part of the cap left for per-scrape connections. */
  concurrency: number;
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
  /** Open connections now, and how many of them are kept between scrapes. */
  connections(): { open: number; kept: number };
}

interface Target {
  secure: boolean;
  host: string;
  port: number;
  servername: string | undefined;
  request: Buffer;
  /** The same request asking the server to close after it (for a connection that is not kept). */
  requestClose: Buffer;
  /** The kept, idle connection (null while none or while in use). */
  idle: Conn | null;
  kept: boolean;
}

/** One connection and the request on it, if any. Its socket listeners are set once, at connect. */
interface Conn {
  socket: Socket;
  target: Target;
  reader: ResponseReader | null;
  resolve: ((text: string) => void) | null;
  reject: ((error: Error) => void) | null;
  timer: NodeJS.Timeout | null;
  /** Requests already answered on this connection (a failure before any byte of the next one means the server closed it). */
  served: number;
  /** Asked the server to close (Connection: close): after the answer, wait for its close. */
  closing: boolean;
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

export function createScrapeClient(opts: ScrapeClientOptions): ScrapeClient {
  // Kept connections at most: the cap less a reserve for the per-scrape ones of a round's
  // concurrency, so targets beyond the kept set rarely wait for a slot.
  const keepLimit = Math.max(1, opts.maxConnections - Math.min(opts.concurrency, Math.floor(opts.maxConnections / 2)));
  let open = 0;
  let kept = 0;
  /** Targets with a kept idle connection, oldest first: one is evicted only when the cap leaves no other way. */
  const idleTargets = new Set<Target>();
  const waiters: Array<() => void> = [];
  const conns = new Set<Conn>();

  function makeTarget(url: string): Target {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ScrapeFailure(`unsupported scheme ${u.protocol}`);
    const secure = u.protocol === 'https:';
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const head = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: Headroom\r\nAccept: ${opts.accept}\r\n`;
    return {
      secure,
      host,
      port: Number(u.port || (secure ? 443 : 80)),
      servername: secure && !/^[\d.]+$|:/.test(host) ? host : undefined,
      request: Buffer.from(`${head}\r\n`, 'latin1'),
      requestClose: Buffer.from(`${head}Connection: close\r\n\r\n`, 'latin1'),
      idle: null,
      kept: false,
    };
  }

  /** Takes a connection slot: at once under the cap, else once one frees. */
  function acquire(): Promise<void> | null {
    if (open < opts.maxConnections) {
      open++;
      return null;
    }
    const granted = new Promise<void>((resolve) => waiters.push(resolve));
    rebalance();
    return granted;
  }

  /**
   * Connections in use or closing will free slots (or park); when the waiters outnumber them,
   * only kept idle ones stand in the way: evict the oldest. (Happens only when the reserve is
   * smaller than the concurrency, or with a cap of one or two.)
   */
  function rebalance(): void {
    while (waiters.length > open - idleTargets.size && idleTargets.size > 0) {
      const oldest = idleTargets.values().next().value!;
      const c = oldest.idle!;
      forget(oldest);
      c.socket.destroy(); // its close hands the slot to a waiter
    }
  }

  function forget(t: Target): void {
    idleTargets.delete(t);
    t.idle = null;
    if (t.kept) kept--;
    t.kept = false;
  }

  function connect(t: Target): Conn {
    const socket = t.secure
      ? tlsConnect({ host: t.host, port: t.port, servername: t.servername, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host: t.host, port: t.port });
    socket.setNoDelay(true);
    const c: Conn = { socket, target: t, reader: null, resolve: null, reject: null, timer: null, served: 0, closing: false };
    conns.add(c);
    socket.on('data', (chunk: Buffer) => {
      const reader = c.reader;
      if (reader === null) {
        if (!c.closing) socket.destroy(); // bytes nobody asked for: the connection is out of step
        return;
      }
      let complete: boolean;
      try {
        complete = reader.push(chunk);
      } catch (error) {
        settle(c, error as Error, '');
        return;
      }
      if (complete) settle(c, null, reader.text());
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (c.reader === null) return; // idle or closing: its close follows
      if (c.served > 0 && c.reader.received === 0 && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) settle(c, STALE, '');
      else settle(c, new ScrapeFailure(`connection failed: ${error.message}`), '');
    });
    socket.on('end', () => {
      const reader = c.reader;
      if (reader === null) return;
      if (c.served > 0 && reader.received === 0) settle(c, STALE, '');
      else if (reader.endAtClose()) settle(c, null, reader.text());
      else settle(c, new ScrapeFailure(`connection closed ${reader.describeProgress()}`), '');
    });
    socket.once('close', () => {
      conns.delete(c);
      if (t.idle === c) forget(t); // the server closed a kept connection: the next scrape connects again
      if (c.reader !== null) settle(c, new ScrapeFailure(`connection closed ${c.reader.describeProgress()}`), '');
      if (c.timer !== null) clearTimeout(c.timer);
      release();
    });
    return c;
  }

  /** A closed connection's slot passes to the first waiter, or frees. */
  function release(): void {
    const next = waiters.shift();
    if (next) next();
    else open--;
  }

  /** Ends the request on c: parks, lingers for the server's close, or destroys the connection. */
  function settle(c: Conn, error: Error | null, text: string): void {
    const { resolve, reject, reader } = c;
    if (reader === null) return;
    c.reader = null;
    c.resolve = null;
    c.reject = null;
    clearTimeout(c.timer!);
    c.timer = null;
    const t = c.target;
    // (t.idle is set only if the same URL was read twice at once and the other parked first.)
    if (error === null && reader.reusable && !c.closing && t.idle === null && (t.kept || kept < keepLimit)) {
      c.served++;
      if (!t.kept) kept++;
      t.kept = true;
      t.idle = c;
      idleTargets.add(t);
      c.socket.unref();
      if (waiters.length > 0) rebalance();
    } else {
      if (t.idle !== c && t.kept && c.served > 0) forget(t);
      if (error === null && (c.closing || !reader.reusable) && !c.socket.readableEnded) {
        // Let the server close first (it was asked to, or said it would): the TIME_WAIT then
        // stays on its side, not on this host's ephemeral ports, where ≈ 10,000 per-scrape
        // connections a round (Colossus past a 15,000 cap) would pile up ≈ 60,000 of them.
        c.socket.unref();
        c.timer = setTimeout(() => c.socket.destroy(), opts.timeoutMs);
        c.timer.unref();
      } else {
        c.socket.destroy();
      }
    }
    if (error) reject!(error);
    else resolve!(text);
  }

  function exchange(c: Conn): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      c.reader = new ResponseReader(opts.maxBodyBytes);
      c.resolve = resolve;
      c.reject = reject;
      c.timer = setTimeout(() => settle(c, new ScrapeFailure(`timed out after ${opts.timeoutMs} ms`), ''), opts.timeoutMs);
      c.socket.write(c.closing ? c.target.requestClose : c.target.request);
    });
  }

  async function get(t: Target): Promise<string> {
    const reused = t.idle;
    if (reused) {
      idleTargets.delete(t);
      t.idle = null;
      if (!reused.socket.destroyed && reused.socket.writable && !reused.socket.readableEnded) {
        reused.socket.ref();
        try {
          return await exchange(reused);
        } catch (error) {
          // The server closed the kept connection as we sent: once more on a new one (a GET may be repeated).
          if (error !== STALE) throw error;
        }
      } else {
        forget(t);
      }
    }
    const wait = acquire();
    if (wait) await wait;
    const c = connect(t);
    c.closing = !t.kept && kept >= keepLimit;
    return exchange(c);
  }

  function target(url: string): { get(): Promise<string> } {
    const t = makeTarget(url);
    return { get: () => get(t) };
  }

  return {
    target,
    close() {
      for (const t of [...idleTargets]) forget(t);
      for (const c of conns) c.socket.destroy();
    },
    connections: () => ({ open, kept }),
  };
}

/** A kept connection the server had closed: the request is sent again on a new one. */
const STALE = new Error('stale connection');

/** Incremental HTTP/1.1 response parser for one GET: head, then a Content-Length, chunked or read-to-close body. */
class ResponseReader {
  received = 0;
  /** False when the connection cannot carry another request (Connection: close, HTTP/1.0, body to close, bytes past the end). */
  reusable = true;
  private head: Buffer | null = null;
  private headDone = false;
  private mode: 'length' | 'chunked' | 'close' = 'length';
  private remaining = 0;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private contentLength = -1;
  // chunked state
  private chunkLeft = 0;
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line: Buffer | null = null;

  constructor(private readonly maxBodyBytes: number) {}

  /** Feeds bytes; true once the response is complete. Throws a ScrapeFailure on a bad or refused response. */
  push(chunk: Buffer): boolean {
    this.received += chunk.length;
    let data = chunk;
    if (!this.headDone) {
      const buf: Buffer = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) throw new ScrapeFailure(`response head over ${MAX_HEAD_BYTES} bytes`);
        this.head = buf;
        return false;
      }
      this.parseHead(buf.toString('latin1', 0, end));
      this.headDone = true;
      this.head = null;
      data = buf.subarray(end + 4);
    }
    if (this.mode === 'length') return this.pushLength(data);
    if (this.mode === 'chunked') return this.pushChunked(data);
    this.addBody(data);
    return false;
  }

  /** The body as UTF-8 (exporter text is ASCII in practice: then one-byte latin1 decoding, the cheapest, gives the same string). */
  text(): string {
    const body = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body, this.bodyBytes);
    return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
  }

  /** At the server's close: complete only for a read-to-close body. */
  endAtClose(): boolean {
    return this.headDone && this.mode === 'close';
  }

  describeProgress(): string {
    if (!this.headDone) return this.received === 0 ? 'before any response' : 'within the response head';
    if (this.mode === 'length') return `after ${this.bodyBytes} of ${this.contentLength} body bytes`;
    return `after ${this.bodyBytes} body bytes of a chunked body`;
  }

  private parseHead(head: string): void {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!status) throw new ScrapeFailure(`not an HTTP/1.x response: ${JSON.stringify(lines[0]!.slice(0, 60))}`);
    const code = Number(status[2]);
    if (code !== 200) throw new ScrapeFailure(`answered HTTP ${code}`, code);
    let keepAlive = status[1] === '1';
    let chunked = false;
    let length = -1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && Number(value) !== length)) throw new ScrapeFailure(`bad Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        if (value.toLowerCase() !== 'chunked') throw new ScrapeFailure(`unsupported Transfer-Encoding ${value}`);
        chunked = true;
      } else if (name === 'content-encoding' && value.toLowerCase() !== 'identity') {
        throw new ScrapeFailure(`unsupported Content-Encoding ${value}`);
      } else if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    this.reusable = keepAlive;
    if (chunked) {
      this.mode = 'chunked';
    } else if (length >= 0) {
      if (length > this.maxBodyBytes) throw new ScrapeFailure(`body of ${length} bytes exceeds ${this.maxBodyBytes}`);
      this.mode = 'length';
      this.contentLength = length;
      this.remaining = length;
    } else {
      this.mode = 'close';
      this.reusable = false;
    }
  }

  private addBody(data: Buffer): void {
    if (data.length === 0) return;
    this.bodyBytes += data.length;
    if (this.bodyBytes > this.maxBodyBytes) throw new ScrapeFailure(`body exceeds ${this.maxBodyBytes} bytes`);
    this.body.push(data);
  }

  private pushLength(data: Buffer): boolean {
    if (data.length > this.remaining) {
      this.reusable = false; // bytes past the response: the connection is out of step
      data = data.subarray(0, this.remaining);
    }
    this.addBody(data);
    this.remaining -= data.length;
    return this.remaining === 0;
  }

  private pushChunked(data: Buffer): boolean {
    let at = 0;
    while (at < data.length) {
      if (this.chunkState === 'data') {
        const n = Math.min(this.chunkLeft, data.length - at);
        this.addBody(data.subarray(at, at + n));
        at += n;
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.chunkState = 'data-crlf';
        continue;
      }
      // size, data-crlf and trailer states read whole lines
      const nl = data.indexOf(10, at);
      const piece = data.subarray(at, nl < 0 ? data.length : nl + 1);
      this.line = this.line ? Buffer.concat([this.line, piece]) : piece;
      at += piece.length;
      if (this.line.length > 4096) throw new ScrapeFailure('bad chunked encoding: line too long');
      if (nl < 0) break;
      const line = this.line.toString('latin1').replace(/\r?\n$/, '');
      this.line = null;
      if (this.chunkState === 'data-crlf') {
        if (line !== '') throw new ScrapeFailure('bad chunked encoding: no CRLF after chunk data');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,8})\s*(;.*)?$/.exec(line);
        if (!size) throw new ScrapeFailure(`bad chunked encoding: chunk size ${JSON.stringify(line.slice(0, 20))}`);
        this.chunkLeft = parseInt(size[1]!, 16);
        if (this.bodyBytes + this.chunkLeft > this.maxBodyBytes) throw new ScrapeFailure(`body exceeds ${this.maxBodyBytes} bytes`);
        this.chunkState = this.chunkLeft === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        if (at < data.length) this.reusable = false;
        return true; // end of trailers: the response is complete
      }
    }
    return false;
  }
}
