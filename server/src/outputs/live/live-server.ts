import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { AlertState } from '../../domain/alerts/alert-state.js';
import { DomainError } from '../../domain/errors.js';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { LiveAccess } from './live-access.js';
import { revocationWatch, tokenIdOf, type RevocationSource } from './live-revocation.js';
import { alertsKeyOf, alertsStateOf, type DeliveryStats } from './alerts-view.js';
import { headlineOf, layoutOf, podCellsOf, sellablePodsOf, type CapacityFigures, type ContractedFigures } from './live-figures.js';
import {
  encodeHeatmap,
  LIVE_EVENTS,
  UPDATE_MIN_INTERVAL_MS,
  type AlertsState,
  type Closing,
  type Headline,
  type PlansFigures,
  type Progress,
  type Snapshot,
  type Update,
} from '../../protocol/live.js';
import { isoDateOfMs } from '../../domain/contracts/calendar.js';

interface ServerToClientEvents {
  snapshot: (snapshot: Snapshot) => void;
  update: (update: Update) => void;
  alerts: (alerts: AlertsState) => void;
  progress: (progress: Progress) => void;
  closing: (closing: Closing) => void;
}
/** The page sends nothing: charts load over REST. */
type ClientToServerEvents = Record<string, never>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** A socket.io middleware: runs before a socket connects; `next(error)` refuses it. */
export type LiveMiddleware = (socket: LiveSocket, next: (error?: Error) => void) => void;

export interface LiveDeps {
  /** The fleet state and its latest summary (null before the first round). */
  fleet: { state: FleetState; latest(): FleetSummary | null };
  /** GET /capacity's report; null, or throws DomainError('unavailable'), while history loads. */
  capacity: () => CapacityFigures | null;
  /** Contracts in term on a day, per customer (contract-service.ts `contractedAt`). */
  contractedAt: (isoDay: string) => readonly ContractedFigures[];
  /** The demand plans' count and revision (none when absent). */
  plans?: () => PlansFigures;
  alerts: { states(): readonly AlertState[] };
  /** The webhook outbox's pending and dead-lettered counts. */
  delivery: () => DeliveryStats;
  /** Wall clock, ms: throttling and outbox ages. */
  wallNow: () => number;
  log: { error(obj: object, msg: string): void };
  /** Who may connect (origin, limits, token: live-access.ts); everyone when not given (tests of the view itself). */
  access?: LiveAccess;
  /** Closes sessions whose socket has not passed the token check by then (LIVE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Revocations made in another process (the token CLI), checked before each broadcast. */
  revocations?: RevocationSource;
}

export type LiveServer = ReturnType<typeof createLiveServer>;

/** Sockets that got their snapshot; updates and alerts go to this room only. */
const ROOM = 'live';

/**
 * The live view's socket.io server, on the HTTP server express listens on (path /socket.io).
 *
 * A socket gets a `snapshot` on connect (or after the first round, if it came before one), then
 * `update`s: at most one per UPDATE_MIN_INTERVAL_MS, only when the fleet summary moved on (or the
 * capacity report became available), each the latest state — rounds in between are folded, not
 * queued. The update is computed and its heatmap encoded once per round, and socket.io encodes a
 * broadcast once for every client. `alerts` is sent when alert or outbox state changed, and
 * `progress` while the start-up backfill runs.
 */
