/**
 * What the in-sample residuals of the demand regression say about the future: how far a
 * single moment strays above the fitted curve (an empirical quantile), how long a stray
 * lasts (persistence), and how much the residuals' autocorrelation inflates the uncertainty
 * of the fitted level and trend (the long-run variance).
 *
 * Demand residuals are strongly autocorrelated — a busy afternoon stays busy for hours — so
 * the textbook OLS standard errors, which assume independent samples, would be too small by
 * a factor of the square root of the samples per decorrelation time (≈ 6 for 5-min samples
 * and a few hours' memory). The long-run variance fixes that: it is the variance per sample
 * that a sum of correlated samples actually has.
 */

/** Residuals are averaged into bins of at least an hour before their autocorrelation is read. */
export const RESIDUAL_BIN_SECONDS = 3_600;
/** Longest lag, in hours, of the autocorrelation used for the long-run variance and persistence. */
const MAX_LAG_HOURS = 72;
/** The AR(1) reading of the long-run variance caps the bins' lag-1 correlation here (×39). */
const MAX_AR1 = 0.95;
/** Floor of the effective degrees of freedom (the band is then ≥ 1.4 × the spread). */
const MIN_DEGREES_OF_FREEDOM = 10;

export interface ResidualStats {
  /** Residuals' median (the median forecast sits at fit + this). */
  median: number;
  /** q-quantile minus the median, ≥ 0: how far above the median a moment strays. */
  upperSpread: number;
  /** Residual standard deviation, corrected for what the fit absorbed of the noise. */
  stdDev: number;
  /** Long-run variance per sample (≥ stdDev²): the OLS covariance scales by this. */
  longRunVariance: number;
  /** e-folding time of the residuals' autocorrelation, seconds (0 when independent). */
  persistenceSeconds: number;
  /** Mean residual over the last bin before the last sample, minus the median. */
  recentOffset: number;
  /**
   * Per column, the noise's variance per sample at the column's frequency (its spectral
   * density): what each fitted coefficient's (XᵀX)⁻¹ diagonal scales by.
   */
  columnVariances: Float64Array;
  /** Independent samples the residuals are worth, less the low-frequency columns fitted (≥ 10). */
  degreesOfFreedom: number;
}

/**
 * Rearranges `xs` so that xs[k] is its (k+1)-th smallest value, smaller ones before it and
 * larger ones after (Hoare's quickselect, median-of-three pivots): O(n), where a sort of the
 * 8,640 residuals of 30 days at 5 min would be O(n log n).
 */
