import type { AlertState } from '../../domain/alerts/alert-state.js';
import type { AlertsState } from '../../protocol/live.js';

/** The outbox as the page shows it: what waits, since when, and what was given up on. */
export interface DeliveryStats {
  pending: number;
  /** Wall-clock creation time of the oldest pending notification, ms; null when none waits. */
  oldestCreatedAtMs: number | null;
  dead: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Pending and firing alerts, firing first and oldest first within each, and the delivery state.
 * `since` is when a firing alert fired, or when a pending one started pending. Pure: the wall
 * clock (for the oldest pending age) is an argument.
 */
export function alertsStateOf(states: readonly AlertState[], delivery: DeliveryStats, wallNowMs: number): AlertsState {
  const active = states
    .filter((s) => s.status === 'pending' || s.status === 'firing')
    .map((s) => {
      const sinceMs = s.status === 'firing' ? (s.firedAtMs ?? s.activeSinceMs) : s.activeSinceMs;
      return {
        fingerprint: s.fingerprint,
        status: s.status as 'pending' | 'firing',
        severity: s.labels.severity ?? 'none',
        alertname: s.labels.alertname ?? '',
        summary: s.annotations.summary ?? '',
        since: iso(sinceMs),
        sinceMs,
      };
    })
    .sort((a, b) => (a.status === b.status ? a.sinceMs - b.sinceMs : a.status === 'firing' ? -1 : 1))
    .map(({ sinceMs: _sinceMs, ...alert }) => alert);
  return {
    active,
    delivery: {
      pending: delivery.pending,
      dead: delivery.dead,
      oldestPendingAgeSeconds:
        delivery.oldestCreatedAtMs === null ? 0 : Math.max(0, Math.round((wallNowMs - delivery.oldestCreatedAtMs) / 1000)),
    },
  };
}

/**
 * A cheap key of what the page shows of alerts: it changes when an alert starts, changes status
 * or summary, or ends, or when the outbox's counts or oldest entry change — not as the oldest
 * entry merely ages (the page ages it itself), so an unchanged state is never re-sent.
 */
export function alertsKeyOf(states: readonly AlertState[], delivery: DeliveryStats): string {
  const parts = [String(delivery.pending), String(delivery.dead), String(delivery.oldestCreatedAtMs)];
  for (const s of states) {
    if (s.status === 'pending' || s.status === 'firing') parts.push(`${s.fingerprint}:${s.status}:${s.annotations.summary ?? ''}`);
  }
  return parts.join('|');
}
