/** Types of the internal-demand forecast (forecast.ts) and what reads it (forecast-reserve.ts). */

/** One history sample: unix seconds and internal demand (GPUs busy + held, or any unit). */
export type DemandSample = readonly [unixSeconds: number, value: number];

/**
 * One output step `[t, median, high]`: the peak, over the step [t, t + step), of the median
 * and of the high quantile of demand at an instant. Peaks, so a 6-hour step cannot skip
 * the afternoon peak that falls between two of its points.
 */
export type ForecastPoint = readonly [unixSeconds: number, median: number, high: number];

/**
 * How a fitted trend is carried past the last sample: `none` extrapolates it straight,
 * `all` damps it (it adds at most slope × time constant), `declines` damps only a falling
 * trend — conservative for a reserve: a rise is never under-forecast, a fall is never
 * promised to go on forever.
 */
export type TrendDamping = 'none' | 'declines' | 'all';

export interface ForecastOptions {
  /** The moment the forecast is made, unix seconds; samples after it are ignored. */
  now: number;
  /** How far ahead, seconds (default 90 days: the contracts' notice period). */
  horizonSeconds?: number;
  /** Output step, seconds (default 1 hour). */
  stepSeconds?: number;
  /** The high quantile, in [0.5, 1) (default 0.95). */
  quantile?: number;
  /**
   * The high band is an upper tolerance bound: with this probability (default 0.9), at least
   * `quantile` of future instants lie under it. It accounts for the fitted curve and the
   * spread being estimates; 0.5 gives about a plain quantile. In [0.5, 1).
   */
  bandConfidence?: number;
  /** When given, median and high are clamped to [0, capacity]; they are always ≥ 0. */
  capacity?: number;
  /** Default `declines`. */
  trendDamping?: TrendDamping;
  /** Damping time constant, days (default: the history's span). */
  dampingDays?: number;
}

/** `model`: a trend + Fourier regression; `recent-level`: too little history for one. */
export type ForecastBasis = 'model' | 'recent-level';

/** The fitted model, for display. Times of day and days of the week are UTC. */
export interface ForecastModel {
  /** Span of the usable history, days, and its sample count and step. */
  historyDays: number;
  samples: number;
  historyStepSeconds: number;
  /** Trend value (no seasonality) at `now`, damping applied. */
  levelAtNow: number;
  /** Fitted slope, per day, and its standard error (both 0 for `recent-level`: no trend is fitted). */
  trendPerDay: number;
  trendStdErrPerDay: number;
  damping: { mode: TrendDamping; applied: boolean; timeConstantDays: number };
  dailyHarmonics: number;
  weeklyHarmonics: number;
  /** Mean seasonal offset by UTC hour of day (24) and UTC day of week (7, Sunday first). */
  dailyProfile: number[];
  weeklyProfile: number[];
  /** Half the peak-to-trough range of each profile. */
  dailyAmplitude: number;
  weeklyAmplitude: number;
  /** How far above the median a moment strays at the high quantile, before trend uncertainty. */
  upperSpread: number;
  /** √(long-run variance): the residual spread that the level and trend errors scale with. */
  longRunStdDev: number;
  /** e-folding time of the residuals' autocorrelation, hours. */
  persistenceHours: number;
  /** The last hour's residual, carried into the forecast and decaying with the persistence. */
  recentOffset: number;
}

export interface DemandForecast {
  basis: ForecastBasis;
  now: number;
  horizonSeconds: number;
  stepSeconds: number;
  quantile: number;
  bandConfidence: number;
  capacity: number | null;
  points: ForecastPoint[];
  model: ForecastModel;
  /** Standard deviation of the in-sample residuals (of the samples, for `recent-level`). */
  residualStdDev: number;
  /** Plain-language caveats: short history, no weekly shape, stale or sparse history. */
  notes: string[];
}
