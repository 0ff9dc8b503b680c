import { DomainError } from '../errors.js';
import { DAY_SECONDS, MIN_DAILY_HISTORY_SECONDS, MIN_WEEKLY_HISTORY_SECONDS } from './forecast-basis.js';
import { fitRecentLevel, fitRegression, type FitContext, type Predictor } from './forecast-fit.js';
import type { DemandForecast, DemandSample, ForecastOptions, ForecastPoint, TrendDamping } from './forecast-types.js';

export type * from './forecast-types.js';

/**
 * Forecast of internal GPU demand: level + trend (damped on a decline) + daily and weekly
 * shape, fitted by least squares, with a high quantile whose band widens with lead time.
 * See fitRegression (forecast-fit.ts) for the model and docs/adr/0005-forecast-written-here.md for why it is written
 * here rather than taken from a library.
 */

export const DEFAULT_HORIZON_SECONDS = 90 * DAY_SECONDS;
export const DEFAULT_STEP_SECONDS = 3_600;
export const DEFAULT_QUANTILE = 0.95;
export const DEFAULT_BAND_CONFIDENCE = 0.9;
/** Points a forecast may have (90 days at 5 min is 25,920). */
export const MAX_FORECAST_POINTS = 100_000;
/** Each output step's peak is read from instants this far apart, unless the step is finer. */
const PEAK_RESOLUTION_SECONDS = 900;
/** A history ending longer than this before `now` is reported as stale. */
const STALE_SECONDS = 6 * 3_600;
/** Below this share of the samples a span should hold, the history is reported as sparse. */
const SPARSE_SHARE = 0.5;

interface Resolved extends Pick<DemandForecast, 'now' | 'horizonSeconds' | 'stepSeconds' | 'quantile' | 'bandConfidence' | 'capacity'> {
  damping: TrendDamping;
  dampingDays: number | undefined;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid', `${field} ${message}`, { field });
}

function resolveOptions(o: ForecastOptions): Resolved {
  const horizonSeconds = o.horizonSeconds ?? DEFAULT_HORIZON_SECONDS;
  const stepSeconds = o.stepSeconds ?? DEFAULT_STEP_SECONDS;
  const quantile = o.quantile ?? DEFAULT_QUANTILE;
  const bandConfidence = o.bandConfidence ?? DEFAULT_BAND_CONFIDENCE;
  const damping = o.trendDamping ?? 'declines';
  if (!Number.isFinite(o.now)) throw invalid('now', `must be a finite unix time in seconds, got ${o.now}`);
  if (!(horizonSeconds > 0) || !Number.isFinite(horizonSeconds)) throw invalid('horizonSeconds', `must be > 0, got ${horizonSeconds}`);
  if (!(stepSeconds > 0) || !Number.isFinite(stepSeconds)) throw invalid('stepSeconds', `must be > 0, got ${stepSeconds}`);
  if (Math.ceil(horizonSeconds / stepSeconds - 1e-9) > MAX_FORECAST_POINTS) {
    throw new DomainError('too_large', `horizonSeconds / stepSeconds exceeds ${MAX_FORECAST_POINTS} points`, { field: 'stepSeconds' });
  }
  if (!(quantile >= 0.5 && quantile < 1)) throw invalid('quantile', `must be in [0.5, 1), got ${quantile}`);
  if (!(bandConfidence >= 0.5 && bandConfidence < 1)) throw invalid('bandConfidence', `must be in [0.5, 1), got ${bandConfidence}`);
  if (o.capacity !== undefined && !(o.capacity >= 0 && Number.isFinite(o.capacity))) {
    throw invalid('capacity', `must be a finite number ≥ 0, got ${o.capacity}`);
  }
  if (damping !== 'none' && damping !== 'declines' && damping !== 'all') throw invalid('trendDamping', `is not one of none, declines, all`);
  if (o.dampingDays !== undefined && !(o.dampingDays > 0 && Number.isFinite(o.dampingDays))) {
    throw invalid('dampingDays', `must be > 0, got ${o.dampingDays}`);
  }
  return {
    now: o.now,
    horizonSeconds,
    stepSeconds,
    quantile,
    bandConfidence,
    capacity: o.capacity ?? null,
    damping,
    dampingDays: o.dampingDays,
  };
}

/** Finite samples at or before `now`, ascending by time. */
function cleanHistory(history: ReadonlyArray<DemandSample>, now: number): { times: Float64Array; values: Float64Array } {
  const times = new Float64Array(history.length);
  const values = new Float64Array(history.length);
  let n = 0;
  let sorted = true;
  for (const [t, v] of history) {
    if (!Number.isFinite(t) || !Number.isFinite(v) || t > now) continue;
    if (n > 0 && t < (times[n - 1] ?? t)) sorted = false;
    times[n] = t;
    values[n] = v;
    n++;
  }
  if (sorted) return { times: times.subarray(0, n), values: values.subarray(0, n) };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0));
  return { times: Float64Array.from(order, (i) => times[i] ?? 0), values: Float64Array.from(order, (i) => values[i] ?? 0) };
}

/** Gaps read to find the step: enough for a stable median, few enough to sort in microseconds. */
const STEP_SAMPLE_GAPS = 1_024;

