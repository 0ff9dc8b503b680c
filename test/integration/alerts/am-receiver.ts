import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  /** The body byte for byte, as text. */
  raw: string;
  body: unknown;
}

export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves with the first request (already received or yet to come) matching `match`. */
  waitFor(match: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * A plain node:http server on loopback that records every POST and answers 200, or whatever
 * `respond` does (to play a failing or hanging Alertmanager).
 */
export async function startTestReceiver(respond?: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', raw, body: raw ? (JSON.parse(raw) as unknown) : null });
      if (respond) respond(req, res);
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async waitFor(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching request in ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => r.path))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
