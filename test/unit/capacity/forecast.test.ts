import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { forecastDemand, type DemandForecast, type DemandSample } from '../../../server/src/domain/capacity/forecast.js';
import { ar1Noise, DAY, daily, HOUR, normal, series, START, weekly, withNoise } from './forecast-builders.js';

const days = (t: number): number => (t - START) / DAY;

/** 1000 GPUs + 2 a day, a daily wave of ±80 peaking 21:30 UTC and a weekly wave of ±50. */
const shaped = (t: number): number => 1000 + 2 * days(t) + daily(t, 80, 21.5) + weekly(t, 50);

function mustForecast(history: DemandSample[], options: Parameters<typeof forecastDemand>[1]): DemandForecast {
  const forecast = forecastDemand(history, options);
  if (!forecast) throw new Error('expected a forecast');
  return forecast;
}

/** Share of the samples after `now` at or under the high band (points at the samples' step). */
function coverage(forecast: DemandForecast, future: DemandSample[]): { covered: number; count: number } {
  let covered = 0;
  let count = 0;
  for (const [t, v] of future) {
    const point = forecast.points[Math.round((t - forecast.now) / forecast.stepSeconds)];
    if (!point) continue;
    count++;
    if (v <= point[2]) covered++;
  }
  return { covered, count };
}

