import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { forecastDemand } from '../../../server/src/domain/capacity/forecast.js';
import { firstCrossing, reserveFrom } from '../../../server/src/domain/capacity/forecast-reserve.js';
import type { ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import { ar1Noise, DAY, daily, HOUR, series, START, weekend, withNoise } from './forecast-builders.js';

/** A hand-made forecast: hourly points from t = 0 with the given medians and highs. */
function handMade(rows: ReadonlyArray<readonly [median: number, high: number]>): { points: ForecastPoint[] } {
  return { points: rows.map(([median, high], i) => [i * HOUR, median, high] as const) };
}

const forecast = handMade([
  [10, 12],
  [11, 15],
  [13, 16],
  [12, 20],
  [9, 14],
]);

describe('firstCrossing', () => {
  it('returns the start of the first step whose median is strictly above the threshold', () => {
    expect(firstCrossing(forecast, 12)).toBe(2 * HOUR);
    expect(firstCrossing(forecast, 9.5)).toBe(0);
    expect(firstCrossing(forecast, 10)).toBe(HOUR);
  });

  it('reads the high quantile when asked, which crosses no later than the median', () => {
    expect(firstCrossing(forecast, 12, { series: 'high' })).toBe(HOUR);
    expect(firstCrossing(forecast, 16, { series: 'high' })).toBe(3 * HOUR);
  });

  it('returns null when the forecast never exceeds the threshold', () => {
    expect(firstCrossing(forecast, 13)).toBeNull();
    expect(firstCrossing(forecast, 20, { series: 'high' })).toBeNull();
    expect(firstCrossing({ points: [] }, 0)).toBeNull();
  });

  it('takes a threshold that changes with time, such as up − sold as contracts start', () => {
    // 8 GPUs free until a sale at 03:00 leaves only 11.5: the median 12 at 03:00 crosses it.
    const free = (t: number): number => (t < 3 * HOUR ? 100 : 11.5);
    expect(firstCrossing(forecast, free)).toBe(3 * HOUR);
  });
});

describe('reserveFrom', () => {
  it('keeps the peak high quantile over the horizon, rounded up to whole GPUs', () => {
    expect(reserveFrom(forecast)).toEqual({ gpus: 20, peakHigh: 20, peakAt: 3 * HOUR, marginGpus: 0 });
    expect(reserveFrom(handMade([[1, 7.2]])).gpus).toBe(8);
  });

  it('adds the safety margin as a share of the peak, as whole GPUs, or both', () => {
    expect(reserveFrom(forecast, { safetyMargin: { fraction: 0.1 } })).toMatchObject({ gpus: 22, marginGpus: 2 });
    expect(reserveFrom(forecast, { safetyMargin: { gpus: 5 } })).toMatchObject({ gpus: 25, marginGpus: 5 });
    expect(reserveFrom(forecast, { safetyMargin: { fraction: 0.1, gpus: 5 } })).toMatchObject({ gpus: 27, marginGpus: 7 });
    expect(reserveFrom(forecast, { safetyMargin: { fraction: 0.125 } }).gpus).toBe(23);
  });

  it('does not round float noise up a whole GPU', () => {
    // 100 × 1.1 is 110.00000000000001 in floating point.
    expect(reserveFrom(handMade([[90, 100]]), { safetyMargin: { fraction: 0.1 } }).gpus).toBe(110);
  });

  it('looks only at the steps that start before `until`', () => {
    expect(reserveFrom(forecast, { until: 3 * HOUR })).toMatchObject({ gpus: 16, peakAt: 2 * HOUR });
    expect(reserveFrom(forecast, { until: 3 * HOUR, safetyMargin: { fraction: 0.1 } }).gpus).toBe(18);
  });

  it('rejects a negative margin and a range with no point', () => {
    expect(() => reserveFrom(forecast, { safetyMargin: { fraction: -0.1 } })).toThrow(DomainError);
    expect(() => reserveFrom(forecast, { safetyMargin: { gpus: Number.NaN } })).toThrow(/safetyMargin.gpus/);
    expect(() => reserveFrom(forecast, { until: 0 })).toThrow(/no point in range/);
    expect(() => reserveFrom({ points: [] })).toThrow(DomainError);
  });

  it('covers every hour of the next 90 days of a noisy series with a weekday-weekend shape', () => {
    const now = START + 30 * DAY;
    const truth = (t: number): number => (4_000 + 2 * ((t - START) / DAY) + daily(t, 300)) * (1 - 0.15 * weekend(t));
    const all = series(truth, { days: 120 });
    const noisy = withNoise(all, ar1Noise(all.length, { seed: 11, sd: 60, phi: 0.97, jitter: 10 }));
    const f = forecastDemand(
      noisy.filter(([t]) => t < now),
      { now, capacity: 8_192 },
    );
    if (!f) throw new Error('expected a forecast');
    const reserve = reserveFrom(f, { safetyMargin: { fraction: 0.02 } });
    const peak = Math.max(...noisy.filter(([t]) => t >= now).map(([, v]) => v));
    expect(reserve.gpus).toBeGreaterThanOrEqual(peak);
    // …without keeping the whole site: within 10 % of the true peak.
    expect(reserve.gpus).toBeLessThan(1.1 * peak);
  });
});