export function createLiveServer(httpServer: HttpServer, deps: LiveDeps) {
  const { access } = deps;
  const { state } = deps.fleet;
  const { layout, podOrder } = layoutOf(state.topology);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    path: '/socket.io',
    // The page is built by Vite and bundles socket.io-client itself.
    serveClient: false,
    // On above 1 KB: at Colossus the heatmap frame (14 bytes × 768 pods) deflates to about a fifth,
    // 69 → 14 KB a minute per screen (docs/performance.md); the headline and small sites' frames
    // stay under the threshold and go as they are. Each message deflates on its own (no context
    // takeover) in an 8 KB window: the zlib context a client keeps is ≈ 100 KB, not ≈ 300 KB.
    perMessageDeflate: {
      threshold: 1024,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 13,
      zlibDeflateOptions: { memLevel: 7 },
    },
    // A server or network that died without closing the connection is noticed within 15 s on
    // both sides (the page shows it is disconnected), at one tiny ping per client every 10 s.
    pingInterval: 10_000,
    pingTimeout: 5_000,
    // Clients send nothing but the handshake (and, with issue 8, credentials).
    maxHttpBufferSize: 64 * 1024,
    // socket.io's 45 s default let a session that never authenticates hold memory that long.
    ...(deps.connectTimeoutMs === undefined ? {} : { connectTimeout: deps.connectTimeoutMs }),
    ...(access ? { allowRequest: (req, callback) => access.allowRequest(req, callback) } : {}),
  });
  const clients = (): number => io.engine.clientsCount;
  // Counted here, so /metrics (outputs/metrics/live-metrics.ts), tests and the closing note read it.
  let bytesSent = 0;
  type EngineConnection = {
    request: IncomingMessage;
    on(event: 'packetCreate', listener: (packet: { data?: unknown }) => void): void;
    once(event: 'close', listener: () => void): void;
    close(): void;
  };
  io.engine.on('connection', (conn: EngineConnection) => {
    conn.on('packetCreate', (packet) => {
      bytesSent += packetBytes(packet.data);
    });
    access?.track(conn);
  });

  let closed = false;
  io.use((_socket, next) => (closed ? next(new Error('server shutting down')) : next()));
  if (access) io.use(access.middleware);

  /** Ends a socket's connection, saying why first: the page's reconnect then meets the handshake check. */
  function drop(socket: LiveSocket, reason: string): void {
    socket.emit(LIVE_EVENTS.closing, { reason });
    socket.disconnect(true);
  }

  /** Drops the connections a token opened (it was revoked through the API). */
  function disconnectToken(tokenId: string): void {
    for (const socket of io.of('/').sockets.values()) if (tokenIdOf(socket.data) === tokenId) drop(socket, 'token revoked');
  }

  const revocations = deps.revocations && revocationWatch(deps.revocations);
  /** Before each broadcast: drops sockets whose token was revoked elsewhere (the token CLI). */
  function dropRevoked(): void {
    for (const socket of revocations?.revokedAmong(io.of('/').sockets.values()) ?? []) drop(socket, 'token revoked');
  }

  /** Sockets that connected before the first round: they get their snapshot after it. */
  const awaiting = new Set<LiveSocket>();
  let progress: Progress | null = null;
  let lastProgressPercent = -1;
  let lastRoundKey: string | null = null;
  let lastUpdateAtMs = Number.NEGATIVE_INFINITY;
  let lastAlertsKey: string | null = null;
  let timer: NodeJS.Timeout | null = null;

  function readCapacity(): CapacityFigures | null {
    try {
      return deps.capacity();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'unavailable') return null;
      throw error;
    }
  }

  /** The headline and heatmap frame at the summary's moment. */
  function framesAt(summary: FleetSummary): { headline: Headline; heatmap: ArrayBuffer } {
    const capacity = readCapacity();
    const headline = headlineOf(state, summary, capacity, deps.contractedAt(isoDateOfMs(summary.atMs)), deps.plans?.());
    const heatmap = encodeHeatmap(summary.atMs, podCellsOf(state, summary, podOrder, sellablePodsOf(capacity)));
    return { headline, heatmap };
  }

  function alertsNow(): AlertsState {
    return alertsStateOf(deps.alerts.states(), deps.delivery(), deps.wallNow());
  }

  function sendSnapshot(socket: LiveSocket, summary: FleetSummary): void {
    socket.emit(LIVE_EVENTS.snapshot, { ...framesAt(summary), layout, alerts: alertsNow(), progress });
    void socket.join(ROOM);
  }

  io.on('connection', (socket) => {
    socket.on('disconnect', () => {
      awaiting.delete(socket);
      // The page has one socket a connection: a connection left without it would hold memory
      // outside both the pending bound and the connection limits.
      socket.conn.close();
    });
    try {
      const summary = deps.fleet.latest();
      if (summary) sendSnapshot(socket, summary);
      else awaiting.add(socket);
    } catch (error) {
      // Retried after the next round rather than disconnecting: a client told to disconnect by
      // the server does not reconnect by itself.
      deps.log.error({ err: error }, 'live snapshot failed');
      awaiting.add(socket);
    }
  });

  /** Sends what changed since the last update to the room; called at most once per interval. */
  function flush(): void {
    const summary = deps.fleet.latest();
    if (closed || !summary) return;
    dropRevoked();
    // Nobody watching: nothing to compute. A client that connects gets a snapshot of its own.
    if ((io.sockets.adapter.rooms.get(ROOM)?.size ?? 0) > 0) {
      const frames = framesAt(summary);
      const key = `${summary.atMs}:${frames.headline.capacity !== null}`;
      if (key !== lastRoundKey) {
        lastRoundKey = key;
        lastUpdateAtMs = deps.wallNow();
        io.to(ROOM).emit(LIVE_EVENTS.update, frames);
      }
    }
    // After the update, so those joining now get this state once, in their snapshot.
    for (const socket of [...awaiting]) {
      sendSnapshot(socket, summary);
      awaiting.delete(socket);
    }
  }

  function safely(work: () => void, what: string): void {
    try {
      work();
    } catch (error) {
      // Called from the collection loop and the delivery worker: a failure here must not stop them.
      deps.log.error({ err: error }, what);
    }
  }

  return {
    disconnectToken,
    /** After each collection round: an `update` now, or at the end of the interval if one went out within it. */
    notifyRound(): void {
      if (closed || timer) return; // a scheduled flush will read the newest state
      const waitMs = lastUpdateAtMs + UPDATE_MIN_INTERVAL_MS - deps.wallNow();
      if (waitMs <= 0) {
        safely(flush, 'live update failed');
        return;
      }
      timer = setTimeout(() => {
        timer = null;
        safely(flush, 'live update failed');
      }, waitMs);
    },

    /** After alert evaluations and delivery events: `alerts` when what the page shows changed. */
    notifyAlerts(): void {
      if (closed) return;
      safely(() => {
        // Nobody watching: skip the outbox queries; the next client gets the state in its snapshot.
        if (io.engine.clientsCount === 0) {
          lastAlertsKey = null;
          return;
        }
        dropRevoked();
        const states = deps.alerts.states();
        const delivery = deps.delivery();
        const key = alertsKeyOf(states, delivery);
        if (key === lastAlertsKey) return;
        lastAlertsKey = key;
        io.to(ROOM).emit(LIVE_EVENTS.alerts, alertsStateOf(states, delivery, deps.wallNow()));
      }, 'live alerts failed');
    },

    /**
     * Backfill progress: sent on each whole percent and at the end; `null` says it finished (sent
     * as done = total). Snapshots carry the progress while it runs.
     */
    notifyProgress(next: Progress | null): void {
      if (closed) return;
      const current = next ?? (progress ? { ...progress, done: progress.total } : null);
      if (!current) return;
      const finished = current.done >= current.total;
      const percent = Math.floor((current.done / Math.max(1, current.total)) * 100);
      progress = finished ? null : current;
      if (percent === lastProgressPercent && !finished) return;
      lastProgressPercent = finished ? -1 : percent;
      safely(dropRevoked, 'live revocation check failed');
      // To every socket, those still waiting for their first snapshot too.
      io.emit(LIVE_EVENTS.progress, current);
    },

    /**
     * Closes every client's connection (clients see a transport close and reconnect by themselves)
     * and refuses new ones. Not io.close(): that would also close the HTTP server, which its owner
     * drains and closes itself — and which would wait forever for these connections otherwise.
     */
    close(): void {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      awaiting.clear();
      io.engine.close();
    },

    /** Clients connected and bytes sent so far (the same figures as the metrics). */
    stats: () => ({ clients: clients(), bytesSent }),
  };
}

/** Bytes of an engine.io packet's payload: text as UTF-8 plus its type character, binary as is. */
function packetBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data) + 1;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 1; // ping, pong, close: the type character alone
}
