import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import {
  fingerprintsAwaitingResolve,
  planNotifications,
  type NotifyGroup,
  type PlannedNotification,
} from '../../../server/src/domain/alerts/plan.js';
import type { Receiver } from '../../../server/src/domain/alerts/receiver.js';
import { alert, DAY, HOUR, MINUTE, receiver, resolved, SECOND, T0 } from './builders.js';

const OPTIONS = { externalUrl: 'http://headroom.test' };

/**
 * Drives the planner through rounds, carrying (and JSON round-tripping, as SQLite does) the
 * group state. Each round gives the alert states at that moment.
 */
function rounds(receivers: Receiver[], steps: Array<[number, AlertState[]]>, start: NotifyGroup[] = []) {
  let groups = start;
  const sent: PlannedNotification[] = [];
  for (const [at, states] of steps) {
    const plan = planNotifications(receivers, states, groups, at, OPTIONS);
    groups = JSON.parse(JSON.stringify(plan.groups)) as NotifyGroup[];
    sent.push(...plan.notifications);
  }
  return { sent, groups };
}

/** A notification in short: when (minutes after T0), status, and each alert as `hall:status`. */
const brief = (n: PlannedNotification) =>
  `${(n.createdAtMs - T0) / MINUTE}m ${n.status} ${n.message.alerts.map((a) => `${a.labels.hall ?? '-'}:${a.status}`).join(',')}`;

/** Every `stepMs` from `fromMs` to `toMs` inclusive, with the states `at(t)` gives. */
function every(stepMs: number, fromMs: number, toMs: number, at: (t: number) => AlertState[]): Array<[number, AlertState[]]> {
  const out: Array<[number, AlertState[]]> = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push([t, at(t)]);
  return out;
}

const a = alert({ hall: 'h1' });
const b = alert({ hall: 'h2' }, { firedAtMs: T0 + MINUTE, activeSinceMs: T0 + MINUTE });
const r = receiver();

describe('group wait', () => {
  it("sends a new group's first notification group_wait (30 s) after it appears, not before", () => {
    const { sent, groups } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 29 * SECOND, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing']);
    expect(sent[0]).toMatchObject({
      receiverId: 'r1',
      groupKey: '{}/{}:{alertname="A", site="s1"}',
      seq: 1,
      createdAtMs: T0 + 30 * SECOND,
    });
    expect(groups).toMatchObject([
      {
        hasFlushed: true,
        lastFlushAtMs: T0 + 30 * SECOND,
        nextFlushAtMs: T0 + 30 * SECOND + 5 * MINUTE,
        notified: { firing: [a.fingerprint] },
      },
    ]);
  });

  it('gathers the alerts that fire during the wait into that first notification', () => {
    const a2 = alert({ hall: 'h2' }, { firedAtMs: T0 + 10 * SECOND });
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 10 * SECOND, [a, a2]],
        [T0 + 30 * SECOND, [a, a2]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing,h2:firing']);
  });

  it('flushes at once a new group whose alert fired longer ago than the wait (e.g. a receiver added later)', () => {
    const old = alert({ hall: 'h1' }, { firedAtMs: T0 - HOUR, activeSinceMs: T0 - HOUR });
    expect(rounds([r], [[T0, [old]]]).sent.map(brief)).toEqual(['0m firing h1:firing']);
  });

  it('with group_wait 0, sends in the round the alert fires', () => {
    expect(rounds([receiver({ groupWaitS: 0 })], [[T0, [a]]]).sent.map(brief)).toEqual(['0m firing h1:firing']);
  });

  it('keeps separate groups (by alertname and site) on separate timers and sequences', () => {
    const other = alert({ hall: 'h1', site: 's2' }, { firedAtMs: T0 + 20 * SECOND });
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 20 * SECOND, [a, other]],
        [T0 + 30 * SECOND, [a, other]],
        [T0 + 50 * SECOND, [a, other]],
      ],
    );
    expect(sent.map((n) => [n.groupKey, n.seq, (n.createdAtMs - T0) / SECOND])).toEqual([
      ['{}/{}:{alertname="A", site="s1"}', 1, 30],
      ['{}/{}:{alertname="A", site="s2"}', 1, 50],
    ]);
  });
});

