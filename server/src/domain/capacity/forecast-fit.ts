import {
  chooseBasis,
  DAY_SECONDS,
  RowBuilder,
  seasonalPart,
  WEEK_SECONDS,
  weeklyHarmonicIndexes,
  type SeasonalBasis,
} from './forecast-basis.js';
import { addRow, createNormalEquations, solveNormalEquations } from './forecast-least-squares.js';
import { normalQuantile, residualStats, toleranceMargin } from './forecast-residuals.js';
import type { ForecastBasis, ForecastModel, TrendDamping } from './forecast-types.js';

/**
 * The two ways the forecast is made, each as a predictor of (median, high) at any instant:
 * the trend + Fourier regression, and the flat recent level for a history too short for it.
 */

/** Median and high quantile of demand at one instant, before clamping. */
export interface Predictor {
  /** Writes the median into out[0] and the high quantile into out[1]. */
  at(tSeconds: number, out: Float64Array): void;
}

export interface Fit {
  basis: ForecastBasis;
  predictor: Predictor;
  model: ForecastModel;
  residualStdDev: number;
}

export interface FitContext {
  now: number;
  quantile: number;
  damping: TrendDamping;
  dampingDays: number | undefined;
  /** Probability that the band holds at least `quantile` of the future (a tolerance bound). */
  bandConfidence: number;
  /** The history's sampling step, seconds (0 if it has a single instant). */
  historyStepSeconds: number;
}

/** The regression needs this many samples per column, or it falls back to the recent level. */
const MIN_SAMPLES_PER_COLUMN = 4;
/** Module-local copy: the hot loops read it tens of thousands of times per forecast. */
const SECONDS_PER_DAY = DAY_SECONDS;
/** The regression is fitted on means of bins this long (or the history's step, if longer). */
const FIT_BIN_SECONDS = 900;
/** The recent offset is dropped past this many persistence times (e⁻¹² ≈ 6 × 10⁻⁶). */
const OFFSET_HORIZON_PERSISTENCES = 12;
/** Ridge on the seasonal columns, per sample: ≈ 10⁻⁹ of their diagonal, only there for solvability. */
const SEASONAL_RIDGE_PER_SAMPLE = 1e-9;
/** 1970-01-04T00:00:00Z, a Sunday: where the weekly profile starts. */
const REFERENCE_SUNDAY = 3 * DAY_SECONDS;
/** The recent level of a short history is the mean of its last day. */
const RECENT_LEVEL_SECONDS = DAY_SECONDS;
/** The short-history band is at least this share of the level. */
const SHORT_HISTORY_MIN_SPREAD = 0.1;

/** Each column's period: intercept and trend at zero frequency, then each harmonic twice. */
function columnPeriods(basis: SeasonalBasis): number[] {
  const periods = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let k = 1; k <= basis.dailyHarmonics; k++) periods.push(DAY_SECONDS / k, DAY_SECONDS / k);
  for (const k of weeklyHarmonicIndexes(basis)) periods.push(WEEK_SECONDS / k, WEEK_SECONDS / k);
  return periods;
}

function profiles(
  basis: SeasonalBasis,
  beta: Float64Array,
): Pick<ForecastModel, 'dailyProfile' | 'weeklyProfile' | 'dailyAmplitude' | 'weeklyAmplitude'> {
  const builder = new RowBuilder(basis);
  const row = new Float64Array(beta.length);
  const daily = new Array<number>(24).fill(0);
  const weekly = new Array<number>(7).fill(0);
  for (let h = 0; h < 168; h++) {
    builder.fill(row, REFERENCE_SUNDAY + h * 3_600 + 1_800, 0);
    const s = seasonalPart(row, beta);
    daily[h % 24] = (daily[h % 24] ?? 0) + s / 7;
    weekly[Math.floor(h / 24)] = (weekly[Math.floor(h / 24)] ?? 0) + s / 24;
  }
  const amplitude = (xs: number[]): number => (Math.max(...xs) - Math.min(...xs)) / 2;
  return { dailyProfile: daily, weeklyProfile: weekly, dailyAmplitude: amplitude(daily), weeklyAmplitude: amplitude(weekly) };
}

