import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ResponseReader, ScrapeFailure, STALE } from './scrape-response.js';

export { ScrapeFailure };

/**
 * A kept-alive HTTP/1.1 GET client for scraping exporters: one connection per target, kept
 * across rounds, at most `maxConnections` open in all.
 *
 * Why our own and not a library: at Colossus scale undici cost 23–50 µs more CPU per request
 * than this client and missed the 5-s round; see docs/adr/0001-own-scrape-client.md.
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
