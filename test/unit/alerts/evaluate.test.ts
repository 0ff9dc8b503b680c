import { describe, expect, it } from 'vitest';
import { notifiableStatus, type AlertState, type AlertTransition } from '../../../server/src/domain/alerts/alert-state.js';
import { alertLabels, DEFAULT_RESOLVED_RETENTION_MS, evaluateAlerts } from '../../../server/src/domain/alerts/evaluate.js';
import type { AlertFigures } from '../../../server/src/domain/alerts/figures.js';
import { fingerprint } from '../../../server/src/domain/alerts/fingerprint.js';
import type { AlertRule } from '../../../server/src/domain/alerts/rule.js';
import { figures, HOUR, MINUTE, rule, SECOND, T0 } from './builders.js';

const selling = figures({ sellableWatts: 40_000_000 });
const quiet = figures();
const unknown = figures({ sellableWatts: Number.NaN });

/** Evaluates round after round, carrying the states; returns the last states and every transition. */
function run(rules: AlertRule[], rounds: Array<[number, AlertFigures]>, start: AlertState[] = []) {
  let states = start;
  const transitions: AlertTransition[] = [];
  for (const [at, f] of rounds) {
    const r = evaluateAlerts(rules, f, states, at);
    states = r.states;
    transitions.push(...r.transitions);
  }
  return { states, transitions };
}

const moves = (ts: AlertTransition[]) => ts.map((t) => `${t.from}->${t.to}@${(t.atMs - T0) / MINUTE}m`);
/** JSON round-trip, as the states are saved to and read back from SQLite. */
const persisted = (states: AlertState[]): AlertState[] => JSON.parse(JSON.stringify(states)) as AlertState[];

