import { describe, expect, it } from 'vitest';
import {
  ANCHOR_MS,
  createSimulator,
  DEFAULT_SCENARIO_PARAMS,
  demandShareAt,
  resolveScenarioParams,
  trendLevelAt,
  type Simulator,
} from '../../../server/src/sim/simulator.js';
import { DAY_MS, HOUR_MS, mediumSite } from './exposition.js';

const params = resolveScenarioParams();

/** Mean internal GPUs as a share of the site over [from, to) at `stepMs`. */
function meanInternalShare(sim: Simulator, from: number, to: number, stepMs: number): number {
  let sum = 0;
  let n = 0;
  for (let t = from; t < to; t += stepMs, n++) sum += sim.internalDemandAt(t);
  return sum / n / sim.topology.slotNode.length;
}

/** Site-local wall time (UTC−6) as unix ms. */
const localTime = (isoDate: string, hour: number): number => Date.parse(`${isoDate}T00:00:00Z`) + (hour + 6) * HOUR_MS;

describe('demand scenarios', () => {
  it('places the decline from 85 % on 2026-10-02 to 45 % on 2026-12-31, mid-way in mid-November', () => {
    expect(new Date(ANCHOR_MS).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(trendLevelAt('decline', params, Date.parse('2026-09-01'))).toBeCloseTo(0.85, 6);
    expect(trendLevelAt('decline', params, Date.parse('2026-10-02'))).toBeCloseTo(0.85, 6);
    expect(trendLevelAt('decline', params, Date.parse('2026-11-16'))).toBeCloseTo(0.65, 2);
    expect(trendLevelAt('decline', params, Date.parse('2026-12-31'))).toBeCloseTo(0.45, 6);
    expect(trendLevelAt('decline', params, Date.parse('2027-03-01'))).toBeCloseTo(0.45, 6);
  });

  it('declines week over week in the decline scenario, in the level and in the GPUs internal work holds', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'decline', seed: 12 });
    const start = DEFAULT_SCENARIO_PARAMS.declineStartMs;
    const weekly = [0, 3, 6, 9, 12].map((w) => meanInternalShare(sim, start + w * 7 * DAY_MS, start + (w + 1) * 7 * DAY_MS, HOUR_MS));
    for (let i = 1; i < weekly.length; i++) expect(weekly[i]).toBeLessThan((weekly[i - 1] ?? 0) - 0.03);
    expect(weekly[0]).toBeGreaterThan(0.7);
    expect(weekly[4]).toBeLessThan(0.5);
  });

  it('comes back sharply after reboundAtMs in the rebound scenario', () => {
    const reboundAtMs = Date.parse('2026-11-20T12:00:00Z');
    const sim = createSimulator({ topology: mediumSite(), scenario: 'rebound', seed: 13, scenarioParams: { reboundAtMs } });
    const before = meanInternalShare(sim, reboundAtMs - 2 * DAY_MS, reboundAtMs, HOUR_MS);
    const after = meanInternalShare(sim, reboundAtMs + 3 * DAY_MS, reboundAtMs + 5 * DAY_MS, HOUR_MS);
    expect(after - before).toBeGreaterThan(0.15);
    expect(trendLevelAt('rebound', { ...params, reboundAtMs }, reboundAtMs - 1)).toBeCloseTo(
      trendLevelAt('decline', params, reboundAtMs - 1),
      9,
    );
    const decline = createSimulator({ topology: mediumSite(), scenario: 'decline', seed: 13 });
    expect(meanInternalShare(decline, reboundAtMs + 3 * DAY_MS, reboundAtMs + 5 * DAY_MS, HOUR_MS)).toBeLessThan(after - 0.15);
  });

  it('takes about 5 % of nodes down for several hours in the failures scenario, and only then', () => {
    const waveAt = Date.parse('2026-11-10T14:00:00Z');
    const sim = createSimulator({
      topology: mediumSite(),
      scenario: 'failures',
      seed: 14,
      scenarioParams: { failureWaveAtMs: waveAt, nodeFailuresPerDay: 0, maintenanceEveryMs: 10_000 * DAY_MS },
    });
    const downShare = (t: number): number => (sim.aggregateAt(t)[0]?.counts.down ?? 0) / sim.topology.slotNode.length;
    expect(downShare(waveAt - HOUR_MS)).toBe(0);
    expect(downShare(waveAt + 2 * HOUR_MS)).toBeGreaterThan(0.02);
    expect(downShare(waveAt + 2 * HOUR_MS)).toBeLessThan(0.09);
    expect(downShare(waveAt + 3.5 * HOUR_MS)).toBeGreaterThan(0.02);
    expect(downShare(waveAt + 9 * HOUR_MS)).toBe(0);
    expect(meanInternalShare(sim, waveAt - 10 * DAY_MS, waveAt - 3 * DAY_MS, HOUR_MS)).toBeCloseTo(0.67, 1);
  });

  it('shapes each day with a busier afternoon than night, and weekends lower than weekdays', () => {
    const weekdays = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'];
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const at = (hour: number, days: string[]): number => mean(days.map((d) => demandShareAt('flat', params, 1, localTime(d, hour))));
    expect(at(15, weekdays) - at(3, weekdays)).toBeGreaterThan(0.1);
    expect(at(12, ['2026-11-07', '2026-11-08'])).toBeLessThan(at(12, weekdays) - 0.05);

    const sim = createSimulator({ topology: mediumSite(), scenario: 'flat', seed: 15 });
    const internalAt = (hour: number): number => mean(weekdays.map((d) => sim.internalDemandAt(localTime(d, hour))));
    expect(internalAt(16)).toBeGreaterThan(internalAt(4));
  });

  it('keeps internal demand within [0, 1] of the site for every scenario', () => {
    for (const scenario of ['decline', 'flat', 'rebound', 'failures'] as const) {
      for (let t = ANCHOR_MS - 90 * DAY_MS; t < ANCHOR_MS + 60 * DAY_MS; t += 7 * HOUR_MS) {
        const share = demandShareAt(scenario, { ...params, dailyAmplitude: 0.3, noiseAmplitude: 0.2 }, 3, t);
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
    }
  });
});
