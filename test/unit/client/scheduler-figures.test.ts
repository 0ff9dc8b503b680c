import { describe, expect, it } from 'vitest';
import {
  calendarBars,
  calendarDays,
  queueAgainstSellable,
  queueClass,
  sellablePodsOf,
  toldByShare,
  type TenantsView,
} from '../../../client/src/scheduler-figures.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const reservation = (name: string, fromDays: number, toDays: number) => ({
  name,
  start: iso(NOW + fromDays * DAY),
  end: iso(NOW + toDays * DAY),
});

/** Tenants with the given customers and nothing else. */
const tenants = (...customers: string[]): TenantsView => ({
  source: 'file',
  classes: { internal: { busy: 0, held: 0 }, unattributed: { busy: 0, held: 0 } },
  teams: [],
  customers: customers.map((customer) => ({ customer })),
  crossChecks: { heldThresholdSeconds: 7200 },
});

describe('the queue against the sellable pods', () => {
  const sellable = sellablePodsOf([
    { pods: ['a', 'b', 'c'], gpus: 768 },
    { pods: Array.from({ length: 18 }, (_, i) => `p${i}`), gpus: 4608 },
  ]);

  it('counts whole sellable pods and their GPUs over every block', () => {
    expect(sellable).toEqual({ pods: 21, gpus: 5376 });
  });

  it('says how many of the sellable pods the internal queue would take, rounding up to whole pods', () => {
    expect(queueAgainstSellable(2048, sellable)).toEqual({
      podsTaken: 8,
      beyondGpus: 0,
      sentence: '2,048 GPUs queued by internal teams would take 8 of the 21 sellable pods.',
    });
    expect(queueAgainstSellable(2049, sellable).podsTaken).toBe(9);
  });

  it('says what would not fit when the queue outgrows every sellable pod', () => {
    expect(queueAgainstSellable(6000, sellable)).toEqual({
      podsTaken: 21,
      beyondGpus: 624,
      sentence: '6,000 GPUs queued by internal teams would take all 21 sellable pods and 624 GPUs more.',
    });
  });

  it('says so when nothing is queued or nothing is sellable', () => {
    expect(queueAgainstSellable(0, sellable).sentence).toBe('No internal work queued: the sellable pods are not called on.');
    expect(queueAgainstSellable(112, { pods: 0, gpus: 0 }).sentence).toBe(
      "112 GPUs queued by internal teams, and no sellable pods: the queue waits for the owner's own capacity.",
    );
  });

  it('tells a customer’s account by the customer’s name or its usual account spelling; the rest is internal', () => {
    expect(queueClass('aurora-labs', tenants('Aurora Labs'))).toBe('customer');
    expect(queueClass('Aurora Labs', tenants('Aurora Labs'))).toBe('customer');
    expect(queueClass('pretrain', tenants('Aurora Labs'))).toBe('internal');
    expect(queueClass('aurora-labs', null)).toBe('internal');
  });
});

describe('the reservation calendar', () => {
  it('keeps the reservations overlapping the next 14 days, earliest first, clipped to the window', () => {
    const bars = calendarBars(
      [reservation('later', 7, 8), reservation('past', -3, -1), reservation('running', -1, 30), reservation('beyond', 15, 16)],
      NOW,
    );
    expect(bars.map((b) => b.reservation.name)).toEqual(['running', 'later']);
    expect(bars[0]).toMatchObject({ leftPct: 0, widthPct: 100, startsBefore: true, endsAfter: true });
    expect(bars[1]).toMatchObject({ leftPct: 50, startsBefore: false, endsAfter: false });
    expect(bars[1]!.widthPct).toBeCloseTo(100 / 14, 9);
  });

  it('draws an hour-long reservation at least half a percent wide, so it can be seen and focused', () => {
    const [bar] = calendarBars([{ name: 'short', start: iso(NOW + DAY), end: iso(NOW + DAY + 3_600_000) }], NOW);
    expect(bar!.widthPct).toBe(0.5);
  });

  it('puts a day line at each UTC midnight in the window', () => {
    const days = calendarDays(NOW);
    expect(days).toHaveLength(14);
    expect(days[0]).toEqual({ pct: (18 / (14 * 24)) * 100, day: '2026-12-02' });
  });
});

describe('the told-by share', () => {
  it('is the scheduler’s part of the GPUs told, null when none was', () => {
    expect(toldByShare({ scheduler: 256, telemetry: 128 })).toBeCloseTo(2 / 3, 12);
    expect(toldByShare({ scheduler: 0, telemetry: 0 })).toBeNull();
  });
});
