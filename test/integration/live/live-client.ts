import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { ADMIN_TOKEN } from '../helpers/auth.js';
import {
  decodeHeatmap,
  LIVE_EVENTS,
  type AlertsState,
  type PodCell,
  type Progress,
  type Snapshot,
  type Update,
} from '../../../server/src/protocol/live.js';

/** What arrived, in order, with its arrival time (performance.now()). */
export type Received =
  | { event: 'snapshot'; at: number; payload: Snapshot }
  | { event: 'update'; at: number; payload: Update }
  | { event: 'alerts'; at: number; payload: AlertsState }
  | { event: 'progress'; at: number; payload: Progress };

type EventName = Received['event'];
type PayloadOf<E extends EventName> = Extract<Received, { event: E }>['payload'];

/**
 * A real socket.io-client on loopback that records every live event. Reconnects fast (100–300 ms)
 * so restart tests do not wait out the browser-friendly defaults. Signs in with the admin token
 * unless `options.auth` says otherwise.
 */
export function liveClient(url: string, options: Partial<ManagerOptions & SocketOptions> = {}) {
  const socket: Socket = io(url, {
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    forceNew: true,
    auth: { token: ADMIN_TOKEN },
    ...options,
  });
  const received: Received[] = [];
  for (const event of Object.values(LIVE_EVENTS)) {
    socket.on(event, (payload: unknown) => {
      received.push({ event, at: performance.now(), payload } as Received);
    });
  }

  /** The first `event` from index `from` on that satisfies `accept`; rejects after `timeoutMs`. */
  async function next<E extends EventName>(
    event: E,
    options: { from?: number; timeoutMs?: number; accept?: (p: PayloadOf<E>) => boolean } = {},
  ) {
    const { from = received.length, timeoutMs = 5_000, accept = () => true } = options;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = received
        .slice(from)
        .find((r): r is Extract<Received, { event: E }> => r.event === event && accept(r.payload as PayloadOf<E>));
      if (found) return found;
      if (performance.now() > deadline)
        throw new Error(
          `no ${event} within ${timeoutMs} ms (got ${
            received
              .slice(from)
              .map((r) => r.event)
              .join(', ') || 'nothing'
          })`,
        );
      await sleep(10);
    }
  }

  return { socket, received, next, close: () => socket.close() };
}

export type LiveClient = ReturnType<typeof liveClient>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** In Node socket.io-client hands binary over as a Buffer (a browser gets an ArrayBuffer). */
export function heatmapOf(data: unknown): { atMs: number; pods: PodCell[] } {
  if (data instanceof ArrayBuffer) return decodeHeatmap(data);
  if (ArrayBuffer.isView(data)) return decodeHeatmap(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer);
  throw new Error(`heatmap is not binary: ${typeof data}`);
}
