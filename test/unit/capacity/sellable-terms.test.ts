import { describe, expect, it } from 'vitest';
import { computeCapacity, type CapacityInput, type CapacityReport, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import type { DemandForecast, ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import { emptyCounts, type StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';

// The dashboard's equation, up − reserve − sold + overcommitted − outsideBlocks = sellable, must
// add up exactly from the report's own fields whatever stopped the packing.

const NOW = 1_800_000_000;
const W_PER_GPU = (10_200 / 8) * 1.25;

function pod(index: number, over: Partial<StateCounts>, extra: Partial<PodView> = {}): PodView {
  return {
    index,
    id: `h01-p${String(index + 1).padStart(3, '0')}`,
    hallId: 'h01',
    model: 'H100-SXM',
    fabric: 'pod',
    counts: { ...emptyCounts(), idle: 256, ...over },
    gpus: 256,
    facilityWatts: 100_000,
    fullLoadFacilityWatts: 256 * W_PER_GPU,
    committed: false,
    ...extra,
  };
}

function report(pods: PodView[], high: number, over: Partial<CapacityInput> = {}): CapacityReport {
  const site = pods.reduce((acc, p) => {
    for (const k of Object.keys(acc) as Array<keyof StateCounts>) acc[k] += p.counts[k];
    return acc;
  }, emptyCounts());
  const points: ForecastPoint[] = Array.from({ length: 24 }, (_, i) => [NOW + i * 3600, high / 2, high]);
  return computeCapacity({
    nowS: NOW,
    feedWatts: 10_000_000,
    facilityDrawWatts: 2_000_000,
    site,
    pods,
    forecast: { points } as unknown as DemandForecast, // the engine reads only `points`
    soldGpusAt: () => site.sold,
    fullLoadWattsPerGpu: W_PER_GPU,
    policy: { margin: { fraction: 0.1 }, blockPods: 1, horizonSeconds: 86_400 },
    ...over,
  });
}

function expectTermsSumToSellable(r: CapacityReport): void {
  const g = r.gpus;
  expect(g.up - g.reserve - g.sold + g.overcommitted - g.outsideBlocks).toBe(g.sellable);
  expect(g.sellable).toBe(r.sellable.gpus);
  expect(g.outsideBlocks).toBeGreaterThanOrEqual(0);
}

describe('the terms of sellable', () => {
  it('sum to sellable when the leftover over the reserve does not fill a whole pod', () => {
    // 1,024 up, reserve ⌈400 × 1.1⌉ = 440 → 584 over it → 2 pods (512): 72 outside blocks.
    const r = report(
      [0, 1, 2, 3].map((i) => pod(i, {})),
      400,
    );
    expect(r.gpus).toMatchObject({ up: 1024, reserve: 440, sold: 0, overcommitted: 0, outsideBlocks: 72, sellable: 512 });
    expectTermsSumToSellable(r);
  });

  it('sum to sellable when pods are sold, partly down or committed', () => {
    const pods = [pod(0, { idle: 0, sold: 256 }), pod(1, { idle: 250, down: 6 }), pod(2, {}, { committed: true }), pod(3, {}), pod(4, {})];
    const r = report(pods, 100);
    expect(r.gpus.outsideBlocks).toBe(r.gpus.unsoldUnreserved - r.sellable.gpus);
    expectTermsSumToSellable(r);
  });

  it('sum to sellable when the power headroom stops the packing, and the blocks add what they draw', () => {
    const r = report(
      [0, 1, 2].map((i) => pod(i, {})),
      100,
      { facilityDrawWatts: 9_500_000 },
    );
    expect(r.sellable.limitedBy).toBe('power');
    expect(r.sellable.addedWatts).toBe(r.sellable.blocks.reduce((w, b) => w + b.addedWatts, 0));
    expectTermsSumToSellable(r);
  });

  it('sum to zero with the overcommitment named when sold and reserve exceed what is up', () => {
    // 512 up, 256 sold, reserve 440: 184 over.
    const r = report([pod(0, { idle: 0, sold: 256 }), pod(1, {})], 400);
    expect(r.gpus).toMatchObject({ unsoldUnreserved: 0, overcommitted: 184, outsideBlocks: 0, sellable: 0 });
    expectTermsSumToSellable(r);
  });
});
