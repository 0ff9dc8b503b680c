import { describe, expect, it } from 'vitest';
import { computeCapacity, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import { checkDemandPlan, plannedDemandDuring, withDemandPlans, type DemandPlan } from '../../../server/src/domain/capacity/demand-plan.js';
import type { DemandForecast, ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import { emptyCounts } from '../../../server/src/domain/fleet/gpu-state.js';
import { DomainError } from '../../../server/src/domain/errors.js';

const HOUR = 3_600;
const DAY = 86_400;
const NOW = 1_800_000_000;

/** Hourly points from NOW, median and high given per point. */
function forecastOf(rows: ReadonlyArray<readonly [number, number]>, over: Partial<DemandForecast> = {}): DemandForecast {
  const points: ForecastPoint[] = rows.map(([median, high], i) => [NOW + i * HOUR, median, high]);
  return { stepSeconds: HOUR, notes: [], points, ...over } as unknown as DemandForecast; // withDemandPlans reads points, stepSeconds, notes
}

const flat = (hours: number, median: number, high: number): DemandForecast =>
  forecastOf(Array.from({ length: hours }, () => [median, high] as const));

describe('plannedDemandDuring', () => {
  const plans: DemandPlan[] = [
    { gpus: 500, startS: 10 * HOUR, endS: 20 * HOUR },
    { gpus: 300, startS: 15 * HOUR, endS: null },
  ];

  it('is the largest plan in force at some instant of the span (plans state the whole, they do not add)', () => {
    expect(plannedDemandDuring(plans, 0, 10 * HOUR)).toBe(0); // ends where the first begins
    expect(plannedDemandDuring(plans, 10 * HOUR, 11 * HOUR)).toBe(500);
    expect(plannedDemandDuring(plans, 16 * HOUR, 17 * HOUR)).toBe(500); // both in force: 500, not 800
    expect(plannedDemandDuring(plans, 20 * HOUR, 21 * HOUR)).toBe(300); // the end is exclusive
    expect(plannedDemandDuring(plans, 1_000 * HOUR, 1_001 * HOUR)).toBe(300); // open-ended
  });

  it('counts a plan starting or ending inside the span for the whole of it (a point holds its step’s peak)', () => {
    expect(plannedDemandDuring(plans, 9.5 * HOUR, 10.5 * HOUR)).toBe(500);
    expect(plannedDemandDuring(plans, 19.5 * HOUR, 20.5 * HOUR)).toBe(500);
    expect(plannedDemandDuring([], 0, HOUR)).toBe(0);
  });
});

describe('withDemandPlans', () => {
  it('returns the same forecast when there is no plan, or none reaches above it', () => {
    const f = flat(48, 100, 120);
    expect(withDemandPlans(f, [])).toBe(f);
    expect(withDemandPlans(f, [{ gpus: 90, startS: NOW, endS: null }])).toBe(f);
  });

  it('raises the median and the high quantile to the plan over its steps only, and says so in the notes', () => {
    // 6 hourly points, median 100 / high 120; a plan of 110 GPUs from 02:00 to 04:00 (exclusive).
    const f = flat(6, 100, 120);
    const planned = withDemandPlans(f, [{ gpus: 110, startS: NOW + 2 * HOUR, endS: NOW + 4 * HOUR }]);
    expect(planned.points.map(([, m, h]) => [m, h])).toEqual([
      [100, 120],
      [100, 120],
      [110, 120],
      [110, 120],
      [100, 120],
      [100, 120],
    ]);
    expect(planned.notes).toEqual(['planned internal demand raises the forecast over 2 h of the horizon']);
    // The input is not changed.
    expect(f.points[2]).toEqual([NOW + 2 * HOUR, 100, 120]);
    expect(f.notes).toEqual([]);
  });

  it('is not clamped to the forecast’s capacity: a plan above the site is a shortfall to show', () => {
    const planned = withDemandPlans(flat(2, 100, 120), [{ gpus: 5_000, startS: NOW, endS: null }]);
    expect(planned.points.map(([, m, h]) => [m, h])).toEqual([
      [5_000, 5_000],
      [5_000, 5_000],
    ]);
  });

  it('refuses a plan it cannot apply, naming the field', () => {
    const bad: Array<[DemandPlan, string]> = [
      [{ gpus: -1, startS: NOW, endS: null }, 'gpus'],
      [{ gpus: Number.NaN, startS: NOW, endS: null }, 'gpus'],
      [{ gpus: 1, startS: Number.POSITIVE_INFINITY, endS: null }, 'start'],
      [{ gpus: 1, startS: NOW, endS: NOW }, 'end'],
    ];
    for (const [plan, field] of bad) {
      expect(() => checkDemandPlan(plan)).toThrow(DomainError);
      expect(() => withDemandPlans(flat(1, 0, 0), [plan])).toThrow(expect.objectContaining({ detail: { field } }));
    }
  });
});

describe('a plan in the capacity engine', () => {
  // 8 idle pods of 256 (2,048 GPUs up), 512 sold from the start; forecast median 300 / high 400 for
  // 100 days; margin 10 %. The owner plans 1,800 GPUs from day 10 on.
  const pods: PodView[] = Array.from({ length: 8 }, (_, i) => ({
    index: i,
    id: `h01-p${String(i + 1).padStart(3, '0')}`,
    hallId: 'h01',
    model: 'H100-SXM',
    fabric: 'pod',
    counts: { ...emptyCounts(), idle: i < 2 ? 0 : 256, sold: i < 2 ? 256 : 0 },
    gpus: 256,
    facilityWatts: 100_000,
    fullLoadFacilityWatts: 400_000,
    committed: i < 2,
  }));
  const site = { ...emptyCounts(), idle: 1_536, sold: 512 };
  const run = (forecast: DemandForecast) =>
    computeCapacity({
      nowS: NOW,
      feedWatts: 100_000_000,
      facilityDrawWatts: 1_000_000,
      site,
      pods,
      forecast,
      soldGpusAt: () => 512,
      fullLoadWattsPerGpu: 1_600,
      policy: { margin: { fraction: 0.1 }, blockPods: 1, horizonSeconds: 90 * DAY },
    });
  const fitted = flat(100 * 24, 300, 400);
  const plan: DemandPlan = { gpus: 1_800, startS: NOW + 10 * DAY, endS: null };

  it('without it: reserve ⌈400 × 1.1⌉ = 440, 1,096 GPUs over it → 4 pods sellable, no risk', () => {
    const r = run(fitted);
    expect(r.gpus).toMatchObject({ up: 2_048, reserve: 440, unsoldUnreserved: 1_096, sellable: 1_024 });
    expect(r.risk).toEqual({ oversold: false, shortfallGpus: 0, firstShortfallAt: null, firstRiskAt: null });
  });

  it('with it: reserve ⌈1,800 × 1.1⌉ = 1,980, nothing sellable, oversold by 512 + 1,800 − 2,048 = 264 GPUs from day 10', () => {
    const r = run(withDemandPlans(fitted, [plan]));
    expect(r.gpus).toMatchObject({ reserve: 1_980, unsoldUnreserved: 0, sellable: 0 });
    expect(r.risk).toEqual({ oversold: true, shortfallGpus: 264, firstShortfallAt: NOW + 10 * DAY, firstRiskAt: NOW + 10 * DAY });
  });

  it('a plan starting past the notice period changes nothing yet', () => {
    const r = run(withDemandPlans(fitted, [{ ...plan, startS: NOW + 95 * DAY }]));
    expect(r.gpus.reserve).toBe(440);
    expect(r.risk.oversold).toBe(false);
  });
});
