import { DomainError } from '../errors.js';
import type { ForecastPoint } from './forecast-types.js';

/** What reserveFrom and firstCrossing read of a forecast: its points. */
export interface ForecastPoints {
  points: ReadonlyArray<ForecastPoint>;
}

/** A safety margin on top of the high quantile: a share of it, whole GPUs, or both (added). */
export interface SafetyMargin {
  fraction?: number;
  gpus?: number;
}

export interface ReserveOptions {
  safetyMargin?: SafetyMargin;
  /** Only points starting before this unix time count (e.g. the end of a notice period). */
  until?: number;
}

export interface Reserve {
  /** GPUs to keep for internal demand: ⌈peakHigh × (1 + fraction) + gpus⌉. */
  gpus: number;
  /** The highest high quantile over the horizon, and the start of its step. */
  peakHigh: number;
  peakAt: number;
  /** The margin added to peakHigh, GPUs (before rounding up). */
  marginGpus: number;
}

/** Rounding up tolerates float noise: 100 × 1.1 is 110.00000000000001, and keeps 110. */
const CEIL_TOLERANCE = 1e-9;

function nonNegative(field: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new DomainError('invalid', `${field} must be a finite number ≥ 0, got ${value}`, { field });
  }
  return value;
}

/**
 * The GPUs to keep for internal demand over the horizon: the maximum of the high quantile
 * over the forecast's points (those starting before `until`, when given), plus the margin,
 * rounded up to whole GPUs. The result may exceed the capacity the forecast was clamped to;
 * sellable = max(0, up − sold − reserve) is the caller's.
 *
 * @throws DomainError('invalid') for a negative margin, or when no point is in range.
 */
export function reserveFrom(forecast: ForecastPoints, options: ReserveOptions = {}): Reserve {
  const fraction = nonNegative('safetyMargin.fraction', options.safetyMargin?.fraction);
  const extraGpus = nonNegative('safetyMargin.gpus', options.safetyMargin?.gpus);
  const until = options.until ?? Number.POSITIVE_INFINITY;
  let peakHigh = Number.NEGATIVE_INFINITY;
  let peakAt = Number.NaN;
  for (const [t, , high] of forecast.points) {
    if (t >= until) break;
    if (high > peakHigh) {
      peakHigh = high;
      peakAt = t;
    }
  }
  if (Number.isNaN(peakAt)) throw new DomainError('invalid', 'the forecast has no point in range', { field: 'until' });
  const marginGpus = peakHigh * fraction + extraGpus;
  return { gpus: Math.max(0, Math.ceil(peakHigh + marginGpus - CEIL_TOLERANCE)), peakHigh, peakAt, marginGpus };
}

export interface CrossingOptions {
  /** Which series to test (default `median`); `high` gives the earliest plausible time. */
  series?: 'median' | 'high';
}

/**
 * The first time the forecast exceeds a threshold — "oversold risk: when". Returns the start
 * of the first step whose peak median (or high) is strictly above `threshold`, which is at
 * or before the instant of crossing and less than one step ahead of it; null if it never is.
 * The threshold may vary with time (e.g. up − sold as contracts start and end).
 */
export function firstCrossing(
  forecast: ForecastPoints,
  threshold: number | ((unixSeconds: number) => number),
  options: CrossingOptions = {},
): number | null {
  const column = options.series === 'high' ? 2 : 1;
  for (const point of forecast.points) {
    const t = point[0];
    const limit = typeof threshold === 'number' ? threshold : threshold(t);
    if (point[column] > limit) return t;
  }
  return null;
}
