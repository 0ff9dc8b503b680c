/**
 * Micro-benchmark for forecastDemand (not a test): `npx tsx test/unit/capacity/forecast-speed.manual.ts [runs]`.
 *
 * The budget: a forecast from 30 days of 5-min history (8,640 samples) to a 90-day horizon
 * at 1-hour steps in ≤ 20 ms on one core. Prints min / median / p95 per case after a warm-up
 * (the capacity engine recomputes in a long-lived process, so warm timings are the ones
 * that count).
 */
import { forecastDemand, type ForecastOptions } from '../../../server/src/domain/capacity/forecast.js';
import { reserveFrom } from '../../../server/src/domain/capacity/forecast-reserve.js';
import { ar1Noise, DAY, daily, HOUR, MINUTE, series, START, weekend, withNoise } from './forecast-builders.js';

const RUNS = Number(process.argv[2] ?? 200);
const truth = (t: number): number => (150_000 - 800 * ((t - START) / DAY) + daily(t, 12_000)) * (1 - 0.15 * weekend(t));

function history(days: number, stepSeconds: number) {
  const clean = series(truth, { days, stepSeconds });
  return withNoise(clean, ar1Noise(clean.length, { seed: 1, sd: 3_000, phi: 0.97, jitter: 500 }));
}

const cases: Array<{ name: string; samples: ReturnType<typeof history>; options: ForecastOptions }> = [
  { name: '30 d of 5-min → 90 d at 1 h', samples: history(30, 5 * MINUTE), options: { now: START + 30 * DAY } },
  { name: '30 d of 5-min → 90 d at 6 h', samples: history(30, 5 * MINUTE), options: { now: START + 30 * DAY, stepSeconds: 6 * HOUR } },
  { name: '30 d of 1-h → 90 d at 1 h', samples: history(30, HOUR), options: { now: START + 30 * DAY } },
  { name: '14 d of 5-min → 90 d at 1 h', samples: history(14, 5 * MINUTE), options: { now: START + 14 * DAY } },
];

for (const c of cases) {
  for (let i = 0; i < 20; i++) forecastDemand(c.samples, c.options);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const f = forecastDemand(c.samples, c.options);
    if (f) reserveFrom(f);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number): string => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN).toFixed(2);
  console.log(
    `${c.name.padEnd(30)} ${String(c.samples.length).padStart(5)} samples  min ${at(0)} ms  median ${at(0.5)} ms  p95 ${at(0.95)} ms`,
  );
}