/** The history's step: the median of (up to STEP_SAMPLE_GAPS evenly spread) positive gaps; 0 if none. */
function inferStep(times: Float64Array): number {
  const stride = Math.max(1, Math.floor((times.length - 1) / STEP_SAMPLE_GAPS));
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i += stride) {
    const d = (times[i] ?? 0) - (times[i - 1] ?? 0);
    if (d > 0) gaps.push(d);
  }
  if (gaps.length === 0) {
    // Every sampled pair was a duplicate: fall back to the first positive gap anywhere.
    for (let i = 1; i < times.length; i++) {
      const d = (times[i] ?? 0) - (times[i - 1] ?? 0);
      if (d > 0) return d;
    }
    return 0;
  }
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] ?? 0;
}

function samplePoints(predictor: Predictor, r: Resolved, historyStepSeconds: number): ForecastPoint[] {
  const count = Math.ceil(r.horizonSeconds / r.stepSeconds - 1e-9);
  const resolution = Math.min(r.stepSeconds, Math.max(historyStepSeconds, PEAK_RESOLUTION_SECONDS));
  const perStep = Math.max(1, Math.ceil(r.stepSeconds / resolution - 1e-9));
  const sub = r.stepSeconds / perStep;
  const cap = r.capacity ?? Number.POSITIVE_INFINITY;
  const out = new Float64Array(2);
  const points: ForecastPoint[] = new Array<ForecastPoint>(count);
  for (let i = 0; i < count; i++) {
    const start = r.now + i * r.stepSeconds;
    let medianPeak = 0;
    let highPeak = 0;
    for (let j = 0; j < perStep; j++) {
      predictor.at(start + j * sub, out);
      const median = Math.min(cap, Math.max(0, out[0] ?? 0));
      const high = Math.min(cap, Math.max(median, out[1] ?? 0));
      if (median > medianPeak) medianPeak = median;
      if (high > highPeak) highPeak = high;
    }
    points[i] = [start, medianPeak, highPeak];
  }
  return points;
}

const days = (seconds: number): string => (seconds / DAY_SECONDS).toFixed(1);

/**
 * Forecasts internal demand from its history.
 *
 * @param history `[unixSeconds, value]` samples at a roughly fixed step, in any order; samples
 *   with a non-finite time or value, and samples after `now`, are skipped; gaps are fine.
 * @param options `now` (required), horizon (90 days), output step (1 h), quantile (0.95) and
 *   the band's confidence (0.9), capacity (clamp), trend damping (`declines`) and its time
 *   constant (the history's span).
 * @returns `points` from `now` over the horizon, one per step: the step's peak median and
 *   peak high quantile, clamped to [0, capacity]; the model's parameters; the residual
 *   spread; and notes. With under 2 days of history (or too few samples for the
 *   regression) `basis` is `recent-level`: a flat forecast at the last day's mean with a
 *   wide band. Null when no usable sample is at or before `now`.
 * @throws DomainError('invalid') naming the field for a bad option; ('too_large') for a
 *   horizon of more than 100,000 steps.
 */
export function forecastDemand(history: ReadonlyArray<DemandSample>, options: ForecastOptions): DemandForecast | null {
  const r = resolveOptions(options);
  const { times, values } = cleanHistory(history, r.now);
  const n = times.length;
  if (n === 0) return null;
  const historyStepSeconds = inferStep(times);
  const t0 = times[0] ?? r.now;
  const tLast = times[n - 1] ?? r.now;
  const span = tLast - t0;
  const ctx: FitContext = {
    now: r.now,
    quantile: r.quantile,
    bandConfidence: r.bandConfidence,
    damping: r.damping,
    dampingDays: r.dampingDays,
    historyStepSeconds,
  };

  const notes: string[] = [];
  let fit = span + historyStepSeconds >= MIN_DAILY_HISTORY_SECONDS ? fitRegression(times, values, ctx) : null;
  if (fit) {
    if (span + historyStepSeconds < MIN_WEEKLY_HISTORY_SECONDS)
      notes.push(`history spans ${days(span + historyStepSeconds)} days (< 14): no weekly shape in the model`);
  } else {
    notes.push(
      span + historyStepSeconds < MIN_DAILY_HISTORY_SECONDS
        ? `history spans ${days(span + historyStepSeconds)} days (< 2): flat forecast at the recent level, with a band that widens with lead time`
        : `history of ${n} samples over ${days(span)} days is too sparse for the model: flat forecast at the recent level`,
    );
    fit = fitRecentLevel(times, values, ctx);
  }
  if (r.now - tLast > STALE_SECONDS) notes.push(`the last sample is ${((r.now - tLast) / 3_600).toFixed(1)} h before now`);
  if (historyStepSeconds > 0 && span > 0 && (n * historyStepSeconds) / span < SPARSE_SHARE) {
    notes.push(`only ${Math.round((100 * n * historyStepSeconds) / span)} % of the samples the span should hold are present`);
  }

  return {
    basis: fit.basis,
    now: r.now,
    horizonSeconds: r.horizonSeconds,
    stepSeconds: r.stepSeconds,
    quantile: r.quantile,
    bandConfidence: r.bandConfidence,
    capacity: r.capacity,
    points: samplePoints(fit.predictor, r, historyStepSeconds),
    model: fit.model,
    residualStdDev: fit.residualStdDev,
    notes,
  };
}
