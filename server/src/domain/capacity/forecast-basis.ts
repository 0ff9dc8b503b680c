/**
 * The regression basis of the demand forecast: an intercept, a linear time term and Fourier
 * terms for the daily (24 h) and weekly (168 h) cycles.
 *
 * A row is `[1, xDays, sin(kωd t), cos(kωd t) for k = 1..Kd, sin(kωw t), cos(kωw t) for k = 1..Kw]`.
 * Weekly harmonics stop at 6: the 7th weekly harmonic is the daily fundamental, so more
 * would make the columns collinear. Phases are taken from `t mod period`, so large unix
 * times lose no precision, and higher harmonics come from the Chebyshev recurrence, so a row
 * costs at most two sin/cos pairs however many harmonics it has (none on a regular grid).
 */

export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** Harmonics kept at most: four daily (24, 12, 8, 6 h) and six weekly (168 … 28 h). */
export const MAX_DAILY_HARMONICS = 4;
export const MAX_WEEKLY_HARMONICS = 6;

/** History a daily shape needs (two full cycles), and a weekly one. */
export const MIN_DAILY_HISTORY_SECONDS = 2 * DAY_SECONDS;
export const MIN_WEEKLY_HISTORY_SECONDS = 14 * DAY_SECONDS;

/** A harmonic is kept only if its period spans at least this many samples (Nyquist is 2). */
const SAMPLES_PER_HARMONIC_PERIOD = 2.5;

export interface SeasonalBasis {
  dailyHarmonics: number;
  weeklyHarmonics: number;
}

/** Columns in a row of this basis. */
/** Weekly harmonics 7, 14, … are daily ones: the weekly columns skip them. */
export function weeklyHarmonicIndexes(basis: SeasonalBasis): number[] {
  const ks: number[] = [];
  for (let k = 1; k <= basis.weeklyHarmonics; k++) if (k % 7 !== 0) ks.push(k);
  return ks;
}

export function basisWidth(basis: SeasonalBasis): number {
  return 2 + 2 * (basis.dailyHarmonics + weeklyHarmonicIndexes(basis).length);
}

/**
 * Picks the harmonics a history can support: the daily shape from 2 days of history, the
 * weekly one from 14 (one weekend is noise, not a shape), and no harmonic faster than the
 * sampling resolves.
 */
export function chooseBasis(spanSeconds: number, stepSeconds: number): SeasonalBasis {
  // Each sample stands for one step, so 14 days of 5-min samples span 14 days less 5 minutes.
  const covered = spanSeconds + stepSeconds;
  const resolvable = (period: number, max: number): number =>
    stepSeconds > 0 ? Math.min(max, Math.floor(period / (SAMPLES_PER_HARMONIC_PERIOD * stepSeconds))) : max;
  return {
    dailyHarmonics: covered >= MIN_DAILY_HISTORY_SECONDS ? resolvable(DAY_SECONDS, MAX_DAILY_HARMONICS) : 0,
    weeklyHarmonics: covered >= MIN_WEEKLY_HISTORY_SECONDS ? resolvable(WEEK_SECONDS, MAX_WEEKLY_HARMONICS) : 0,
  };
}

function phase(tSeconds: number, periodSeconds: number): number {
  const r = tSeconds % periodSeconds;
  return (2 * Math.PI * (r < 0 ? r + periodSeconds : r)) / periodSeconds;
}

/** Rotations between fresh sin/cos evaluations, so rounding cannot accumulate. */
const ROTATIONS_PER_ANCHOR = 256;

/**
 * sin and cos of one cycle's phase at successive times. Samples at a fixed step advance the
 * phase by a fixed angle, so the next value is a rotation of the last (4 multiplies) rather
 * than two trig calls; any other time is computed afresh.
 */
class Phasor {
  s = 0;
  c = 1;
  private lastT = Number.NaN;
  private dt = Number.NaN;
  private cosDt = 1;
  private sinDt = 0;
  private deltaReady = false;
  private rotations = 0;

  constructor(private readonly periodSeconds: number) {}

  moveTo(t: number): void {
    const dt = t - this.lastT;
    if (dt === this.dt && this.rotations < ROTATIONS_PER_ANCHOR) {
      if (!this.deltaReady) {
        const b = phase(dt, this.periodSeconds);
        this.cosDt = Math.cos(b);
        this.sinDt = Math.sin(b);
        this.deltaReady = true;
      }
      const s = this.s * this.cosDt + this.c * this.sinDt;
      this.c = this.c * this.cosDt - this.s * this.sinDt;
      this.s = s;
      this.rotations++;
    } else {
      const a = phase(t, this.periodSeconds);
      this.s = Math.sin(a);
      this.c = Math.cos(a);
      if (dt !== this.dt) this.deltaReady = false;
      this.dt = dt;
      this.rotations = 0;
    }
    this.lastT = t;
  }
}

function fillHarmonics(row: Float64Array, offset: number, s1: number, c1: number, harmonics: number, skipEvery: number): number {
  let sPrev = 0;
  let cPrev = 1;
  let s = s1;
  let c = c1;
  let o = offset;
  for (let k = 1; k <= harmonics; k++) {
    if (k % skipEvery !== 0) {
      row[o++] = s;
      row[o++] = c;
    }
    const sNext = 2 * c1 * s - sPrev;
    const cNext = 2 * c1 * c - cPrev;
    sPrev = s;
    cPrev = c;
    s = sNext;
    c = cNext;
  }
  return o;
}

/** Fills basis rows; fastest when called with times at a fixed step. */
export class RowBuilder {
  readonly width: number;
  private readonly day = new Phasor(DAY_SECONDS);
  private readonly week = new Phasor(WEEK_SECONDS);

  constructor(readonly basis: SeasonalBasis) {
    this.width = basisWidth(basis);
  }

  /** Writes the row for unix time `tSeconds` with trend coordinate `xDays` into `row`. */
  fill(row: Float64Array, tSeconds: number, xDays: number): void {
    row[0] = 1;
    row[1] = xDays;
    let o = 2;
    if (this.basis.dailyHarmonics > 0) {
      this.day.moveTo(tSeconds);
      o = fillHarmonics(row, o, this.day.s, this.day.c, this.basis.dailyHarmonics, Number.POSITIVE_INFINITY);
    }
    if (this.basis.weeklyHarmonics > 0) {
      this.week.moveTo(tSeconds);
      fillHarmonics(row, o, this.week.s, this.week.c, this.basis.weeklyHarmonics, 7);
    }
  }
}

/** The seasonal part (columns 2…) of `row · beta`. */
export function seasonalPart(row: Float64Array, beta: Float64Array): number {
  let sum = 0;
  for (let j = 2; j < beta.length; j++) sum += (row[j] ?? 0) * (beta[j] ?? 0);
  return sum;
}