describe('group interval', () => {
  it('holds a new alert in a notified group until the next group_interval tick, then sends the whole group', () => {
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + MINUTE, [a, b]],
        [T0 + 5 * MINUTE + 29 * SECOND, [a, b]],
        [T0 + 5 * MINUTE + 30 * SECOND, [a, b]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '5.5m firing h1:firing,h2:firing']);
    expect(sent.map((n) => n.seq)).toEqual([1, 2]);
  });

  it('flushes at the first round at or after the tick when rounds do not land on it', () => {
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 45 * SECOND, [a]],
        [T0 + MINUTE, [a, b]],
        [T0 + 6 * MINUTE, [a, b]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.75m firing h1:firing', '6m firing h1:firing,h2:firing']);
  });

  it('sends nothing twice when called again at the same moment', () => {
    const fromStart = planNotifications([r], [a], [], T0, OPTIONS);
    const once = planNotifications([r], [a], fromStart.groups, T0 + 30 * SECOND, OPTIONS);
    expect(once.notifications).toHaveLength(1);
    expect(planNotifications([r], [a], once.groups, T0 + 30 * SECOND, OPTIONS).notifications).toEqual([]);
  });
});

describe('repeat interval', () => {
  it('re-sends an unchanged firing group at the first tick strictly more than 4 h after the last notification', () => {
    // Ticks at 30 s + k × 5 min; 4 h is a multiple of 5 min, so the tick at 4 h 0 min 30 s is
    // not strictly past it and the repeat goes out at 4 h 5 min 30 s, as in Alertmanager.
    const { sent } = rounds(
      [r],
      every(5 * MINUTE, T0 + 30 * SECOND, T0 + 30 * SECOND + 8 * HOUR + 10 * MINUTE, () => [a]),
      rounds([r], [[T0, [a]]]).groups,
    );
    expect(sent.map((n) => (n.createdAtMs - T0 - 30 * SECOND) / MINUTE)).toEqual([0, 245, 490]);
    expect(sent.map((n) => n.seq)).toEqual([1, 2, 3]);
  });

  it('restarts the repeat clock on any notification', () => {
    const { sent } = rounds(
      [receiver({ repeatIntervalS: 20 * 60 })],
      every(5 * MINUTE, T0, T0 + 60 * MINUTE, (t) => (t >= T0 + 12 * MINUTE ? [a, b] : [a])),
    );
    // Group wait ends at 0.5 m (not a round): first at 5 m; b joins → 15 m; repeats 20 min later, strictly: at 40 m? 15 + 20 = 35 is not strictly past; 40 m.
    expect(sent.map((n) => (n.createdAtMs - T0) / MINUTE)).toEqual([5, 15, 40]);
  });
});

