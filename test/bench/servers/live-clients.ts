/**
 * Benchmark 7's dashboard clients: N socket.io-client connections (WebSocket, as the page runs
 * after its upgrade) to one Headroom, in a process of their own so their CPU is not the
 * server's. Prints one JSON line per received frame ({ event, client, atMs, receivedAtMs,
 * bytes, heatmapBytes }) and `{"connected":N}` once every client has its snapshot.
 *
 *   node --import tsx test/bench/servers/live-clients.ts '{"url":"http://127.0.0.1:8080","clients":100}'
 */
import { io, type Socket } from 'socket.io-client';
import { ADMIN_TOKEN } from '../../integration/helpers/auth.js';

const { url, clients } = JSON.parse(process.argv[2] ?? '{}') as { url: string; clients: number };

/** Bytes of a payload as sent: JSON text of its non-binary part plus its binary attachments. */
function payloadBytes(payload: unknown): { bytes: number; binary: number } {
  let binary = 0;
  const json = JSON.stringify(payload, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      binary += value.byteLength;
      return { _placeholder: true, num: 0 };
    }
    // Node's socket.io-client hands binary over as a Buffer, which JSON would see as { type, data }.
    if (
      value &&
      typeof value === 'object' &&
      (value as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((value as { data?: unknown }).data)
    ) {
      binary += (value as { data: unknown[] }).data.length;
      return { _placeholder: true, num: 0 };
    }
    return value;
  });
  return { bytes: Buffer.byteLength(json) + binary, binary };
}

const sockets: Socket[] = [];
let snapshots = 0;
for (let c = 0; c < clients; c++) {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: ADMIN_TOKEN } });
  sockets.push(socket);
  for (const event of ['snapshot', 'update'] as const) {
    socket.on(event, (payload: { headline?: { atMs?: number }; heatmap?: unknown }) => {
      const receivedAtMs = performance.timeOrigin + performance.now();
      const { bytes, binary } = payloadBytes(payload);
      console.log(JSON.stringify({ event, client: c, atMs: payload.headline?.atMs ?? null, receivedAtMs, bytes, heatmapBytes: binary }));
      if (event === 'snapshot' && ++snapshots === clients) console.log(JSON.stringify({ connected: clients }));
    });
  }
  socket.on('connect_error', (error) => console.error(`client ${c}: ${error.message}`));
}
const stop = (): void => {
  for (const s of sockets) s.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