export function selectKth(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const a = xs[lo] ?? 0;
    const b = xs[mid] ?? 0;
    const c = xs[hi] ?? 0;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((xs[i] ?? 0) < pivot) i++;
      while ((xs[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const tmp = xs[i] ?? 0;
        xs[i] = xs[j] ?? 0;
        xs[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k] ?? Number.NaN;
}

/**
 * The q-quantile of values as the ⌈(n + 1)q⌉-th smallest (capped at the largest): the
 * split-conformal choice, for which a new exchangeable value falls at or below it with
 * probability ≥ q. Reorders `xs`.
 */
export function conformalQuantile(xs: Float64Array, q: number): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const k = Math.min(n, Math.max(1, Math.ceil((n + 1) * q)));
  return selectKth(xs, k - 1);
}

/** The median of values (mean of the two middle ones for an even count). Reorders `xs`. */
export function selectedMedian(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const upper = selectKth(xs, n >> 1);
  if (n % 2 === 1) return upper;
  // After the selection everything below index n/2 is ≤ upper: its maximum is the lower middle.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n >> 1; i++) lower = Math.max(lower, xs[i] ?? lower);
  return (lower + upper) / 2;
}

export interface ResidualContext {
  /** The high quantile wanted. */
  quantile: number;
  /** The history's sampling step, seconds. */
  stepSeconds: number;
  /** Each regression column's period, seconds (Infinity for the intercept and the trend). */
  columnPeriodsSeconds: ReadonlyArray<number>;
}

/** Mean residual per bin of `binSeconds` from the first sample (NaN where a bin is empty). */
function binMeans(times: Float64Array, residuals: Float64Array, binSeconds: number): { means: Float64Array; filled: number } {
  const n = residuals.length;
  const t0 = times[0] ?? 0;
  const count = Math.floor(((times[n - 1] ?? t0) - t0) / binSeconds) + 1;
  const sums = new Float64Array(count);
  const counts = new Uint32Array(count);
  for (let i = 0; i < n; i++) {
    const b = Math.min(count - 1, Math.floor(((times[i] ?? t0) - t0) / binSeconds));
    sums[b] = (sums[b] ?? 0) + (residuals[i] ?? 0);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  let filled = 0;
  const means = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const c = counts[b] ?? 0;
    means[b] = c > 0 ? (sums[b] ?? 0) / c : Number.NaN;
    if (c > 0) filled++;
  }
  return { means, filled };
}

/** Autocovariance of a series with NaN holes at `lag`, about `mean`, over the pairs present. */
function autocovariance(xs: Float64Array, mean: number, lag: number): number {
  let s = 0;
  let pairs = 0;
  for (let b = lag; b < xs.length; b++) {
    const x = xs[b] ?? Number.NaN;
    const y = xs[b - lag] ?? Number.NaN;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    s += (x - mean) * (y - mean);
    pairs++;
  }
  return pairs > 0 ? s / pairs : 0;
}

/**
 * Residual statistics: `times` ascending (unix seconds) and the regression's `residuals` at
 * them, one per history sample.
 */
export function residualStats(times: Float64Array, residuals: Float64Array, ctx: ResidualContext): ResidualStats {
  const n = residuals.length;
  const scratch = Float64Array.from(residuals);
  const median = selectedMedian(scratch);
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (residuals[i] ?? 0) ** 2;

  const binSeconds = Math.max(RESIDUAL_BIN_SECONDS, ctx.stepSeconds);
  const { means, filled } = binMeans(times, residuals, binSeconds);
  let binTotal = 0;
  for (const m of means) if (!Number.isNaN(m)) binTotal += m;
  const binMean = filled > 0 ? binTotal / filled : 0;
  const maxLag = Math.min(Math.round((MAX_LAG_HOURS * 3_600) / binSeconds), Math.floor(means.length / 4));
  const gamma0 = autocovariance(means, binMean, 0);
  let longRunBin = gamma0;
  let persistenceBins = gamma0 > 0 ? Number.NaN : 0;
  let prevRho = 1;
  let rho1 = 0;
  for (let lag = 1; lag <= maxLag; lag++) {
    const gamma = autocovariance(means, binMean, lag);
    // Bartlett weights keep the estimate non-negative (Newey–West).
    longRunBin += 2 * (1 - lag / (maxLag + 1)) * gamma;
    const rho = gamma0 > 0 ? gamma / gamma0 : 0;
    if (lag === 1) rho1 = rho;
    if (Number.isNaN(persistenceBins) && rho < Math.exp(-1)) {
      persistenceBins = lag - 1 + (prevRho - Math.exp(-1)) / Math.max(1e-12, prevRho - rho);
    }
    prevRho = rho;
  }
  if (Number.isNaN(persistenceBins)) persistenceBins = maxLag;
  // The regression has already taken out part of the noise's low-frequency power — what the
  // long-run variance measures — so Bartlett on its residuals reads low (≈ 0.7× on AR(1)
  // noise). An AR(1) fitted to the bin means reads it from the lag-1 correlation, which the
  // regression barely touches; the larger of the two is kept.
  const r1 = Math.min(MAX_AR1, Math.max(0, rho1));
  longRunBin = Math.max(longRunBin, (gamma0 * (1 + r1)) / (1 - r1));
  // A bin mean of k samples: the long-run variance per sample is k times the per-bin one.
  const samplesPerBin = n / Math.max(1, filled);
  const inSampleVariance = rss / Math.max(1, n);
  const longRunVariance = Math.max(inSampleVariance, samplesPerBin * longRunBin);

  // In-sample residuals are smaller than the noise: each column took out about the noise's
  // spectral density at its frequency — the long-run variance at zero frequency, less at the
  // daily harmonics — read from an AR(1) shape on the bins. (For independent noise this is
  // the textbook n / (n − p).)
  const arShape = (periodSeconds: number): number => {
    if (!Number.isFinite(periodSeconds)) return 1;
    const w = (2 * Math.PI * binSeconds) / periodSeconds;
    return (1 - r1) ** 2 / (1 - 2 * r1 * Math.cos(w) + r1 * r1);
  };
  const columnVariances = Float64Array.from(ctx.columnPeriodsSeconds, (period) => longRunVariance * arShape(period));
  let absorbed = 0;
  let lowFrequencyColumns = 0;
  for (let j = 0; j < columnVariances.length; j++) {
    absorbed += columnVariances[j] ?? 0;
    if (arShape(ctx.columnPeriodsSeconds[j] ?? 0) > 0.5) lowFrequencyColumns++;
  }
  const inflation = rss > 0 ? Math.sqrt(1 + absorbed / rss) : 1;
  const upperSpread = Math.max(0, conformalQuantile(scratch, ctx.quantile) - median) * inflation;
  const noiseVariance = (rss + absorbed) / Math.max(1, n);
  const degreesOfFreedom = Math.max(MIN_DEGREES_OF_FREEDOM, (n * noiseVariance) / longRunVariance - lowFrequencyColumns);

  const tLast = times[n - 1] ?? 0;
  let recentSum = 0;
  let recentCount = 0;
  for (let i = n - 1; i >= 0 && (times[i] ?? 0) > tLast - binSeconds; i--) {
    recentSum += residuals[i] ?? 0;
    recentCount++;
  }

  return {
    median,
    upperSpread,
    stdDev: Math.sqrt(noiseVariance),
    longRunVariance,
    persistenceSeconds: persistenceBins * binSeconds,
    recentOffset: recentCount > 0 ? recentSum / recentCount - median : 0,
    columnVariances,
    degreesOfFreedom,
  };
}

/**
 * The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation,
 * relative error < 1.2 × 10⁻⁹).
 */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const at = (xs: ReadonlyArray<number>, i: number): number => xs[i] ?? 0;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c, 4)) * q + at(c, 5)) /
      ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((at(a, 0) * r + at(a, 1)) * r + at(a, 2)) * r + at(a, 3)) * r + at(a, 4)) * r + at(a, 5)) * q) /
    (((((at(b, 0) * r + at(b, 1)) * r + at(b, 2)) * r + at(b, 3)) * r + at(b, 4)) * r + 1)
  );
}

/**
 * The margin above the median of a one-sided upper tolerance bound: with probability
 * `confidence`, at least the share q of future instants lie under median + margin. Natrella's
 * normal approximation k·σ = (z_q·σ + √((1 − a)·z_q²σ² + a·z_c²·v)) / a with
 * a = 1 − z_c² / 2ν, written in terms of `spread` = z_q·σ (the residuals' empirical upper
 * spread) so that σ = 0 needs no special case. `meanVariance` v is the variance of the fitted
 * curve at that instant and ν the effective degrees of freedom behind the spread. With
 * v = 0 and ν → ∞ it is the spread itself; as v grows it tends to spread + z_c·√v: the
 * curve's error, at the confidence asked, on top of the instant's own spread. Returns the
 * margin as a function of (spread, v) for a given confidence and ν.
 */
export function toleranceMargin(confidence: number, nu: number): (spread: number, meanVariance: number) => number {
  const zc = normalQuantile(confidence);
  const a = 1 - (zc * zc) / (2 * nu);
  const zc2a = a * zc * zc;
  return (spread, meanVariance) => (spread + Math.sqrt((1 - a) * spread * spread + zc2a * meanVariance)) / a;
}