describe('resolved notifications', () => {
  it('sends "resolved" at the next tick when the group\'s only alert resolves (send_resolved), then empties the group', () => {
    const { sent, groups } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + 2 * MINUTE, [resolved(a, T0 + 2 * MINUTE)]],
        [T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE)]],
        [T0 + 10 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE)]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '5.5m resolved h1:resolved']);
    expect(sent[1]?.message.alerts[0]).toMatchObject({ endsAt: '2026-06-01T00:02:00Z', startsAt: '2026-06-01T00:00:00Z' });
    expect(groups).toMatchObject([{ activeSinceMs: null, notified: null, seq: 2 }]);
  });

  it('sends nothing when it resolves without send_resolved, and clears the log so a new firing is sent', () => {
    const quiet = receiver({ sendResolved: false });
    const gone = resolved(a, T0 + 2 * MINUTE);
    const again = alert({ hall: 'h1' }, { firedAtMs: T0 + 20 * MINUTE, activeSinceMs: T0 + 20 * MINUTE });
    const { sent } = rounds(
      [quiet],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + 2 * MINUTE, [gone]],
        [T0 + 5 * MINUTE + 30 * SECOND, [gone]],
        [T0 + 20 * MINUTE, [again]],
        [T0 + 20 * MINUTE + 30 * SECOND, [again]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '20.5m firing h1:firing']);
  });

  it("sends one alert's resolve alongside the still-firing ones (send_resolved)", () => {
    const { sent } = rounds(
      [r],
      [
        [T0, [a, b]],
        [T0 + 30 * SECOND, [a, b]],
        [T0 + 2 * MINUTE, [resolved(a, T0 + 2 * MINUTE), b]],
        [T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE), b]],
        [T0 + 10 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE), b]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing,h2:firing', '5.5m firing h1:resolved,h2:firing']);
  });

  it('without send_resolved, a partial resolve sends nothing, and the next repeat carries only what still fires', () => {
    const quiet = receiver({ sendResolved: false, repeatIntervalS: 600 });
    const { sent } = rounds(
      [quiet],
      [
        [T0, [a, b]],
        [T0 + 30 * SECOND, [a, b]],
        [T0 + 2 * MINUTE, [resolved(a, T0 + 2 * MINUTE), b]],
        [T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE), b]],
        [T0 + 10 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE), b]],
        [T0 + 15 * MINUTE + 30 * SECOND, [resolved(a, T0 + 2 * MINUTE), b]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing,h2:firing', '15.5m firing h2:firing']);
  });

  it('never sends a resolve for an alert that fired and resolved within the group wait', () => {
    const blip = resolved(a, T0 + 10 * SECOND);
    const { sent, groups } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 10 * SECOND, [blip]],
        [T0 + 30 * SECOND, [blip]],
        [T0 + 10 * MINUTE, [blip]],
      ],
    );
    expect(sent).toEqual([]);
    expect(groups).toMatchObject([{ activeSinceMs: null, seq: 0 }]);
  });

  it('never sends a resolve for an alert the receiver did not hear fire, nor re-sends the group for it (deviation from Alertmanager)', () => {
    // a notified at 0.5 m; b fires at 1 m and resolves at 2 m, before the 5.5 m tick; c fires at 7 m.
    const bGone = resolved(b, T0 + 2 * MINUTE);
    const c = alert({ hall: 'h3' }, { firedAtMs: T0 + 7 * MINUTE });
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + MINUTE, [a, b]],
        [T0 + 2 * MINUTE, [a, bGone]],
        [T0 + 5 * MINUTE + 30 * SECOND, [a, bGone]],
        [T0 + 7 * MINUTE, [a, bGone, c]],
        [T0 + 10 * MINUTE + 30 * SECOND, [a, bGone, c]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '10.5m firing h1:firing,h3:firing']);
  });

  it('treats an alert pending again after a resolve as resolved (it has not fired again)', () => {
    const again = { ...resolved(a, T0 + 2 * MINUTE), status: 'pending' as const, activeSinceMs: T0 + 3 * MINUTE };
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + 3 * MINUTE, [again]],
        [T0 + 5 * MINUTE + 30 * SECOND, [again]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '5.5m resolved h1:resolved']);
  });

  it('re-opens an emptied group with a fresh group wait, continuing its sequence', () => {
    const gone = resolved(a, T0 + 2 * MINUTE);
    const again = alert({ hall: 'h1' }, { firedAtMs: T0 + 20 * MINUTE, activeSinceMs: T0 + 20 * MINUTE });
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
        [T0 + 2 * MINUTE, [gone]],
        [T0 + 5 * MINUTE + 30 * SECOND, [gone]],
        [T0 + 20 * MINUTE, [again]],
        [T0 + 20 * MINUTE + 29 * SECOND, [again]],
        [T0 + 20 * MINUTE + 30 * SECOND, [again]],
      ],
    );
    expect(sent.map(brief)).toEqual(['0.5m firing h1:firing', '5.5m resolved h1:resolved', '20.5m firing h1:firing']);
    expect(sent.map((n) => n.seq)).toEqual([1, 2, 3]);
    expect(new Set(sent.map((n) => n.id)).size).toBe(3);
  });
});

