import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers one request. */
export type Answer =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Reads the request, then never answers (until the receiver closes). */
  | 'hang'
  /** Reads the request, then drops the connection without an answer. */
  | 'reset';

export interface ReceivedRequest {
  headers: Record<string, string>;
  /** The raw body bytes. */
  body: Buffer;
  webhookId: string;
  /** `groupKey` parsed from the (Alertmanager-format) body. */
  groupKey: string;
  atMs: number;
}

/** A real node:http webhook receiver on loopback that records every request it reads. */
export interface TestReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Decides the answer to the n-th request (0-based); may be replaced at any time. */
  answer: (request: ReceivedRequest, n: number) => Answer;
  /** Stops listening (connections are refused from now on) and drops open ones, hung included. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

const OK: Answer = { status: 200, body: 'ok' };

export async function startReceiver(answer: TestReceiver['answer'] = () => OK): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const hung = new Set<ServerResponse>();
  let server: Server | null = null;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const request: ReceivedRequest = {
        headers,
        body,
        webhookId: headers['webhook-id'] ?? '',
        groupKey: groupKeyOf(body),
        atMs: Date.now(),
      };
      requests.push(request);
      const a = receiver.answer(request, requests.length - 1);
      if (a === 'hang') {
        hung.add(res);
        return;
      }
      if (a === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  };

  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer(handle);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });

  server = await listen(0);
  const port = (server.address() as AddressInfo).port;
  const receiver: TestReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    answer,
    async close() {
      const s = server;
      server = null;
      if (!s) return;
      hung.clear();
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
      await closed;
    },
    async reopen() {
      if (!server) server = await listen(port);
    },
  };
  return receiver;
}

function groupKeyOf(body: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'groupKey' in parsed && typeof parsed.groupKey === 'string'
      ? parsed.groupKey
      : '';
  } catch {
    return '';
  }
}