/**
 * Least squares on [1, t, daily and weekly Fourier terms], fitted on the means of
 * FIT_BIN_SECONDS bins weighted by their sample counts (a 6-hour harmonic loses 0.3 % over
 * 15 minutes; the fit costs a third). The band is an upper tolerance bound built from the
 * residuals' empirical upper spread and the standard error of the fitted curve at that lead
 * (level + trend × lead, from the long-run residual variance, plus the seasonal terms'), so
 * it widens with lead time. Returns null when the history cannot carry the regression (too
 * few samples, or a singular design).
 */
export function fitRegression(times: Float64Array, values: Float64Array, ctx: FitContext): Fit | null {
  const n = times.length;
  const t0 = times[0] ?? 0;
  const tLast = times[n - 1] ?? 0;
  const span = tLast - t0;
  const basis = chooseBasis(span, ctx.historyStepSeconds);
  const builder = new RowBuilder(basis);
  const p = builder.width;
  if (n < MIN_SAMPLES_PER_COLUMN * p) return null;
  const now = ctx.now;
  const xOf = (t: number): number => (t - now) / SECONDS_PER_DAY;

  const row = new Float64Array(p);
  const eq = createNormalEquations(p);
  const binSeconds = Math.max(FIT_BIN_SECONDS, ctx.historyStepSeconds);
  let bin = Math.floor(t0 / binSeconds);
  let sumT = 0;
  let sumV = 0;
  let count = 0;
  const flush = (): void => {
    const t = sumT / count;
    builder.fill(row, t, xOf(t));
    addRow(eq, row, sumV / count, count);
  };
  for (let i = 0; i < n; i++) {
    const t = times[i] ?? 0;
    const b = Math.floor(t / binSeconds);
    if (b !== bin && count > 0) {
      flush();
      sumT = 0;
      sumV = 0;
      count = 0;
    }
    bin = b;
    sumT += t;
    sumV += values[i] ?? 0;
    count++;
  }
  if (count > 0) flush();
  if (eq.rows < p) return null;
  const ridge = Array.from({ length: p }, (_, j) => (j < 2 ? 0 : SEASONAL_RIDGE_PER_SAMPLE * n));
  const solution = solveNormalEquations(eq, ridge);
  if (!solution) return null;
  const { beta, inverse } = solution;

  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = times[i] ?? 0;
    builder.fill(row, t, xOf(t));
    let fit = 0;
    for (let j = 0; j < p; j++) fit += (row[j] ?? 0) * (beta[j] ?? 0);
    residuals[i] = (values[i] ?? 0) - fit;
  }
  const stats = residualStats(times, residuals, {
    quantile: ctx.quantile,
    stepSeconds: ctx.historyStepSeconds,
    columnPeriodsSeconds: columnPeriods(basis),
  });

  const level = beta[0] ?? 0;
  const slope = beta[1] ?? 0;
  const c00 = inverse[0] ?? 0;
  const c01 = inverse[1] ?? 0;
  const c11 = inverse[p + 1] ?? 0;
  // The seasonal coefficients' variance, averaged over the week (E[sin²] = E[cos²] = ½ and
  // their cross terms with each other and with the trend average out): the seasonal shape
  // was fitted on a few weeks of noise, and the forecast repeats whatever noise it caught.
  let seasonalVariance = 0;
  for (let j = 2; j < p; j++) seasonalVariance += ((inverse[j * p + j] ?? 0) * (stats.columnVariances[j] ?? 0)) / 2;
  const trendVariance = stats.longRunVariance;
  const timeConstantDays = ctx.dampingDays ?? Math.max(1, span / DAY_SECONDS);
  const applied = ctx.damping === 'all' || (ctx.damping === 'declines' && slope < 0);
  const xLast = xOf(tLast);
  const trendAt = (x: number): number =>
    !applied || x <= xLast
      ? level + slope * x
      : level + slope * xLast + slope * timeConstantDays * (1 - Math.exp(-(x - xLast) / timeConstantDays));
  const persistence = stats.persistenceSeconds;
  const residualMedian = stats.median;
  const upperSpread = stats.upperSpread;
  // The band is an upper tolerance bound, not a plain quantile: the spread and the fitted
  // curve are estimates, and a band that treats them as exact covers less than q about half
  // the time — in every hour of the horizon at once, since the curve's error is shared. With
  // probability `bandConfidence`, at least q of future instants lie under it.
  const bandOn = ctx.quantile > 0.5;
  const margin = toleranceMargin(ctx.bandConfidence, stats.degreesOfFreedom);
  const offsetAt = (t: number): number => {
    const since = t - tLast;
    if (since <= 0) return stats.recentOffset;
    return persistence > 0 && since < OFFSET_HORIZON_PERSISTENCES * persistence ? stats.recentOffset * Math.exp(-since / persistence) : 0;
  };

  const predictorBuilder = new RowBuilder(basis);
  const predictorRow = new Float64Array(p);
  const predictor: Predictor = {
    at(t, out) {
      const x = xOf(t);
      predictorBuilder.fill(predictorRow, t, x);
      let seasonal = 0;
      for (let j = 2; j < p; j++) seasonal += (predictorRow[j] ?? 0) * (beta[j] ?? 0);
      const median = trendAt(x) + seasonal + residualMedian + offsetAt(t);
      // Variance of the fitted curve at x, with the trend undamped: damping is a judgement on
      // the point forecast, not a reason to be surer of the slope.
      const v = trendVariance * Math.max(0, c00 + 2 * x * c01 + x * x * c11) + seasonalVariance;
      out[0] = median;
      out[1] = bandOn ? median + margin(upperSpread, v) : median;
    },
  };

  return {
    basis: 'model',
    predictor,
    residualStdDev: stats.stdDev,
    model: {
      historyDays: span / DAY_SECONDS,
      samples: n,
      historyStepSeconds: ctx.historyStepSeconds,
      levelAtNow: trendAt(0),
      trendPerDay: slope,
      trendStdErrPerDay: Math.sqrt(stats.longRunVariance * Math.max(0, c11)),
      damping: { mode: ctx.damping, applied, timeConstantDays },
      dailyHarmonics: basis.dailyHarmonics,
      weeklyHarmonics: basis.weeklyHarmonics,
      ...profiles(basis, beta),
      upperSpread: stats.upperSpread,
      longRunStdDev: Math.sqrt(stats.longRunVariance),
      persistenceHours: persistence / 3_600,
      recentOffset: stats.recentOffset,
    },
  };
}

