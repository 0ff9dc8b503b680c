import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The live view on /metrics: clients connected and bytes sent to them. Counted here too, so
 * tests and the closing note read them without a registry.
 */
export function liveMetrics(registry: Registry | undefined, clients: () => number) {
  let bytesSent = 0;
  const registers = registry ? [registry] : [];
  if (registry) {
    new Gauge({
      name: 'headroom_live_clients',
      help: 'Dashboard clients connected to the live view (socket.io).',
      registers,
      collect() {
        this.set(clients());
      },
    });
  }
  const bytes = registry
    ? new Counter({
        name: 'headroom_live_bytes_sent_total',
        help: 'Bytes sent to live-view clients: engine.io packet payloads, without WebSocket or HTTP framing.',
        registers,
      })
    : null;
  return {
    sent(n: number): void {
      bytesSent += n;
      bytes?.inc(n);
    },
    stats: () => ({ clients: clients(), bytesSent }),
  };
}
