import { unit4, Stream } from './random.js';
import { DAY_MS, type ScenarioName, type ScenarioParams } from './scenario.js';

/**
 * The owner's internal demand D(t): the share of the site's GPUs its own work wants, in
 * [0, 1]. D(t) = trend level × daily shape × weekly shape + slow noise, clamped. Pure in
 * (scenario, params, seed, tMs): no state, so any past or future moment is one call.
 */

const HOUR_MS = 3_600_000;

/** Cosine ease from 0 to 1 as x goes from 0 to 1 (flat outside). */
function ease(x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return (1 - Math.cos(Math.PI * x)) / 2;
}

function declineLevelAt(params: ScenarioParams, tMs: number): number {
  const progress = ease((tMs - params.declineStartMs) / params.declineDurationMs);
  return params.startLevel + (params.endLevel - params.startLevel) * progress;
}

/**
 * The scenario's trend level at tMs, before the daily and weekly shape and noise: what a
 * forecaster should recover as "level × trend".
 */
export function trendLevelAt(scenario: ScenarioName, params: ScenarioParams, tMs: number): number {
  switch (scenario) {
    case 'decline':
      return declineLevelAt(params, tMs);
    case 'flat':
    case 'failures':
      return params.flatLevel;
    case 'rebound': {
      if (tMs < params.reboundAtMs) return declineLevelAt(params, tMs);
      const from = declineLevelAt(params, params.reboundAtMs);
      return from + (params.reboundLevel - from) * ease((tMs - params.reboundAtMs) / params.reboundRampMs);
    }
  }
}

/** Site-local milliseconds since the epoch (fixed UTC offset; the model ignores DST). */
function localMs(params: ScenarioParams, tMs: number): number {
  return tMs + params.utcOffsetHours * HOUR_MS;
}

/** Daily multiplier: 1 + amplitude at the peak hour, 1 − amplitude twelve hours later. */
export function dailyFactorAt(params: ScenarioParams, tMs: number): number {
  const local = localMs(params, tMs);
  const hour = (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return 1 + params.dailyAmplitude * Math.cos((2 * Math.PI * (hour - params.peakHourLocal)) / 24);
}

/** Weekly multiplier: weekendFactor on Saturdays and Sundays (site time), 1 otherwise. */
export function weeklyFactorAt(params: ScenarioParams, tMs: number): number {
  // 1970-01-01 was a Thursday (day 4 with Sunday = 0).
  const dayOfWeek = (((Math.floor(localMs(params, tMs) / DAY_MS) + 4) % 7) + 7) % 7;
  return dayOfWeek === 0 || dayOfWeek === 6 ? params.weekendFactor : 1;
}

/** Slow value noise in [−amplitude, amplitude], smoothly interpolated between seeded knots. */
export function noiseAt(params: ScenarioParams, seed: number, tMs: number): number {
  if (params.noiseAmplitude === 0) return 0;
  const position = tMs / params.noiseKnotMs;
  const knot = Math.floor(position);
  const frac = position - knot;
  const a = unit4(seed, Stream.demandNoise, knot, 0) * 2 - 1;
  const b = unit4(seed, Stream.demandNoise, knot + 1, 0) * 2 - 1;
  const smooth = frac * frac * (3 - 2 * frac);
  return params.noiseAmplitude * (a + (b - a) * smooth);
}

/**
 * Internal demand D(t) as a share of the site's GPUs, in [0, 1].
 *
 * @param scenario which story the level follows
 * @param params resolved scenario parameters
 * @param seed the simulator's seed (only the noise depends on it)
 * @param tMs unix ms
 */
export function demandShareAt(scenario: ScenarioName, params: ScenarioParams, seed: number, tMs: number): number {
  const shaped =
    trendLevelAt(scenario, params, tMs) * dailyFactorAt(params, tMs) * weeklyFactorAt(params, tMs) + noiseAt(params, seed, tMs);
  return Math.min(1, Math.max(0, shaped));
}
