import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { createCollectionClock } from '../../../server/src/pipeline/collector/collection-clock.js';

describe('SIM_START: where a new simulated site’s clock starts', () => {
  it('reads an instant with its zone as unix ms, and is null when unset', () => {
    expect(loadConfig({ SIM_START: '2026-12-07T12:00:00Z' }).sim.startMs).toBe(Date.UTC(2026, 11, 7, 12));
    expect(loadConfig({ SIM_START: '2026-12-07T13:30:00+01:30' }).sim.startMs).toBe(Date.UTC(2026, 11, 7, 12));
    expect(loadConfig({}).sim.startMs).toBeNull();
  });

  it('refuses a moment without a zone or off the calendar, naming the variable', () => {
    expect(() => loadConfig({ SIM_START: '2026-12-07T12:00:00' })).toThrow(/SIM_START/);
    expect(() => loadConfig({ SIM_START: '2026-02-30T00:00:00Z' })).toThrow(/SIM_START/);
    expect(() => loadConfig({ SIM_START: 'yesterday' })).toThrow(/SIM_START/);
  });
});

describe('the collection clock', () => {
  const wall = (startMs: number) => {
    let now = startMs;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('starts at SIM_START and runs at SIM_SPEED from there, whatever the wall clock says', () => {
    const w = wall(Date.UTC(2030, 0, 1));
    const clock = createCollectionClock({ speed: 60, startMs: Date.UTC(2026, 11, 1), resumeFromMs: null, wallNow: w.now });
    expect(clock.now()).toBe(Date.UTC(2026, 11, 1));
    w.advance(1_000);
    expect(clock.now()).toBe(Date.UTC(2026, 11, 1) + 60_000);
  });

  it('resumes where a previous run left it when that is later, so time never runs backwards', () => {
    const w = wall(0);
    const resumed = createCollectionClock({ speed: 1, startMs: 1_000, resumeFromMs: 5_000, wallNow: w.now });
    expect(resumed.now()).toBe(5_000);
    const pinned = createCollectionClock({ speed: 1, startMs: 9_000, resumeFromMs: 5_000, wallNow: w.now });
    expect(pinned.now()).toBe(9_000);
    const wallStart = createCollectionClock({ speed: 1, startMs: null, resumeFromMs: null, wallNow: () => 7_000 });
    expect(wallStart.now()).toBe(7_000);
  });
});