describe('evaluateAlerts: the state machine', () => {
  const r = rule({ for: '10m' });

  it('keeps no state for an instance whose condition never held (inactive)', () => {
    expect(run([r], [[T0, quiet]])).toEqual({ states: [], transitions: [] });
  });

  it('goes inactive → pending when the condition starts holding, with activeSince = now and no firedAt', () => {
    const { states, transitions } = run([r], [[T0, selling]]);
    expect(moves(transitions)).toEqual(['inactive->pending@0m']);
    expect(states).toMatchObject([{ status: 'pending', activeSinceMs: T0, firedAtMs: null, resolvedAtMs: null, value: 40_000_000 }]);
  });

  it('stays pending until `for` has passed, then fires at the first round at or past it', () => {
    const { states, transitions } = run(
      [r],
      [
        [T0, selling],
        [T0 + 5 * MINUTE, selling],
        [T0 + 10 * MINUTE - 1, selling],
        [T0 + 10 * MINUTE, selling],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->pending@0m', 'pending->firing@10m']);
    expect(states).toMatchObject([{ status: 'firing', activeSinceMs: T0, firedAtMs: T0 + 10 * MINUTE }]);
  });

  it('goes pending → inactive (no state left) when the condition clears before `for`', () => {
    const { states, transitions } = run(
      [r],
      [
        [T0, selling],
        [T0 + 5 * MINUTE, quiet],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->pending@0m', 'pending->inactive@5m']);
    expect(states).toEqual([]);
  });

  it('restarts the `for` timer after a pending alert clears', () => {
    const { transitions } = run(
      [r],
      [
        [T0, selling],
        [T0 + 5 * MINUTE, quiet],
        [T0 + 6 * MINUTE, selling],
        [T0 + 12 * MINUTE, selling],
        [T0 + 16 * MINUTE, selling],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->pending@0m', 'pending->inactive@5m', 'inactive->pending@6m', 'pending->firing@16m']);
  });

  it('fires in the first round when `for` is 0, with one inactive → firing transition', () => {
    const { states, transitions } = run([rule()], [[T0, selling]]);
    expect(moves(transitions)).toEqual(['inactive->firing@0m']);
    expect(states).toMatchObject([{ status: 'firing', activeSinceMs: T0, firedAtMs: T0 }]);
  });

  it('stays firing without transitions, updating value and annotations each round', () => {
    const withSummary = rule({ annotations: { summary: '{{ value | power }}' } });
    const { states, transitions } = run(
      [withSummary],
      [
        [T0, selling],
        [T0 + MINUTE, figures({ sellableWatts: 41_000_000 })],
      ],
    );
    expect(transitions).toHaveLength(1);
    expect(states).toMatchObject([
      { status: 'firing', firedAtMs: T0, value: 41_000_000, annotations: { summary: '41 MW' }, updatedAtMs: T0 + MINUTE },
    ]);
  });

  it('goes firing → resolved when the condition clears, keeping the last active value and annotations', () => {
    const withSummary = rule({ annotations: { summary: '{{ value | power }}' } });
    const { states, transitions } = run(
      [withSummary],
      [
        [T0, selling],
        [T0 + MINUTE, quiet],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->firing@0m', 'firing->resolved@1m']);
    expect(states).toMatchObject([
      { status: 'resolved', firedAtMs: T0, resolvedAtMs: T0 + MINUTE, value: 40_000_000, annotations: { summary: '40 MW' } },
    ]);
    expect(notifiableStatus(states[0] as AlertState)).toBe('resolved');
  });

  it('starts a new episode resolved → pending, still reading as resolved (previous firedAt and resolvedAt) until it fires again', () => {
    const mid = run(
      [r],
      [
        [T0, selling],
        [T0 + 10 * MINUTE, selling],
        [T0 + 20 * MINUTE, quiet],
        [T0 + 30 * MINUTE, selling],
      ],
    );
    expect(moves(mid.transitions)).toEqual([
      'inactive->pending@0m',
      'pending->firing@10m',
      'firing->resolved@20m',
      'resolved->pending@30m',
    ]);
    const pending = mid.states[0] as AlertState;
    expect(pending).toMatchObject({
      status: 'pending',
      activeSinceMs: T0 + 30 * MINUTE,
      firedAtMs: T0 + 10 * MINUTE,
      resolvedAtMs: T0 + 20 * MINUTE,
    });
    expect(notifiableStatus(pending)).toBe('resolved');

    const end = run([r], [[T0 + 40 * MINUTE, selling]], mid.states);
    expect(moves(end.transitions)).toEqual(['pending->firing@40m']);
    expect(end.states).toMatchObject([
      { status: 'firing', activeSinceMs: T0 + 30 * MINUTE, firedAtMs: T0 + 40 * MINUTE, resolvedAtMs: null },
    ]);
  });

  it('falls back to the resolved record when a new episode clears before `for`', () => {
    const { states, transitions } = run(
      [r],
      [
        [T0, selling],
        [T0 + 10 * MINUTE, selling],
        [T0 + 20 * MINUTE, quiet],
        [T0 + 30 * MINUTE, selling],
        [T0 + 35 * MINUTE, quiet],
      ],
    );
    expect(moves(transitions).slice(-1)).toEqual(['pending->inactive@35m']);
    expect(states).toMatchObject([{ status: 'resolved', firedAtMs: T0 + 10 * MINUTE, resolvedAtMs: T0 + 20 * MINUTE }]);
  });

  it('fires straight from resolved when `for` is 0', () => {
    const { transitions } = run(
      [rule()],
      [
        [T0, selling],
        [T0 + MINUTE, quiet],
        [T0 + 2 * MINUTE, selling],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->firing@0m', 'firing->resolved@1m', 'resolved->firing@2m']);
  });
});

describe('evaluateAlerts: unknown figures (NaN) hold the state', () => {
  const r = rule({ for: '10m' });

  it('does not start an alert on an unknown figure', () => {
    expect(run([r], [[T0, unknown]]).states).toEqual([]);
  });

  it('neither fires a pending alert past `for` nor clears it while unknown; fires at the next known round', () => {
    const { states, transitions } = run(
      [r],
      [
        [T0, selling],
        [T0 + 15 * MINUTE, unknown],
      ],
    );
    expect(moves(transitions)).toEqual(['inactive->pending@0m']);
    expect(states).toMatchObject([{ status: 'pending', updatedAtMs: T0 }]);
    expect(moves(run([r], [[T0 + 16 * MINUTE, selling]], states).transitions)).toEqual(['pending->firing@16m']);
  });

  it('does not resolve a firing alert while unknown', () => {
    const { states, transitions } = run(
      [rule()],
      [
        [T0, selling],
        [T0 + MINUTE, unknown],
      ],
    );
    expect(transitions).toHaveLength(1);
    expect(states).toMatchObject([{ status: 'firing' }]);
  });

  it('still fires on a known or-condition when the main figure is unknown', () => {
    const r2 = rule({ or: [{ figure: 'oversold', op: '==', threshold: 1 }] });
    expect(run([r2], [[T0, figures({ sellableWatts: Number.NaN, oversold: 1 })]]).states).toMatchObject([
      { status: 'firing', value: null },
    ]);
  });
});

describe('evaluateAlerts: restarts', () => {
  const r = rule({ for: '30m' });

  it('fires an alert due at minute 30 at minute 30 when the process died at minute 20 (timer from activeSince)', () => {
    // Rounds at 0, 10, 20; the states are saved; the process dies; it comes back at 30.
    const before = run(
      [r],
      [
        [T0, selling],
        [T0 + 10 * MINUTE, selling],
        [T0 + 20 * MINUTE, selling],
      ],
    );
    expect(before.states).toMatchObject([{ status: 'pending', activeSinceMs: T0 }]);
    const restored = persisted(before.states);

    const early = evaluateAlerts([r], selling, restored, T0 + 30 * MINUTE - SECOND);
    expect(early.transitions).toEqual([]);
    expect(early.states).toMatchObject([{ status: 'pending' }]);

    const due = evaluateAlerts([r], selling, restored, T0 + 30 * MINUTE);
    expect(moves(due.transitions)).toEqual(['pending->firing@30m']);
    expect(due.states).toMatchObject([{ status: 'firing', activeSinceMs: T0, firedAtMs: T0 + 30 * MINUTE }]);
  });

  it('evaluated at 0, saved, evaluated again at 30 min: fires at that evaluation, not before', () => {
    const first = evaluateAlerts([r], selling, [], T0);
    expect(moves(first.transitions)).toEqual(['inactive->pending@0m']);
    const second = evaluateAlerts([r], selling, persisted(first.states), T0 + 30 * MINUTE);
    expect(moves(second.transitions)).toEqual(['pending->firing@30m']);
  });

  it('does not fire a restored firing alert afresh: no transition, firedAt kept', () => {
    const fired = run(
      [r],
      [
        [T0, selling],
        [T0 + 30 * MINUTE, selling],
      ],
    ).states;
    const after = evaluateAlerts([r], selling, persisted(fired), T0 + 2 * HOUR);
    expect(after.transitions).toEqual([]);
    expect(after.states).toMatchObject([{ status: 'firing', firedAtMs: T0 + 30 * MINUTE, activeSinceMs: T0 }]);
  });

  it('survives JSON with an infinite figure: the value is stored as null', () => {
    const stale = rule({ figure: 'telemetry_age_seconds', threshold: 60 });
    const { states } = run([stale], [[T0, figures({ halls: [{ hall: 'h03', telemetryAgeSeconds: Infinity }] })]]);
    expect(states[0]?.value).toBeNull();
    expect(persisted(states)).toEqual(states);
  });
});

describe('evaluateAlerts: instances, rules and labels', () => {
  const stale = rule({ name: 'TelemetryStale', figure: 'telemetry_age_seconds', threshold: 60, labels: { team: 'dc-ops' } });
  const halls = (a: number, b: number) =>
    figures({
      halls: [
        { hall: 'h01', telemetryAgeSeconds: a },
        { hall: 'h03', telemetryAgeSeconds: b },
      ],
    });

  it('keeps one alert per hall, each with its own state, labelled with site and hall', () => {
    const { states } = run([stale], [[T0, halls(5, 120)]]);
    expect(states).toHaveLength(1);
    expect(states[0]?.labels).toEqual({ alertname: 'TelemetryStale', hall: 'h03', severity: 'warning', site: 's1', team: 'dc-ops' });
    expect(states[0]?.fingerprint).toBe(fingerprint(states[0]?.labels ?? {}));

    const both = run([stale], [[T0 + MINUTE, halls(90, 180)]], states);
    expect(both.states.map((s) => [s.labels.hall, s.firedAtMs])).toEqual([
      ['h01', T0 + MINUTE],
      ['h03', T0],
    ]);
  });

  it('labels contract alerts with customer and contract', () => {
    const under = rule({ name: 'Under', figure: 'contract_undelivered_gpus', threshold: 0 });
    const f = figures({
      contracts: [
        { contract: '7', customer: 'Acme', contractedGpus: 256, deliveredGpus: 248 },
        { contract: '8', customer: 'Beta', contractedGpus: 256, deliveredGpus: 256 },
      ],
    });
    expect(run([under], [[T0, f]]).states.map((s) => s.labels)).toEqual([
      { alertname: 'Under', contract: '7', customer: 'Acme', severity: 'warning', site: 's1' },
    ]);
  });

  it('resolves a firing alert whose instance disappeared, and drops a pending one', () => {
    const slow = rule({ name: 'Slow', figure: 'telemetry_age_seconds', threshold: 60, for: '1h' });
    const start = run([stale, slow], [[T0, halls(5, 120)]]);
    const { states, transitions } = run(
      [stale, slow],
      [[T0 + MINUTE, figures({ halls: [{ hall: 'h01', telemetryAgeSeconds: 5 }] })]],
      start.states,
    );
    expect(transitions.map((t) => `${t.labels.alertname}:${t.from}->${t.to}`).sort()).toEqual([
      'Slow:pending->inactive',
      'TelemetryStale:firing->resolved',
    ]);
    expect(states.map((s) => s.status)).toEqual(['resolved']);
  });

  it('resolves the alerts of a rule that was disabled or removed', () => {
    const start = run([rule()], [[T0, selling]]).states;
    expect(run([rule({ enabled: false })], [[T0 + MINUTE, selling]], start).states).toMatchObject([
      { status: 'resolved', resolvedAtMs: T0 + MINUTE },
    ]);
    expect(run([], [[T0 + MINUTE, selling]], start).states).toMatchObject([{ status: 'resolved' }]);
  });

  it('treats a rule whose labels changed as a new alert: the old one resolves, the new one starts', () => {
    const start = run([rule()], [[T0, selling]]).states;
    const { transitions } = run([rule({ severity: 'critical' })], [[T0 + MINUTE, selling]], start);
    expect(transitions.map((t) => `${t.labels.severity}:${t.from}->${t.to}`).sort()).toEqual([
      'critical:inactive->firing',
      'warning:firing->resolved',
    ]);
  });

  it('evaluates each site separately', () => {
    const { states } = run([rule()], [[T0, figures({ site: 'a', sellableWatts: 1 }, { site: 'b' }, { site: 'c', sellableWatts: 2 })]]);
    expect(states.map((s) => s.labels.site)).toEqual(['a', 'c']);
  });

  it('compares with another figure of the same instance, and fires on any or-condition', () => {
    const risk = rule({
      figure: 'risk_lead_seconds',
      op: '<',
      threshold: { figure: 'notice_period_seconds' },
      or: [{ figure: 'oversold', op: '==', threshold: 1 }],
    });
    expect(run([risk], [[T0, figures({ riskLeadSeconds: 9 * 86_400 })]]).states).toHaveLength(1);
    expect(run([risk], [[T0, figures({ riskLeadSeconds: 100 * 86_400 })]]).states).toHaveLength(0);
    expect(run([risk], [[T0, figures({ oversold: 1 })]]).states).toHaveLength(1);
    expect(run([risk], [[T0, figures({ riskLeadSeconds: 9 * 86_400, noticePeriodSeconds: 7 * 86_400 })]]).states).toHaveLength(0);
  });

  it('builds labels from instance labels, severity, rule labels and alertname, sorted', () => {
    expect(Object.keys(alertLabels(rule({ labels: { team: 't' } }), { site: 's1' }))).toEqual(['alertname', 'severity', 'site', 'team']);
  });

  it('lists states by alertname, then labels', () => {
    const rules = [rule({ name: 'B' }), rule({ name: 'A' })];
    const { states } = run(rules, [[T0, figures({ site: 's2', sellableWatts: 1 }, { site: 's1', sellableWatts: 1 })]]);
    expect(states.map((s) => `${s.labels.alertname}/${s.labels.site}`)).toEqual(['A/s1', 'A/s2', 'B/s1', 'B/s2']);
  });
});

describe('evaluateAlerts: the recent list', () => {
  const resolvedAt = T0 + MINUTE;
  const start = run(
    [rule()],
    [
      [T0, selling],
      [resolvedAt, quiet],
    ],
  ).states;

  it('keeps a resolved alert for the retention (24 h by default), then drops it', () => {
    expect(evaluateAlerts([rule()], quiet, start, resolvedAt + DEFAULT_RESOLVED_RETENTION_MS).states).toHaveLength(1);
    expect(evaluateAlerts([rule()], quiet, start, resolvedAt + DEFAULT_RESOLVED_RETENTION_MS + 1).states).toHaveLength(0);
    expect(evaluateAlerts([rule()], quiet, start, resolvedAt + HOUR + 1, { resolvedRetentionMs: HOUR }).states).toHaveLength(0);
  });

  it('keeps one a receiver still has to hear is resolved, however old', () => {
    const keep = new Set([start[0]?.fingerprint ?? '']);
    expect(
      evaluateAlerts([rule()], quiet, start, resolvedAt + 30 * DEFAULT_RESOLVED_RETENTION_MS, { keepFingerprints: keep }).states,
    ).toHaveLength(1);
  });
});
