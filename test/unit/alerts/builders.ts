import { expect } from 'vitest';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import type { AlertFigures, SiteAlertFigures } from '../../../server/src/domain/alerts/figures.js';
import { fingerprint } from '../../../server/src/domain/alerts/fingerprint.js';
import { sortedLabels, type Labels } from '../../../server/src/domain/alerts/labels.js';
import type { Receiver } from '../../../server/src/domain/alerts/receiver.js';
import { parseAlertRules, type AlertRule, type AlertRuleInput } from '../../../server/src/domain/alerts/rule.js';
import { DomainError } from '../../../server/src/domain/errors.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** 2026-06-01T00:00:00Z: a round moment, so expected timestamps read easily. */
export const T0 = Date.UTC(2026, 5, 1);

/** A quiet site: nothing sellable, no risk, plenty of power, one fresh hall, no contracts. */
export function site(over: Partial<SiteAlertFigures> = {}): SiteAlertFigures {
  return {
    site: 's1',
    sellableWatts: 0,
    sellableGpus: 0,
    sellableValueUsdPerMonth: 0,
    oversold: 0,
    shortfallGpus: 0,
    shortfallLeadSeconds: Infinity,
    riskLeadSeconds: Infinity,
    noticePeriodSeconds: 90 * 86_400,
    powerFeedWatts: 300_000_000,
    powerHeadroomWatts: 60_000_000,
    halls: [{ hall: 'h01', telemetryAgeSeconds: 5 }],
    contracts: [],
    ...over,
  };
}

export function figures(...sites: Array<Partial<SiteAlertFigures>>): AlertFigures {
  return { sites: (sites.length ? sites : [{}]).map((s) => site(s)) };
}

/** One parsed rule: sellable watts > 0, no `for`, warning; override any field. */
export function rule(over: Partial<AlertRuleInput> = {}): AlertRule {
  const [parsed] = parseAlertRules([{ name: 'Sellable', figure: 'sellable_watts', op: '>', threshold: 0, severity: 'warning', ...over }]);
  if (!parsed) throw new Error('unreachable');
  return parsed;
}

/** A receiver with Alertmanager's timers (30 s / 5 min / 4 h), grouped by alertname and site, sending resolved. */
export function receiver(over: Partial<Receiver> = {}): Receiver {
  return {
    id: 'r1',
    name: 'ops',
    matchers: [],
    groupBy: ['alertname', 'site'],
    groupWaitS: 30,
    groupIntervalS: 300,
    repeatIntervalS: 4 * 3_600,
    sendResolved: true,
    ...over,
  };
}

/** An alert state with the given labels (alertname A, site s1 by default), firing since T0. */
export function alert(labels: Labels = {}, over: Partial<AlertState> = {}): AlertState {
  const l = sortedLabels({ alertname: 'A', severity: 'warning', site: 's1', ...labels });
  return {
    fingerprint: fingerprint(l),
    labels: l,
    annotations: {},
    status: 'firing',
    activeSinceMs: T0,
    firedAtMs: T0,
    resolvedAtMs: null,
    value: 1,
    updatedAtMs: T0,
    ...over,
  };
}

/** The same alert, resolved at `atMs`. */
export function resolved(state: AlertState, atMs: number): AlertState {
  return { ...state, status: 'resolved', resolvedAtMs: atMs, updatedAtMs: atMs };
}

/** Runs `fn`, expecting a DomainError('invalid') whose message starts with `path`. */
export function expectInvalid(fn: () => unknown, path: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.code).toBe('invalid');
    expect(e.detail?.path).toBe(path);
    if (message) expect(e.message).toMatch(message);
    return;
  }
  throw new Error(`expected DomainError at ${path}`);
}
