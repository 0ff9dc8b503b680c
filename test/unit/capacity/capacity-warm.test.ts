import { describe, expect, it } from 'vitest';
import { createCapacityService } from '../../../server/src/services/capacity/capacity-service.js';
import { loadConfig } from '../../../server/src/config.js';
import { DEFAULT_PRICE_BOOK } from '../../../server/src/domain/contracts/price-book.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { smallOneModel } from '../fleet/builders.js';
import type { HistoryMetric } from '../../../server/src/domain/fleet/rollup.js';
import { summarizeFleet, type FleetSummary } from '../../../server/src/domain/fleet/summary.js';

/**
 * After each round the capacity report is computed in steps with an event-loop turn between
 * them (warm), so a Colossus forecast does not hold the loop for 45–70 ms; the history is read
 * in parts cut at multiples of its step. Steps or not, the
 * report is the one capacity() computes at once.
 */
const NOW_MS = Date.parse('2026-11-27T14:00:00Z');
const DAY_S = 86_400;

/** A small site with a third of its GPUs busy, and 30 days of demand with a daily swing. */
function service() {
  const state = createFleetState(smallOneModel());
  state.state.fill(GpuState.idle);
  for (let slot = 0; slot < state.state.length; slot += 3) state.state[slot] = GpuState.busy;
  let summary: FleetSummary = summarizeFleet(state, NOW_MS, 30_000);
  // Minute rows averaged per step as the rollup store's query does (a step's rows in [from, to)
  // only), with minutes that are not multiples of the step, so where a range is cut matters.
  const history = {
    query(_scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]> {
      const sums = new Map<number, { sum: number; n: number }>();
      for (let t = Math.ceil((fromS - 17) / 60) * 60 + 17; t < toS; t += 60) {
        if (t < fromS) continue;
        const daily = Math.sin((2 * Math.PI * (t % DAY_S)) / DAY_S);
        const v = metric === 'gpus_busy' ? Math.round(120 + 30 * daily + (t % 7)) : 10 + (t % 3);
        const bucket = Math.floor(t / stepS) * stepS;
        const acc = sums.get(bucket) ?? { sum: 0, n: 0 };
        acc.sum += v;
        acc.n++;
        sums.set(bucket, acc);
      }
      return [...sums].map(([t, { sum, n }]) => [t, sum / n]);
    },
  };
  const capacity = createCapacityService({
    fleet: { state, latest: () => summary },
    history,
    contracts: { soldPodsAt: () => new Set<number>(), getPriceBook: () => structuredClone(DEFAULT_PRICE_BOOK) },
    now: () => summary.atMs,
    policy: loadConfig({}).capacity,
  });
  return { capacity, next: (atMs: number) => (summary = summarizeFleet(state, atMs, 30_000)) };
}

describe('capacity warm-up after a round', () => {
  it('computes the same report in turns (history in parts, forecast, engine, pricing) as capacity() at once, and keeps it for the round', async () => {
    const warmed = service();
    const direct = service();
    let turns = 0;
    await warmed.capacity.warm(() => {
      turns++;
      return new Promise((resolve) => setImmediate(resolve));
    });
    // Three parts of each history metric, the forecast, the engine: a turn after each.
    expect(turns).toBe(8);
    const report = warmed.capacity.capacity();
    expect(report).toEqual(direct.capacity.capacity());
    // Warmed: the same object, and warming again for the same round takes no turn.
    expect(warmed.capacity.capacity()).toBe(report);
    await warmed.capacity.warm(() => Promise.reject(new Error('no turn expected')));
  });

  it('answers scrapes with the last report computed until the next round is warmed', async () => {
    const { capacity, next } = service();
    const first = capacity.capacity();
    next(NOW_MS + 10_000);
    expect(capacity.lastComputed()).toBe(first);
    await capacity.warm(() => new Promise((resolve) => setImmediate(resolve)));
    const second = capacity.lastComputed();
    expect(second).not.toBe(first);
    expect(second.updatedAt).toBe(new Date(NOW_MS + 10_000).toISOString());
  });
});
