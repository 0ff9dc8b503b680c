import { once } from 'node:events';
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * Closing an HTTP server without resetting a request a client already sent.
 *
 * `http.Server.close()` alone is not that: it destroys every keep-alive connection that is idle
 * at that instant, and "idle" includes a connection whose next request is still unread in the
 * socket buffer (that client sees ECONNRESET for a request it sent before the signal); and it
 * keeps serving connections that are busy, with keep-alive answers, so a client that sends its
 * next request as soon as it has the last answer keeps the server open for as long as it likes.
 */
export function createConnectionDrain(server: Server) {
  const open = new Set<ServerResponse>();
  let draining = false;
  const closeAfterAnswer = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  // Before the app's listener, so the header is set before a synchronous handler answers.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) return closeAfterAnswer(res);
    open.add(res);
    res.once('close', () => open.delete(res));
  });

  return {
    /**
     * Every answer from now on (including those to requests in progress) closes its connection.
     * For `graceMs` (or until no connection is left) the server still accepts and answers (the
     * app's /readyz says 503 meanwhile): a request sent just before the call, on a new connection
     * or an idle one, is answered rather than reset. Then it stops accepting, closes the
     * connections that brought no request, and resolves once every connection is gone.
     */
    async close(graceMs: number): Promise<void> {
      draining = true;
      for (const res of open) closeAfterAnswer(res);
      const closed = once(server, 'close');
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (await connectionCount(server)) > 0) await sleep(Math.min(50, deadline - Date.now()));
      // Before each step, a poll phase: connections waiting in the backlog are accepted (closing
      // the listener would reset them), requests waiting in socket buffers are read.
      await nextPoll();
      // net.Server's close only stops accepting; http.Server's would also drop idle connections now.
      NetServer.prototype.close.call(server);
      await nextPoll();
      // http.Server.close() on a server no longer listening: closes the idle connections and stops
      // the request-timeout checks; its callback only reports that the listener is already closed.
      server.close(() => undefined);
      await closed;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Resolves after at least one poll phase (I/O) has run: an immediate queued from an immediate waits for the next loop turn. */
async function nextPoll(): Promise<void> {
  await immediate();
  await immediate();
}

function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
