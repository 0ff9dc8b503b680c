import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryEvent } from '../../services/alerts/ports.js';

export interface DeliveryMetricsSource {
  /** From the outbox: what is still to be delivered, read at scrape time. */
  pendingStats(): { pending: number; oldestCreatedAtMs: number | null };
  /** Wall clock, the same as the outbox's `createdAtMs`. */
  nowMs(): number;
}

// Loopback receivers answer in a millisecond, remote ones in tens to hundreds; a slow one
// takes seconds (up to the delivery timeout).
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Webhook delivery on /metrics, fed by the delivery worker's events. The `receiver` label is the
 * receiver id: bounded by the receivers configured.
 */
export function deliveryMetrics(registry: Registry, source: DeliveryMetricsSource) {
  const registers = [registry];
  const labelNames = ['receiver'] as const;
  const sent = new Counter({
    name: 'headroom_webhook_notifications_sent_total',
    help: 'Notifications delivered (answered 2xx).',
    labelNames,
    registers,
  });
  const failures = new Counter({
    name: 'headroom_webhook_delivery_failures_total',
    help: 'Delivery attempts that failed (refused, timed out, non-2xx, or the receiver was deleted).',
    labelNames,
    registers,
  });
  const retried = new Counter({
    name: 'headroom_webhook_notifications_retried_total',
    help: 'Retries scheduled after a failed attempt.',
    labelNames,
    registers,
  });
  const dead = new Counter({
    name: 'headroom_webhook_notifications_dead_lettered_total',
    help: 'Notifications given up on and moved to the dead-letter list.',
    labelNames,
    registers,
  });
  const duration = new Histogram({
    name: 'headroom_webhook_delivery_duration_seconds',
    help: 'Time of successful delivery attempts, request to the end of the response, seconds.',
    labelNames,
    buckets: DELIVERY_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'headroom_webhook_queue_depth',
    help: 'Notifications waiting in the outbox (pending, including those being retried).',
    registers,
    collect() {
      this.set(source.pendingStats().pending);
    },
  });
  new Gauge({
    name: 'headroom_webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest pending notification, seconds (0 when none is pending).',
    registers,
    collect() {
      const { oldestCreatedAtMs } = source.pendingStats();
      this.set(oldestCreatedAtMs === null ? 0 : Math.max(0, source.nowMs() - oldestCreatedAtMs) / 1000);
    },
  });

  const seen = new Set<string>();
  return {
    onEvent(e: DeliveryEvent): void {
      const labels = { receiver: e.receiverId };
      // A receiver's series all start at 0 with its first event, so rate() and ratios see them.
      if (!seen.has(e.receiverId)) {
        seen.add(e.receiverId);
        for (const counter of [sent, failures, retried, dead]) counter.inc(labels, 0);
      }
      switch (e.kind) {
        case 'sent':
          sent.inc(labels);
          duration.observe(labels, e.ms / 1000);
          break;
        case 'retry':
          failures.inc(labels);
          retried.inc(labels);
          break;
        case 'dead':
          failures.inc(labels);
          dead.inc(labels);
          break;
      }
    },
  };
}

export type DeliveryMetrics = ReturnType<typeof deliveryMetrics>;
