import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState, type FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { podsReport, siteReport } from '../../../server/src/domain/fleet/fleet-report.js';
import { summarizeFleet, type FleetSummary } from '../../../server/src/domain/fleet/summary.js';
import {
  headlineOf,
  layoutOf,
  podCellsOf,
  sellableByModel,
  sellablePodsOf,
  type CapacityFigures,
} from '../../../server/src/outputs/live/live-figures.js';
import { HEATMAP_STATES } from '../../../server/src/protocol/live.js';
import { batch, nodeSamples, READINGS, tinyTopology } from '../fleet/builders.js';
import { smallMixedSite } from '../../support/mixed-site.js';

const STALE = 30_000;
const AT_MS = 20_000;

/** A tiny site (2 halls × 2 pods × 2 nodes × 8 GPUs), two ticks of the given readings per node. */
function fleet(
  nodes: Array<[string, (typeof READINGS)[keyof typeof READINGS]]>,
  soldPods: number[] = [],
): { state: FleetState; summary: FleetSummary } {
  const state = createFleetState(tinyTopology(2, 2, 2));
  for (const t of [10_000, AT_MS]) applyBatch(state, batch(nodes.flatMap(([host, r]) => nodeSamples(host, r))), t);
  for (const p of soldPods) state.podSold[p] = 1;
  classifyFleet(state, AT_MS, STALE);
  return { state, summary: summarizeFleet(state, AT_MS, STALE) };
}

/** A capacity report with one sellable block of one pod; override any part. */
function capacity(over: Partial<CapacityFigures> = {}): CapacityFigures {
  return {
    gpus: { up: 40, sold: 8, overcommitted: 0, outsideBlocks: 4, reserve: 12 },
    power: { strandedWatts: 1_234, headroomWatts: 90_000, reservedGrowthWatts: 3_000 },
    sellable: {
      blocks: [{ pods: ['h02-p001'], model: 'H100-SXM', gpus: 16, watts: 25_500, valueUsdPerMonth: 28_032 }],
      gpus: 16,
      watts: 25_500,
      addedWatts: 20_000,
      limitedBy: 'gpus',
      valueUsdPerMonth: 28_032,
    },
    risk: { oversold: false, shortfallGpus: 0, firstShortfallAt: null, firstRiskAt: '2026-07-01T00:00:00.000Z' },
    ...over,
  };
}

describe('headlineOf', () => {
  it('carries the GPUs and power of GET /fleet exactly, rounded as siteReport rounds them', () => {
    const { state, summary } = fleet([
      ['h01-p001-n01', READINGS.busy],
      ['h01-p002-n01', READINGS.held],
      ['h02-p001-n01', READINGS.idle],
    ]);
    const headline = headlineOf(state, summary, capacity(), []);
    const site = siteReport(state, summary);
    expect(headline.atMs).toBe(AT_MS);
    expect(headline.site).toEqual({ id: 'tiny', name: 'Tiny' });
    expect(headline.gpus).toEqual(site.gpus);
    expect(headline.gpus).toEqual({ total: 64, busy: 8, held: 8, idle: 8, sold: 0, down: 0, unknown: 40 });
    const { metered: _metered, ...power } = site.power;
    expect(headline.power).toEqual({ ...power, strandedWatts: 1_234 });
    expect(Number.isInteger(headline.power.itDrawWatts)).toBe(true);
  });

  it('carries reserve, sellable and risk of GET /capacity', () => {
    const { state, summary } = fleet([]);
    const headline = headlineOf(state, summary, capacity(), []);
    expect(headline.capacity).toEqual({
      upGpus: 40,
      soldGpus: 8,
      overcommittedGpus: 0,
      outsideBlocksGpus: 4,
      reserveGpus: 12,
      sellableGpus: 16,
      headroomWatts: 90_000,
      reservedGrowthWatts: 3_000,
      sellableAddedWatts: 20_000,
      limitedBy: 'gpus',
      sellableWatts: 25_500,
      sellableBlocks: 1,
      sellableValueUsdPerMonth: 28_032,
      sellableByModel: [{ model: 'H100-SXM', blocks: 1, gpus: 16, watts: 25_500, valueUsdPerMonth: 28_032 }],
    });
    expect(headline.risk).toEqual({ oversold: false, shortfallGpus: 0, firstShortfallAt: null, firstRiskAt: '2026-07-01T00:00:00.000Z' });
  });

  it('says null for capacity, risk and stranded power while the capacity report is unavailable', () => {
    const { state, summary } = fleet([]);
    const headline = headlineOf(state, summary, null, []);
    expect(headline.capacity).toBeNull();
    expect(headline.risk).toBeNull();
    expect(headline.power.strandedWatts).toBeNull();
  });

  it('sums the customers in term: contracts, revenue to the cent and GPUs', () => {
    const { state, summary } = fleet([]);
    const headline = headlineOf(state, summary, null, [
      { monthlyUsd: 0.1, gpus: 64, contracts: 1 },
      { monthlyUsd: 0.2, gpus: 128, contracts: 2 },
    ]);
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; money is shown to the cent.
    expect(headline.contracts).toEqual({ active: 3, revenueUsdPerMonth: 0.3, contractedGpus: 192 });
    expect(headlineOf(state, summary, null, []).contracts).toEqual({ active: 0, revenueUsdPerMonth: 0, contractedGpus: 0 });
  });
});