describe('forecastDemand', () => {
  it('recovers a known linear trend with its daily and weekly shape from 30 days of 5-min history', () => {
    const draw = normal(1);
    const history = series((t) => shaped(t) + 5 * draw(), { days: 30 });
    const now = START + 30 * DAY;
    const f = mustForecast(history, { now, stepSeconds: 300, horizonSeconds: 30 * DAY, trendDamping: 'none' });

    expect(f.basis).toBe('model');
    expect(f.notes).toEqual([]);
    expect(f.model.trendPerDay).toBeCloseTo(2, 1);
    expect(f.model.dailyAmplitude).toBeGreaterThan(77);
    expect(f.model.dailyAmplitude).toBeLessThan(83);
    expect(f.model.dailyProfile.indexOf(Math.max(...f.model.dailyProfile))).toBe(21);
    expect(f.model.levelAtNow).toBeCloseTo(1060, -1);
    expect(f.residualStdDev).toBeGreaterThan(4);
    expect(f.residualStdDev).toBeLessThan(6);
    for (const [t, median] of f.points) expect(Math.abs(median - shaped(t))).toBeLessThan(5);
  });

  it('keeps the high quantile above ≥ 95 % of the future in a backtest (fit days 0–20, check days 21–50), with autocorrelated noise', () => {
    let covered = 0;
    let count = 0;
    const now = START + 21 * DAY;
    for (let seed = 1; seed <= 20; seed++) {
      const all = series(shaped, { days: 51 });
      // Busy spells of a few hours (AR(1) at 5 min, 0.97: an e-folding time of ≈ 2.7 h) plus
      // independent jitter: the noise of σ ≈ 20.6 the band must cover.
      const noisy = withNoise(all, ar1Noise(all.length, { seed, sd: 20, phi: 0.97, jitter: 5 }));
      const f = mustForecast(
        noisy.filter(([t]) => t < now),
        { now, stepSeconds: 300, horizonSeconds: 30 * DAY },
      );
      const c = coverage(
        f,
        noisy.filter(([t]) => t >= now),
      );
      covered += c.covered;
      count += c.count;
    }
    expect(count).toBe(20 * 30 * 288);
    // Measured: 0.970. A band covering everything would be useless: it stays under 99 %.
    expect(covered / count).toBeGreaterThanOrEqual(0.95);
    expect(covered / count).toBeLessThan(0.99);
  });

  it('keeps the high quantile above ≥ 95 % of the future in a backtest with independent noise', () => {
    let covered = 0;
    let count = 0;
    const now = START + 21 * DAY;
    for (let seed = 1; seed <= 20; seed++) {
      const draw = normal(100 + seed);
      const noisy = series((t) => shaped(t) + 20 * draw(), { days: 51 });
      const f = mustForecast(
        noisy.filter(([t]) => t < now),
        { now, stepSeconds: 300, horizonSeconds: 30 * DAY },
      );
      const c = coverage(
        f,
        noisy.filter(([t]) => t >= now),
      );
      covered += c.covered;
      count += c.count;
    }
    // Measured: 0.959.
    expect(covered / count).toBeGreaterThanOrEqual(0.95);
    expect(covered / count).toBeLessThan(0.98);
  });

  it('widens the band with lead time', () => {
    const history = withNoise(series(shaped, { days: 30, stepSeconds: HOUR }), ar1Noise(720, { seed: 3, sd: 20, phi: 0.7 }));
    const f = mustForecast(history, { now: START + 30 * DAY });
    const widths = f.points.map(([, median, high]) => high - median);
    for (let i = 1; i < widths.length; i++) expect(widths[i] ?? 0).toBeGreaterThanOrEqual((widths[i - 1] ?? 0) - 1e-9);
    expect(widths.at(-1) ?? 0).toBeGreaterThan(1.3 * (widths[0] ?? 0));
  });

  it('forecasts a decline for a declining series, damped by default and straight when asked', () => {
    const falling = (t: number): number => 1000 - 5 * days(t) + daily(t, 40);
    const history = withNoise(series(falling, { days: 30 }), ar1Noise(8640, { seed: 4, sd: 10, phi: 0.9 }));
    const now = START + 30 * DAY;
    const damped = mustForecast(history, { now, stepSeconds: DAY });
    const straight = mustForecast(history, { now, stepSeconds: DAY, trendDamping: 'none' });

    expect(damped.model.trendPerDay).toBeCloseTo(-5, 0);
    expect(damped.model.damping).toMatchObject({ mode: 'declines', applied: true });
    expect(damped.model.damping.timeConstantDays).toBeCloseTo(30, 0);
    // Week on week (the same weekday, so the weekly shape cancels), each day's peak is lower.
    for (let i = 7; i < damped.points.length; i++) {
      expect(damped.points[i]?.[1] ?? 0).toBeLessThan(damped.points[i - 7]?.[1] ?? 0);
    }
    // Straight: the day's peak 90 days on is 450 lower; damped, it falls by at most 5 × 30.
    const last = (f: DemandForecast): number => f.points.at(-1)?.[1] ?? Number.NaN;
    expect(last(straight)).toBeCloseTo(falling(now + 89.875 * DAY), -1);
    expect(last(damped)).toBeGreaterThan(850 - 5 * 30 - 10);
    expect(last(damped)).toBeGreaterThan(last(straight) + 200);
  });

  it('extrapolates a rising trend in full by default', () => {
    const history = series((t) => 500 + 3 * days(t) + daily(t, 20), { days: 20, stepSeconds: HOUR });
    const f = mustForecast(history, { now: START + 20 * DAY, stepSeconds: DAY });
    expect(f.model.damping.applied).toBe(false);
    expect(f.points.at(-1)?.[1] ?? 0).toBeCloseTo(500 + 3 * (20 + 89.875) + 20, -1);
  });

  it('clamps median and high to [0, capacity]', () => {
    const rising = series((t) => 900 + 5 * days(t) + daily(t, 30), { days: 20, stepSeconds: HOUR });
    const capped = mustForecast(rising, { now: START + 20 * DAY, capacity: 1_024 });
    expect(capped.capacity).toBe(1_024);
    expect(Math.max(...capped.points.map(([, m, h]) => Math.max(m, h)))).toBe(1_024);
    expect(capped.points.at(-1)?.[1]).toBe(1_024);

    const falling = series((t) => 200 - 8 * days(t) + daily(t, 10), { days: 20, stepSeconds: HOUR });
    const floored = mustForecast(falling, { now: START + 20 * DAY, trendDamping: 'none' });
    expect(Math.min(...floored.points.map(([, m]) => m))).toBe(0);
    for (const [, median, high] of floored.points) expect(high).toBeGreaterThanOrEqual(median);
  });

  it('falls back to a flat forecast at the recent level with a wide band on under 2 days of history', () => {
    const history = series((t) => 300 + daily(t, 30), { days: 1, stepSeconds: 600 });
    const f = mustForecast(history, { now: START + DAY });
    expect(f.basis).toBe('recent-level');
    expect(f.notes.join(' ')).toMatch(/1\.0 days \(< 2\): flat forecast at the recent level/);
    const level = history.reduce((sum, [, v]) => sum + v, 0) / history.length;
    for (const [, median] of f.points) expect(median).toBeCloseTo(level, 6);
    const first = (f.points[0]?.[2] ?? 0) - level;
    const last = (f.points.at(-1)?.[2] ?? 0) - level;
    // At least the day's peak above the level at once, ≈ √(1 + 90) ≈ 9.5 times that at 90 days.
    expect(first).toBeGreaterThanOrEqual(30 - 1e-6);
    expect(last / first).toBeGreaterThan(9);
  });

  it('fits through gaps in the history', () => {
    const draw = normal(5);
    // Days 8–11 missing entirely, and from day 15 the collector is down 00:00–06:00 UTC every night.
    const gappy = series((t) => shaped(t) + 5 * draw(), { days: 28 }).filter(([t]) => {
      const d = days(t);
      const hour = (t % DAY) / HOUR;
      return !(d >= 8 && d < 12) && !(d >= 15 && hour < 6);
    });
    const now = START + 28 * DAY;
    const f = mustForecast(gappy, { now, stepSeconds: 300, horizonSeconds: 14 * DAY, trendDamping: 'none' });
    expect(f.basis).toBe('model');
    expect(f.model.historyStepSeconds).toBe(300);
    expect(f.model.trendPerDay).toBeCloseTo(2, 0);
    for (const [t, median, high] of f.points) {
      expect(Number.isFinite(high)).toBe(true);
      expect(Math.abs(median - shaped(t))).toBeLessThan(8);
    }
  });

  it('says when the history is sparse or stale', () => {
    const sparse = series(shaped, { days: 20, stepSeconds: 300 }).filter((_, i) => i % 288 < 100);
    const f = mustForecast(sparse, { now: START + 22 * DAY });
    expect(f.notes.some((note) => /only 3\d % of the samples/.test(note))).toBe(true);
    expect(f.notes.some((note) => /the last sample is \d+\.\d h before now/.test(note))).toBe(true);
  });

  it('forecasts a constant series as that constant with a band of zero width', () => {
    const f = mustForecast(
      series(() => 640, { days: 30 }),
      { now: START + 30 * DAY },
    );
    expect(f.residualStdDev).toBeLessThan(1e-6);
    expect(f.model.trendPerDay).toBeCloseTo(0, 9);
    for (const [, median, high] of f.points) {
      expect(median).toBeCloseTo(640, 6);
      expect(high).toBeCloseTo(640, 6);
    }
  });

  it('skips NaN and infinite samples and anything after now', () => {
    const now = START + 20 * DAY;
    const clean = series(shaped, { days: 20, stepSeconds: HOUR });
    const dirty: DemandSample[] = [...clean];
    dirty.splice(100, 0, [START + 100.5 * HOUR, Number.NaN]);
    dirty.splice(200, 0, [Number.NaN, 5]);
    dirty.splice(300, 0, [START + 300.5 * HOUR, Number.POSITIVE_INFINITY]);
    dirty.push([now + HOUR, 1e9]);
    const options = { now, stepSeconds: 6 * HOUR };
    expect(forecastDemand(dirty, options)).toEqual(forecastDemand(clean, options));
  });

  it('gives the same forecast for samples in any order', () => {
    const ordered = series(shaped, { days: 15, stepSeconds: HOUR });
    const shuffled = ordered
      .map((s, i) => [(i * 7919) % ordered.length, s] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, s]) => s);
    const options = { now: START + 15 * DAY, stepSeconds: 6 * HOUR };
    expect(forecastDemand(shuffled, options)).toEqual(forecastDemand(ordered, options));
  });

  it('returns null when no sample is usable', () => {
    expect(forecastDemand([], { now: START })).toBeNull();
    expect(forecastDemand([[START, Number.NaN]], { now: START })).toBeNull();
    expect(forecastDemand([[START + DAY, 5]], { now: START })).toBeNull();
  });

  it('has no weekly shape under 14 days of history, and says so', () => {
    const f = mustForecast(series(shaped, { days: 10 }), { now: START + 10 * DAY });
    expect(f.model.dailyHarmonics).toBe(4);
    expect(f.model.weeklyHarmonics).toBe(0);
    expect(f.notes).toEqual(['history spans 10.0 days (< 14): no weekly shape in the model']);
    const full = mustForecast(series(shaped, { days: 14 }), { now: START + 14 * DAY });
    expect(full.model.weeklyHarmonics).toBe(6);
  });

  it('keeps the afternoon peak in each step of a coarse output step', () => {
    const history = series(shaped, { days: 21, stepSeconds: HOUR });
    const now = START + 21 * DAY + 2 * HOUR;
    const hourly = mustForecast(history, { now, stepSeconds: HOUR, horizonSeconds: 7 * DAY });
    const sixHourly = mustForecast(history, { now, stepSeconds: 6 * HOUR, horizonSeconds: 7 * DAY });
    expect(sixHourly.points).toHaveLength(28);
    for (const [t, median, high] of sixHourly.points) {
      const inStep = hourly.points.filter(([u]) => u >= t && u < t + 6 * HOUR);
      expect(median).toBeGreaterThanOrEqual(Math.max(...inStep.map(([, m]) => m)) - 1e-9);
      expect(high).toBeGreaterThanOrEqual(Math.max(...inStep.map(([, , h]) => h)) - 1e-9);
    }
  });

  it('carries a busy spell at the end of the history into the first hours, then lets it fade', () => {
    const base = withNoise(series(shaped, { days: 21 }), ar1Noise(21 * 288, { seed: 6, sd: 20, phi: 0.98 }));
    const now = START + 21 * DAY;
    const spell = base.map(([t, v]) => [t, t >= now - 2 * HOUR ? v + 150 : v] as const);
    const calm = mustForecast(base, { now, stepSeconds: 300, horizonSeconds: 4 * DAY });
    const busy = mustForecast(spell, { now, stepSeconds: 300, horizonSeconds: 4 * DAY });
    const lift = (i: number): number => (busy.points[i]?.[1] ?? 0) - (calm.points[i]?.[1] ?? 0);
    expect(busy.model.recentOffset).toBeGreaterThan(100);
    expect(lift(0)).toBeGreaterThan(60);
    expect(Math.abs(lift(busy.points.length - 1))).toBeLessThan(10);
  });

  it('rejects bad options, naming the field', () => {
    const history = series(shaped, { days: 3, stepSeconds: HOUR });
    const fieldOf = (options: Parameters<typeof forecastDemand>[1]): unknown => {
      try {
        forecastDemand(history, options);
      } catch (error) {
        if (error instanceof DomainError) return [error.code, error.detail?.['field']];
        throw error;
      }
      return null;
    };
    expect(fieldOf({ now: Number.NaN })).toEqual(['invalid', 'now']);
    expect(fieldOf({ now: START, quantile: 1 })).toEqual(['invalid', 'quantile']);
    expect(fieldOf({ now: START, quantile: 0.4 })).toEqual(['invalid', 'quantile']);
    expect(fieldOf({ now: START, bandConfidence: 1 })).toEqual(['invalid', 'bandConfidence']);
    expect(fieldOf({ now: START, stepSeconds: 0 })).toEqual(['invalid', 'stepSeconds']);
    expect(fieldOf({ now: START, horizonSeconds: -1 })).toEqual(['invalid', 'horizonSeconds']);
    expect(fieldOf({ now: START, capacity: -5 })).toEqual(['invalid', 'capacity']);
    expect(fieldOf({ now: START, dampingDays: 0 })).toEqual(['invalid', 'dampingDays']);
    expect(fieldOf({ now: START, stepSeconds: 60, horizonSeconds: 365 * DAY })).toEqual(['too_large', 'stepSeconds']);
  });
});