/**
 * Too little history for a shape or a trend: a flat forecast at the mean of the last day,
 * with a band of the largest of z × the samples' standard deviation, the highest sample's
 * excess over the level, and 10 % of the level, widened by √(1 + lead / history span) — on
 * a day of evidence, a 90-day forecast is ±10 spans wide, and that is the honest answer.
 */
export function fitRecentLevel(times: Float64Array, values: Float64Array, ctx: FitContext): Fit {
  const n = times.length;
  const tLast = times[n - 1] ?? ctx.now;
  const span = tLast - (times[0] ?? tLast);
  let sum = 0;
  let sumSq = 0;
  let max = Number.NEGATIVE_INFINITY;
  let recentSum = 0;
  let recentCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    sum += v;
    sumSq += v * v;
    max = Math.max(max, v);
    if ((times[i] ?? 0) > tLast - RECENT_LEVEL_SECONDS) {
      recentSum += v;
      recentCount++;
    }
  }
  const mean = sum / n;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1))) : 0;
  const level = recentCount > 0 ? recentSum / recentCount : mean;
  const spread =
    ctx.quantile > 0.5 ? Math.max(normalQuantile(ctx.quantile) * sd, max - level, SHORT_HISTORY_MIN_SPREAD * Math.abs(level)) : 0;
  const spanDays = Math.max(span, 3_600) / DAY_SECONDS;
  return {
    basis: 'recent-level',
    residualStdDev: sd,
    predictor: {
      at(t, out) {
        const leadDays = Math.max(0, t - tLast) / DAY_SECONDS;
        out[0] = level;
        out[1] = level + spread * Math.sqrt(1 + leadDays / spanDays);
      },
    },
    model: {
      historyDays: span / DAY_SECONDS,
      samples: n,
      historyStepSeconds: ctx.historyStepSeconds,
      levelAtNow: level,
      trendPerDay: 0,
      trendStdErrPerDay: 0,
      damping: { mode: ctx.damping, applied: false, timeConstantDays: 0 },
      dailyHarmonics: 0,
      weeklyHarmonics: 0,
      dailyProfile: new Array<number>(24).fill(0),
      weeklyProfile: new Array<number>(7).fill(0),
      dailyAmplitude: 0,
      weeklyAmplitude: 0,
      upperSpread: spread,
      longRunStdDev: sd,
      persistenceHours: 0,
      recentOffset: 0,
    },
  };
}
