import { seededRandom } from '../../support/seeded-random.js';
import type { DemandSample } from '../../../server/src/domain/capacity/forecast.js';

export const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;
export const WEEK = 7 * DAY;

/** 2026-10-05T00:00:00Z, a Monday: where the synthetic histories start. */
export const START = Date.UTC(2026, 9, 5) / 1000;

/** A seeded uniform generator in [0, 1), so every test builds the same series. */
export const uniform = seededRandom;

/** Seeded standard normal draws (Box–Muller). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Samples of `value(t)` every `stepSeconds` for `days` days from `from`. */
export function series(value: (t: number) => number, opts: { from?: number; days: number; stepSeconds?: number }): DemandSample[] {
  const from = opts.from ?? START;
  const step = opts.stepSeconds ?? 5 * MINUTE;
  const count = Math.round((opts.days * DAY) / step);
  return Array.from({ length: count }, (_, i) => {
    const t = from + i * step;
    return [t, value(t)] as const;
  });
}

/**
 * AR(1) noise of stationary standard deviation `sd` at each sample, correlated between
 * consecutive samples by `phi`, plus independent measurement noise of `jitter`: the shape
 * of real demand noise (a busy afternoon stays busy for a while).
 */
export function ar1Noise(count: number, opts: { seed: number; sd: number; phi: number; jitter?: number }): Float64Array {
  const draw = normal(opts.seed);
  const innovation = opts.sd * Math.sqrt(1 - opts.phi * opts.phi);
  const out = new Float64Array(count);
  let state = opts.sd * draw();
  for (let i = 0; i < count; i++) {
    state = opts.phi * state + innovation * draw();
    out[i] = state + (opts.jitter ?? 0) * draw();
  }
  return out;
}

/** Adds noise[i] to the i-th sample. */
export function withNoise(samples: DemandSample[], noise: Float64Array): DemandSample[] {
  return samples.map(([t, v], i) => [t, v + (noise[i] ?? 0)] as const);
}

const hourOfDay = (t: number): number => (((t % DAY) + DAY) % DAY) / HOUR;

/** A daily wave peaking at `peakHourUtc`, ± amplitude. */
export const daily = (t: number, amplitude: number, peakHourUtc = 21): number =>
  amplitude * Math.cos((2 * Math.PI * (hourOfDay(t) - peakHourUtc)) / 24);

/** A smooth weekly wave (two harmonics) — the shape a weekly Fourier model can hold exactly. */
export const weekly = (t: number, amplitude: number): number =>
  amplitude * (Math.cos((2 * Math.PI * t) / WEEK) + 0.5 * Math.sin((4 * Math.PI * t) / WEEK));

/** 1 on Saturdays and Sundays (UTC), 0 otherwise: a weekend step, harder than a smooth wave. */
export const weekend = (t: number): number => {
  const dow = (Math.floor(t / DAY) + 4) % 7;
  return dow === 0 || dow === 6 ? 1 : 0;
};
