import { describe, expect, it } from 'vitest';
import { computeCapacity, type CapacityInput, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import type { DemandForecast, ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import { emptyCounts, type StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';

const HOUR = 3600;
const NOW = 1_800_000_000;
/** Per GPU at full load: a 10.2 kW node of 8 GPUs × PUE 1.25 = 1,593.75 W. */
const W_PER_GPU = (10_200 / 8) * 1.25;

function counts(over: Partial<StateCounts>): StateCounts {
  return { ...emptyCounts(), ...over };
}

/** A 256-GPU pod with the given states; idle draws 100 kW now, 408 kW at full load. */
function pod(index: number, over: Partial<StateCounts>, extra: Partial<PodView> = {}): PodView {
  return {
    index,
    id: `h01-p${String(index + 1).padStart(3, '0')}`,
    hallId: 'h01',
    model: 'H100-SXM',
    fabric: 'pod',
    counts: counts({ idle: 256, ...over }),
    gpus: 256,
    facilityWatts: 100_000,
    fullLoadFacilityWatts: 256 * W_PER_GPU,
    committed: false,
    ...extra,
  };
}

/** A flat forecast: median and high constant over 100 days of hourly points. */
function flatForecast(median: number, high: number): DemandForecast {
  const points: ForecastPoint[] = Array.from({ length: 100 * 24 }, (_, i) => [NOW + i * HOUR, median, high]);
  return { points } as unknown as DemandForecast; // the engine reads only `points`
}

function input(pods: PodView[], over: Partial<CapacityInput> = {}): CapacityInput {
  const site = pods.reduce((acc, p) => {
    for (const k of Object.keys(acc) as Array<keyof StateCounts>) acc[k] += p.counts[k];
    return acc;
  }, emptyCounts());
  return {
    nowS: NOW,
    feedWatts: 10_000_000,
    facilityDrawWatts: 2_000_000,
    site,
    pods,
    forecast: flatForecast(300, 400),
    soldGpusAt: () => site.sold,
    fullLoadWattsPerGpu: W_PER_GPU,
    policy: { margin: { fraction: 0.1 }, blockPods: 1, horizonSeconds: 90 * 86_400 },
    ...over,
  };
}

describe('computeCapacity', () => {
  it('keeps the high quantile plus margin as reserve and sells whole idle pods from the rest', () => {
    // 8 pods: 2 busy, 6 idle = 2,048 GPUs up. Reserve ⌈400 × 1.1⌉ = 440. Sellable raw 1,608 → 6 pods (1,536).
    const pods = [pod(0, { idle: 0, busy: 256 }), pod(1, { idle: 0, busy: 256 }), ...[2, 3, 4, 5, 6, 7].map((i) => pod(i, {}))];
    const r = computeCapacity(input(pods));
    expect(r.gpus).toMatchObject({ total: 2048, up: 2048, internal: 512, reserve: 440, unsoldUnreserved: 1608, sellable: 1536 });
    expect(r.sellable.blocks.map((b) => b.id)).toEqual(['h01-p003', 'h01-p004', 'h01-p005', 'h01-p006', 'h01-p007', 'h01-p008']);
    expect(r.sellable.blocks[0]).toMatchObject({ gpus: 256, watts: 408_000, addedWatts: 308_000 });
    expect(r.sellable.watts).toBe(6 * 408_000);
    // A seventh pod would be a busy one and overrun the 1,608 GPUs.
    expect(r.sellable.limitedBy).toBe('gpus');
  });

  it('stops at whole blocks when the GPUs left over the reserve do not fill another pod', () => {
    // Reserve 440 of 1,024 up → 584 sellable → 2 pods of 256, not 3.
    const r = computeCapacity(input([0, 1, 2, 3].map((i) => pod(i, {}))));
    expect(r.gpus.unsoldUnreserved).toBe(584);
    expect(r.sellable.gpus).toBe(512);
    expect(r.sellable.limitedBy).toBe('gpus');
  });

  it('never sells a pod with a down or unknown GPU, nor one committed to a contract', () => {
    const pods = [
      pod(0, { idle: 255, unknown: 1 }),
      pod(1, { idle: 248, down: 8 }),
      pod(2, {}, { committed: true }),
      pod(3, {}),
      pod(4, {}),
      pod(5, {}),
    ];
    const r = computeCapacity(input(pods, { forecast: flatForecast(0, 0) }));
    expect(r.sellable.blocks.map((b) => b.id)).toEqual(['h01-p004', 'h01-p005', 'h01-p006']);
    expect(r.sellable.limitedBy).toBe('blocks');
    expect(r.gpus.up).toBe(6 * 256 - 9);
  });

  it('prefers the pods with the least internal work', () => {
    const pods = [pod(0, { idle: 56, busy: 200 }), pod(1, { idle: 206, held: 50 }), pod(2, {})];
    const r = computeCapacity(input(pods, { forecast: flatForecast(0, 0) }));
    expect(r.sellable.blocks.map((b) => b.id)).toEqual(['h01-p003', 'h01-p002', 'h01-p001']);
  });

  it('sells only the blocks the power headroom carries, after what internal growth to the reserve would draw', () => {
    // Headroom 10 MW − 9.5 MW = 500 kW. Internal 0, reserve ⌈100 × 1.1⌉ = 110 GPUs → 110 × 1,593.75 = 175,312.5 W.
    // Left 324,687.5 W: one pod (adds 308 kW) fits, a second does not.
    const pods = [0, 1, 2].map((i) => pod(i, {}));
    const r = computeCapacity(input(pods, { facilityDrawWatts: 9_500_000, forecast: flatForecast(50, 100) }));
    expect(r.power.reservedGrowthWatts).toBeCloseTo(175_312.5, 6);
    expect(r.sellable.blocks).toHaveLength(1);
    expect(r.sellable.limitedBy).toBe('power');
    expect(r.power.headroomWatts).toBe(500_000);
  });

  it('reports GPUs the feed cannot carry at full load as stranded, and spare feed as stranded watts', () => {
    const pods = [0, 1, 2, 3].map((i) => pod(i, {}));
    // 1,024 GPUs × 1,593.75 W = 1,632,000 W at full load.
    const tight = computeCapacity(input(pods, { feedWatts: 1_600_000, facilityDrawWatts: 400_000 }));
    expect(tight.power.strandedGpus).toBe(Math.ceil(32_000 / W_PER_GPU)); // 21
    expect(tight.power.strandedWatts).toBe(0);
    const loose = computeCapacity(input(pods, { feedWatts: 2_000_000, facilityDrawWatts: 400_000 }));
    expect(loose.power.strandedWatts).toBe(368_000);
    expect(loose.power.strandedGpus).toBe(0);
  });

  it('finds oversold risk when sold plus forecast internal demand exceeds what is up, with the worst shortfall and the first moment', () => {
    // 4 pods up = 1,024; 512 sold. Median steps from 300 to 700 at hour 48: 512 + 700 − 1,024 = 188 short from then.
    const pods = [pod(0, { idle: 0, sold: 256 }), pod(1, { idle: 0, sold: 256 }), pod(2, {}), pod(3, {})];
    const points: ForecastPoint[] = Array.from({ length: 2400 }, (_, i) => [NOW + i * HOUR, i < 48 ? 300 : 700, i < 40 ? 350 : 750]);
    const r = computeCapacity(input(pods, { forecast: { points } as unknown as DemandForecast }));
    expect(r.risk).toEqual({ oversold: true, shortfallGpus: 188, firstShortfallAt: NOW + 48 * HOUR, firstRiskAt: NOW + 40 * HOUR });
    expect(r.gpus.sellable).toBe(0);
  });

  it('takes sold capacity that ends within the horizon into account', () => {
    const pods = [pod(0, { idle: 0, sold: 256 }), pod(1, {})];
    // Median 400: with 256 sold, 512 − 256 = 256 < 400 short; once the contract ends at hour 10, fine.
    const r = computeCapacity(input(pods, { forecast: flatForecast(400, 400), soldGpusAt: (t) => (t < NOW + 10 * HOUR ? 256 : 0) }));
    expect(r.risk).toMatchObject({ oversold: true, shortfallGpus: 144, firstShortfallAt: NOW });
  });

  it('reports a shortfall that is already here at the report moment, not at the start of its forecast step', () => {
    const pods = [pod(0, { idle: 0, sold: 256 }), pod(1, {})];
    // The forecast's first step starts 1,800 s before the report; 256 sold + 400 > 512 from it on.
    const points: ForecastPoint[] = Array.from({ length: 2400 }, (_, i) => [NOW - 1800 + i * HOUR, 400, 450]);
    const r = computeCapacity(input(pods, { nowS: NOW + 0.25, forecast: { points } as unknown as DemandForecast }));
    expect(r.risk).toEqual({ oversold: true, shortfallGpus: 144, firstShortfallAt: NOW + 0.25, firstRiskAt: NOW + 0.25 });
  });

  it('names no first shortfall past the horizon, where it counts no shortfall either', () => {
    const pods = [pod(0, { idle: 0, sold: 256 }), pod(1, {})];
    // Fine for 10 days; from day 10 the median needs 400 with 256 sold of 512. Horizon 5 days: nothing.
    const points: ForecastPoint[] = Array.from({ length: 2400 }, (_, i) => [NOW + i * HOUR, i < 240 ? 100 : 400, i < 240 ? 100 : 400]);
    const forecast = { points } as unknown as DemandForecast;
    const within = computeCapacity(input(pods, { forecast, policy: { margin: {}, blockPods: 1, horizonSeconds: 5 * 86_400 } }));
    expect(within.risk).toEqual({ oversold: false, shortfallGpus: 0, firstShortfallAt: null, firstRiskAt: null });
    const longer = computeCapacity(input(pods, { forecast, policy: { margin: {}, blockPods: 1, horizonSeconds: 20 * 86_400 } }));
    expect(longer.risk).toEqual({ oversold: true, shortfallGpus: 144, firstShortfallAt: NOW + 240 * HOUR, firstRiskAt: NOW + 240 * HOUR });
  });

  it('groups pods of one hall into blocks of the configured size', () => {
    const pods = [pod(0, {}), pod(1, {}, { hallId: 'h02', id: 'h02-p001' }), pod(2, {}), pod(3, {})];
    const r = computeCapacity(input(pods, { forecast: flatForecast(0, 0), policy: { margin: {}, blockPods: 2, horizonSeconds: 86_400 } }));
    expect(r.sellable.blocks.map((b) => b.pods)).toEqual([['h01-p001', 'h01-p003']]);
    expect(r.sellable.gpus).toBe(512);
  });

  it('sells nothing on a site with no GPUs up', () => {
    const r = computeCapacity(input([pod(0, { idle: 0, unknown: 256 })], { forecast: flatForecast(0, 0) }));
    expect(r.gpus).toMatchObject({ up: 0, sellable: 0, reserve: 0 });
  });
});
