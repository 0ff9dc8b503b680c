import { describe, expect, it } from 'vitest';
import { computeCapacity, computePooledCapacity, type PodView } from '../../../server/src/domain/capacity/capacity.js';
import type { DemandForecast, ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import { emptyCounts, type StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';

const NOW = 1_800_000_000;
const POLICY = { margin: { fraction: 0 }, blockPods: 2, horizonSeconds: 90 * 86_400 };

function flat(median: number, high = median): DemandForecast {
  const points: ForecastPoint[] = Array.from({ length: 100 * 24 }, (_, i) => [NOW + i * 3600, median, high]);
  return { points } as unknown as DemandForecast; // the engine reads only `points`
}

/** An idle pod of `gpus` GPUs drawing nothing now, `wattsPerGpu` each at full load. */
function pod(index: number, model: string, gpus: number, wattsPerGpu: number, over: Partial<StateCounts> = {}): PodView {
  return {
    index,
    id: `p${index}`,
    hallId: 'h01',
    model,
    fabric: model === 'GB200' ? 'nvlink' : 'leaf',
    counts: { ...emptyCounts(), idle: gpus, ...over },
    gpus,
    facilityWatts: 0,
    fullLoadFacilityWatts: gpus * wattsPerGpu,
    committed: false,
  };
}

const sum = (pods: PodView[]): StateCounts =>
  pods.reduce((acc, p) => {
    for (const k of Object.keys(acc) as Array<keyof StateCounts>) acc[k] += p.counts[k];
    return acc;
  }, emptyCounts());

describe('capacity per model pool', () => {
  it('never puts two models in one block, even when the site is taken as one pool', () => {
    // Alternating models in one hall, two pods per block: p0+p2 (H100) and p1+p3 (GB200), never p0+p1.
    const pods = [pod(0, 'H100-SXM', 16, 1_000), pod(1, 'GB200', 72, 2_000), pod(2, 'H100-SXM', 16, 1_000), pod(3, 'GB200', 72, 2_000)];
    const report = computeCapacity({
      nowS: NOW,
      feedWatts: 10_000_000,
      facilityDrawWatts: 0,
      site: sum(pods),
      pods,
      forecast: flat(0),
      soldGpusAt: () => 0,
      fullLoadWattsPerGpu: 1_500,
      policy: POLICY,
    });
    expect(report.sellable.blocks.map((b) => [b.id, b.model, b.gpus])).toEqual([
      ['p0+p2', 'H100-SXM', 32],
      ['p1+p3', 'GB200', 144],
    ]);
  });

  it('keeps each pool to its own reserve: an H100 pool short of GPUs sells nothing while GB200s sell', () => {
    const h100 = [pod(0, 'H100-SXM', 16, 1_000, { idle: 0, busy: 16 }), pod(1, 'H100-SXM', 16, 1_000)];
    const gb200 = [pod(2, 'GB200', 72, 2_000), pod(3, 'GB200', 72, 2_000)];
    const report = computePooledCapacity({
      nowS: NOW,
      feedWatts: 10_000_000,
      facilityDrawWatts: 0,
      pods: [...h100, ...gb200],
      pools: [
        // H100: demand 30 of 32 up → reserve 30, 2 over it: no 32-GPU block. Demand 40 median: oversold by 8.
        {
          model: 'H100-SXM',
          counts: sum(h100),
          forecast: flat(40, 30),
          soldGpusAt: () => 0,
          fullLoadWattsPerGpu: 1_000,
          valueUsdPerWattMonth: 1,
        },
        { model: 'GB200', counts: sum(gb200), forecast: flat(0), soldGpusAt: () => 0, fullLoadWattsPerGpu: 2_000, valueUsdPerWattMonth: 2 },
      ],
      policy: POLICY,
    });
    const byModel = Object.fromEntries(report.models.map((m) => [m.model, m]));
    expect(byModel['H100-SXM']?.gpus).toMatchObject({ up: 32, reserve: 30, unsoldUnreserved: 2, sellable: 0, outsideBlocks: 2 });
    expect(byModel['H100-SXM']?.risk).toMatchObject({ oversold: true, shortfallGpus: 8 });
    expect(byModel['GB200']?.gpus).toMatchObject({ up: 144, reserve: 0, sellable: 144 });
    expect(byModel['GB200']?.risk.oversold).toBe(false);
    // The site: sums, oversold because one pool is, the equation true: 176 − 30 − 0 + 0 − 2 = 144.
    expect(report.gpus).toMatchObject({ up: 176, reserve: 30, sellable: 144, outsideBlocks: 2 });
    expect(report.risk).toMatchObject({ oversold: true, shortfallGpus: 8 });
    // Reserved growth: H100 internal 16 → reserve 30 = 14 GPUs × 1,000 W.
    expect(report.power.reservedGrowthWatts).toBe(14_000);
    // Stranded: 10 MW − (32 × 1,000 + 144 × 2,000) W.
    expect(report.power.strandedWatts).toBe(10_000_000 - 32_000 - 288_000);
  });
});
