import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import { alertsKeyOf, alertsStateOf, type DeliveryStats } from '../../../server/src/outputs/live/alerts-view.js';

const T0 = Date.UTC(2026, 5, 1);
const MINUTE = 60_000;

function alert(fingerprint: string, over: Partial<AlertState> = {}): AlertState {
  return {
    fingerprint,
    labels: { alertname: `Rule ${fingerprint}`, severity: 'warning', site: 's1' },
    annotations: { summary: `summary of ${fingerprint}` },
    status: 'firing',
    activeSinceMs: T0,
    firedAtMs: T0 + MINUTE,
    resolvedAtMs: null,
    value: 1,
    updatedAtMs: T0 + 10 * MINUTE,
    ...over,
  };
}

const QUIET: DeliveryStats = { pending: 0, oldestCreatedAtMs: null, dead: 0 };

describe('alertsStateOf', () => {
  it('lists pending and firing alerts, firing first, oldest first, and leaves resolved ones out', () => {
    const states = [
      alert('a', { status: 'pending', activeSinceMs: T0 + 5 * MINUTE, firedAtMs: null }),
      alert('b', { firedAtMs: T0 + 3 * MINUTE, labels: { alertname: 'Oversold', severity: 'critical' } }),
      alert('c', { status: 'resolved', resolvedAtMs: T0 + 4 * MINUTE }),
      alert('d', { firedAtMs: T0 + 2 * MINUTE }),
    ];
    const view = alertsStateOf(states, QUIET, T0);
    expect(view.active.map((a) => a.fingerprint)).toEqual(['d', 'b', 'a']);
    expect(view.active[1]).toEqual({
      fingerprint: 'b',
      status: 'firing',
      severity: 'critical',
      alertname: 'Oversold',
      summary: 'summary of b',
      since: '2026-06-01T00:03:00.000Z',
    });
    // A pending alert is pending since its episode began (not an earlier episode's firing).
    expect(view.active[2]?.since).toBe('2026-06-01T00:05:00.000Z');
  });

  it('reports the outbox: pending, dead, and the oldest pending age in whole seconds', () => {
    const view = alertsStateOf([], { pending: 3, oldestCreatedAtMs: T0 - 90_400, dead: 2 }, T0);
    expect(view).toEqual({ active: [], delivery: { pending: 3, dead: 2, oldestPendingAgeSeconds: 90 } });
    expect(alertsStateOf([], QUIET, T0).delivery.oldestPendingAgeSeconds).toBe(0);
  });
});

describe('alertsKeyOf', () => {
  it('changes when an alert changes status or summary, or the outbox counts change — not as time passes', () => {
    const states = [alert('a', { status: 'pending' })];
    const key = alertsKeyOf(states, QUIET);
    expect(alertsKeyOf([alert('a', { status: 'pending', updatedAtMs: T0 + 99 * MINUTE })], QUIET)).toBe(key);
    expect(alertsKeyOf([alert('a')], QUIET)).not.toBe(key);
    expect(alertsKeyOf([alert('a', { status: 'pending', annotations: { summary: 'now 5 MW' } })], QUIET)).not.toBe(key);
    expect(alertsKeyOf([alert('a', { status: 'resolved' })], QUIET)).not.toBe(key);
    expect(alertsKeyOf(states, { ...QUIET, dead: 1 })).not.toBe(key);
    expect(alertsKeyOf(states, { ...QUIET, pending: 1, oldestCreatedAtMs: T0 })).not.toBe(key);
  });
});
