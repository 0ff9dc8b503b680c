import { Counter, type Registry } from 'prom-client';

/** Alertmanager forwarding on /metrics, fed by the forwarder's results (`onForwardResult`). */
export function alertmanagerMetrics(registry: Registry) {
  const forwards = new Counter({
    name: 'headroom_alertmanager_forwards_total',
    help: 'Rounds of alerts posted to an Alertmanager, by outcome (sent, failed, skipped while the last was still running).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    forwarded(result: { outcome: 'sent' | 'failed' | 'skipped' }): void {
      forwards.inc({ outcome: result.outcome });
    },
  };
}
