import { io, type Socket } from 'socket.io-client';
import {
  LIVE_EVENTS,
  decodeHeatmap,
  type AlertsState,
  type Closing,
  type PodCell,
  type Progress,
  type Snapshot,
  type Update,
} from '@protocol/live';

/** What the page is told: decoded frames, connection state and when figures last arrived. */
export interface LiveHandlers {
  snapshot(snapshot: Snapshot, pods: PodCell[]): void;
  update(update: Update, pods: PodCell[]): void;
  alerts(alerts: AlertsState): void;
  progress(progress: Progress | null): void;
  connection(state: ConnectionState): void;
}

export interface ConnectionState {
  /** `unauthorized`: the server refused the handshake's token (or its absence); no retry until a sign-in. */
  status: 'connecting' | 'live' | 'disconnected' | 'unauthorized';
  /** Reconnection attempts since the link was lost. */
  attempt: number;
  reason: string | null;
}

/** How the server words a refused handshake: `unauthorized: <reason>`. */
const UNAUTHORIZED = /^unauthorized:\s*/;

/**
 * The socket.io link (same origin). socket.io reconnects by itself with backoff; the one case it does
 * not is a disconnect the server asked for ("io server disconnect", e.g. a server shutting down
 * cleanly), so that one is retried here. Every connect brings a fresh snapshot from the server.
 * The token goes in the handshake, read at each attempt (a reconnect after a sign-in sends the new one);
 * a refused handshake is final until then: socket.io does not retry a middleware's refusal, and
 * the page says why instead of "reconnecting".
 */
export function connectLive(handlers: LiveHandlers, token: () => string | null): { socket: Socket; close(): void } {
  const socket = io({
    reconnectionDelay: 500,
    reconnectionDelayMax: 3_000,
    timeout: 5_000,
    auth: (send) => {
      const t = token();
      send(t ? { token: t } : {});
    },
  });
  let state: ConnectionState = { status: 'connecting', attempt: 0, reason: null };
  const set = (next: Partial<ConnectionState>): void => {
    state = { ...state, ...next };
    handlers.connection(state);
  };

  /** Retries of handshakes the server refused for another reason than the token (socket.io does not retry those). */
  let refusedRetries = 0;
  let closed = false;
  socket.on('connect', () => {
    refusedRetries = 0;
    set({ status: 'live', attempt: 0, reason: null });
  });
  /** What the server said just before it ended the connection (e.g. "token revoked"). */
  let closingReason: string | null = null;
  socket.on(LIVE_EVENTS.closing, (closing: Closing) => (closingReason = closing.reason));
  socket.on('disconnect', (reason) => {
    set({ status: 'disconnected', reason: closingReason ?? reason });
    closingReason = null;
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
  });
  // Also when the very first connection fails: the page must not sit on "connecting" unexplained.
  socket.on('connect_error', (error) => {
    if (UNAUTHORIZED.test(error.message)) {
      set({ status: 'unauthorized', attempt: 0, reason: error.message.replace(UNAUTHORIZED, '') });
      return;
    }
    set({ status: 'disconnected', reason: error.message });
    // Not active: the server's middleware refused the handshake (e.g. "server shutting down" while it
    // drains after SIGTERM, its successor not up yet). socket.io leaves that to the page: retry with
    // the same backoff as its own reconnection.
    if (!socket.active) {
      refusedRetries += 1;
      set({ attempt: state.attempt + 1 });
      setTimeout(() => closed || socket.connect(), Math.min(500 * 2 ** (refusedRetries - 1), 3_000));
    }
  });
  socket.io.on('reconnect_attempt', (attempt) => set({ status: 'disconnected', attempt }));

  socket.on(LIVE_EVENTS.snapshot, (snapshot: Snapshot) => {
    handlers.snapshot(snapshot, decode(snapshot.heatmap));
    handlers.alerts(snapshot.alerts);
    handlers.progress(snapshot.progress);
  });
  socket.on(LIVE_EVENTS.update, (update: Update) => handlers.update(update, decode(update.heatmap)));
  socket.on(LIVE_EVENTS.alerts, (alerts: AlertsState) => handlers.alerts(alerts));
  socket.on(LIVE_EVENTS.progress, (progress: Progress | null) => handlers.progress(progress));

  return {
    socket,
    close: () => {
      closed = true;
      socket.close();
    },
  };
}

/** socket.io hands binary over as an ArrayBuffer, or a view of one: decode from exactly its bytes. */
function decode(frame: unknown): PodCell[] {
  if (frame instanceof ArrayBuffer) return decodeHeatmap(frame).pods;
  if (ArrayBuffer.isView(frame)) {
    const bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    return decodeHeatmap(bytes.slice().buffer).pods;
  }
  return [];
}
