import { describe, expect, it } from 'vitest';
import { pendingSessions } from '../../../server/src/outputs/live/pending-sessions.js';

/** A stand-in connection that records whether it was closed. */
const conn = (name: string) => ({
  name,
  closed: false,
  close() {
    this.closed = true;
  },
});

describe('pendingSessions', () => {
  it('closes the oldest session of an address at its bound, not another address', () => {
    const pending = pendingSessions({ maxPending: 10, maxPendingPerAddress: 2 });
    const [a1, a2, a3, b1] = [conn('a1'), conn('a2'), conn('a3'), conn('b1')];
    pending.add(b1, 'b');
    pending.add(a1, 'a');
    pending.add(a2, 'a');
    pending.add(a3, 'a');
    expect([a1.closed, a2.closed, a3.closed, b1.closed]).toEqual([true, false, false, false]);
    expect(pending.size()).toBe(3);
  });

  it('closes the oldest session of all at the total bound, so a newcomer always gets in', () => {
    const pending = pendingSessions({ maxPending: 3, maxPendingPerAddress: 3 });
    const flood = [conn('f1'), conn('f2'), conn('f3')];
    flood.forEach((c, i) => pending.add(c, `10.0.0.${i}`));
    const admin = conn('admin');
    pending.add(admin, '10.9.9.9');
    expect(flood.map((c) => c.closed)).toEqual([true, false, false]);
    expect(admin.closed).toBe(false);
    expect(pending.size()).toBe(3);
  });

  it('stops counting a session once forgotten (authenticated or closed)', () => {
    const pending = pendingSessions({ maxPending: 1, maxPendingPerAddress: 1 });
    const first = conn('first');
    pending.add(first, 'a');
    pending.forget(first);
    pending.add(conn('second'), 'a');
    expect(first.closed).toBe(false);
    expect(pending.size()).toBe(1);
  });
});