describe('sellableByModel', () => {
  it('sums the blocks per model, in the order each model first comes, value to the cent', () => {
    const block = (model: string, gpus: number, watts: number, valueUsdPerMonth: number) => ({
      pods: ['x'],
      model,
      gpus,
      watts,
      valueUsdPerMonth,
    });
    expect(
      sellableByModel([
        block('GB200', 72, 158_400.4, 393_120.1),
        block('H100-SXM', 256, 3_519_360, 448_512),
        block('GB200', 72, 158_400.4, 393_120.105),
      ]),
    ).toEqual([
      // 158,400.4 × 2 = 316,800.8 → 316,801 W; 393,120.1 + 393,120.105 = 786,240.205 → $786,240.21 (to the cent, half up).
      { model: 'GB200', blocks: 2, gpus: 144, watts: 316_801, valueUsdPerMonth: 786_240.21 },
      { model: 'H100-SXM', blocks: 1, gpus: 256, watts: 3_519_360, valueUsdPerMonth: 448_512 },
    ]);
    expect(sellableByModel([])).toEqual([]);
  });
});

describe('layoutOf', () => {
  it('lists halls in order with their pods, and the heatmap order of pod indexes', () => {
    const { layout, podOrder } = layoutOf(tinyTopology(2, 2, 2));
    expect(layout).toEqual({
      halls: [
        { id: 'h01', pods: ['h01-p001', 'h01-p002'] },
        { id: 'h02', pods: ['h02-p001', 'h02-p002'] },
      ],
      units: Array.from({ length: 4 }, () => ({ model: 'H100-SXM', fabric: 'pod', gpus: 16 })),
    });
    expect(podOrder).toEqual([0, 1, 2, 3]);
  });

  it('says what each pod is on a mixed site: its model, fabric kind and GPUs (an NVL72 rack is one unit of 72)', () => {
    const { layout } = layoutOf(smallMixedSite());
    expect(layout.halls).toEqual([
      { id: 'h01', pods: ['h01-p001', 'h01-p002', 'h01-p003', 'h01-p004', 'h01-p005', 'h01-p006'] },
      { id: 'h02', pods: ['h02-p001', 'h02-p002', 'h02-p003', 'h02-p004', 'h02-p005', 'h02-p006'] },
    ]);
    expect(layout.units).toEqual([
      ...Array.from({ length: 6 }, () => ({ model: 'H100-SXM', fabric: 'leaf', gpus: 32 })),
      ...Array.from({ length: 3 }, () => ({ model: 'H200-SXM', fabric: 'scalable-unit', gpus: 32 })),
      ...Array.from({ length: 3 }, () => ({ model: 'GB200', fabric: 'nvlink', gpus: 72 })),
    ]);
  });
});

describe('podCellsOf', () => {
  it('gives each pod its GPUs by state in HEATMAP_STATES order, equal to GET /fleet/pods', () => {
    const { state, summary } = fleet([
      ['h01-p001-n01', READINGS.busy],
      ['h01-p001-n02', READINGS.held],
      ['h01-p002-n01', READINGS.idle],
    ]);
    const cells = podCellsOf(state, summary, layoutOf(state.topology).podOrder, new Set());
    const pods = podsReport(state, summary).pods;
    cells.forEach((cell, i) => expect(cell.counts).toEqual(HEATMAP_STATES.map((s) => pods[i]?.gpus[s])));
    expect(cells[0]?.counts).toEqual([8, 8, 0, 0, 0, 0]);
    expect(cells[1]?.counts).toEqual([0, 0, 8, 0, 0, 8]);
  });

  it('reads utilization as the mean of the GPUs with an estimate, and null when none has one (unknown, not idle)', () => {
    const { state, summary } = fleet([
      ['h01-p001-n01', READINGS.busy],
      ['h01-p001-n02', READINGS.idle],
      ['h01-p002-n01', READINGS.idle],
    ]);
    const [busyIdle, idleUnknown, nothing] = podCellsOf(state, summary, [0, 1, 2], new Set());
    const pod0 = summary.pods[0];
    expect(busyIdle?.utilization).toBeCloseTo((pod0?.utilizationSum ?? 0) / 16, 9);
    expect(busyIdle?.utilization).toBeGreaterThan(0.4);
    // Only the idle node's 8 GPUs have an estimate: the unknown node does not pull the mean down.
    expect(idleUnknown?.utilization).toBeCloseTo(0, 6);
    expect(nothing?.utilization).toBeNull();
  });

  it('flags pods sold to a customer and pods in a sellable block', () => {
    const { state, summary } = fleet([], [1]);
    const cells = podCellsOf(
      state,
      summary,
      [0, 1, 2, 3],
      sellablePodsOf(
        capacity({
          sellable: {
            blocks: [{ pods: ['h02-p001', 'h02-p002'], model: 'H100-SXM', gpus: 32, watts: 1, valueUsdPerMonth: 1 }],
            gpus: 32,
            watts: 1,
            addedWatts: 1,
            limitedBy: 'gpus',
            valueUsdPerMonth: 1,
          },
        }),
      ),
    );
    expect(cells.map((c) => c.sold)).toEqual([false, true, false, false]);
    expect(cells.map((c) => c.sellable)).toEqual([false, false, true, true]);
    expect(podCellsOf(state, summary, [2], sellablePodsOf(null))[0]?.sellable).toBe(false);
  });
});
