import { Counter, Gauge, type Registry } from 'prom-client';

/** What the live view counts of itself (outputs/live/live-server.ts `stats`). */
export interface LiveStats {
  clients: number;
  bytesSent: number;
}

/**
 * The live view on /metrics: clients connected and bytes sent to them, read from the live
 * server's own counts at scrape time, so a frame sent costs no call into prom-client.
 */
export function liveMetrics(registry: Registry, stats: () => LiveStats | null): void {
  const registers = [registry];
  new Gauge({
    name: 'headroom_live_clients',
    help: 'Dashboard clients connected to the live view (socket.io).',
    registers,
    collect() {
      this.set(stats()?.clients ?? 0);
    },
  });
  new Counter({
    name: 'headroom_live_bytes_sent_total',
    help: 'Bytes sent to live-view clients: engine.io packet payloads, without WebSocket or HTTP framing.',
    registers,
    collect() {
      // The live server's count only grows: setting the counter to it keeps it monotonic.
      this.reset();
      this.inc(stats()?.bytesSent ?? 0);
    },
  });
}