describe('fingerprintsAwaitingResolve', () => {
  it('lists alerts a receiver heard fire until it hears they resolved', () => {
    const fired = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    );
    expect(fingerprintsAwaitingResolve(fired.groups)).toEqual(new Set([a.fingerprint]));
    const told = rounds([r], [[T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + MINUTE)]]], fired.groups);
    expect(fingerprintsAwaitingResolve(told.groups)).toEqual(new Set());
  });
});

describe('receivers', () => {
  it('route by matchers, with the matchers in the group key', () => {
    const critical = receiver({ id: 'crit', matchers: [{ name: 'severity', type: '=', value: 'critical' }], groupWaitS: 0 });
    const warn = alert({ hall: 'h1' });
    const crit = alert({ hall: 'h2', severity: 'critical' });
    const { sent } = rounds([critical, receiver({ id: 'all', groupWaitS: 0 })], [[T0, [warn, crit]]]);
    expect(sent.map((n) => [n.receiverId, n.groupKey, n.message.alerts.map((x) => x.labels.hall)])).toEqual([
      ['all', '{}/{}:{alertname="A", site="s1"}', ['h1', 'h2']],
      ['crit', '{}/{severity="critical"}:{alertname="A", site="s1"}', ['h2']],
    ]);
  });

  it('group by ["..."] gives one group per alert', () => {
    const { sent } = rounds([receiver({ groupBy: ['...'], groupWaitS: 0 })], [[T0, [a, b]]]);
    expect(sent.map((n) => n.message.alerts.length)).toEqual([1, 1]);
  });

  it('drops the groups of a receiver that was deleted, and dormant groups after 7 days', () => {
    const live = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    );
    expect(planNotifications([], [a], live.groups, T0 + MINUTE, OPTIONS).groups).toEqual([]);
    const dormant = rounds([r], [[T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + MINUTE)]]], live.groups).groups;
    expect(planNotifications([r], [], dormant, T0 + 5 * MINUTE + 30 * SECOND + 7 * DAY, OPTIONS).groups).toHaveLength(1);
    expect(planNotifications([r], [], dormant, T0 + 5 * MINUTE + 30 * SECOND + 7 * DAY + 1, OPTIONS).groups).toEqual([]);
  });
});

describe('notification ids and bodies', () => {
  it('gives each notification a stable id from receiver, group key, group epoch and seq', () => {
    const { sent } = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    );
    expect(sent[0]?.id).toMatch(new RegExp(`^msg_[0-9a-f]{16}_${T0.toString(36)}_1$`));
    const again = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    );
    expect(again.sent[0]?.id).toBe(sent[0]?.id);
    expect(
      rounds(
        [receiver({ id: 'r2' })],
        [
          [T0, [a]],
          [T0 + 30 * SECOND, [a]],
        ],
      ).sent[0]?.id,
    ).not.toBe(sent[0]?.id);
  });

  it('carries the exact body: the message encoded as Alertmanager writes it', () => {
    const n = rounds(
      [r],
      [
        [T0, [a]],
        [T0 + 30 * SECOND, [a]],
      ],
    ).sent[0];
    expect(n?.body.endsWith('}\n')).toBe(true);
    expect(JSON.parse(n?.body ?? '')).toEqual(n?.message);
    expect(n?.message).toMatchObject({
      version: '4',
      receiver: 'ops',
      status: 'firing',
      externalURL: 'http://headroom.test',
      truncatedAlerts: 0,
    });
  });

  it('plans the same with or without the group state going through JSON between rounds (a restart)', () => {
    const steps: Array<[number, AlertState[]]> = [
      [T0, [a]],
      [T0 + 30 * SECOND, [a]],
      [T0 + MINUTE, [a, b]],
      [T0 + 3 * MINUTE, [resolved(a, T0 + 3 * MINUTE), b]],
      [T0 + 5 * MINUTE + 30 * SECOND, [resolved(a, T0 + 3 * MINUTE), b]],
    ];
    let groups: NotifyGroup[] = [];
    const inMemory: PlannedNotification[] = [];
    for (const [at, states] of steps) {
      const plan = planNotifications([r], states, groups, at, OPTIONS);
      groups = plan.groups;
      inMemory.push(...plan.notifications);
    }
    expect(rounds([r], steps).sent).toEqual(inMemory);
  });
});
