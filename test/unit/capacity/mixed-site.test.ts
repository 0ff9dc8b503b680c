import { describe, expect, it } from 'vitest';
import { capacityAnswer } from '../../../server/src/protocol/capacity.js';
import { createCapacityService } from '../../../server/src/services/capacity/capacity-service.js';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../../server/src/domain/contracts/price-book.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import type { HistoryMetric } from '../../../server/src/domain/fleet/rollup.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import { readSiteFile } from '../../../server/src/config/site-file.js';
import { buildSiteTopology } from '../../../server/src/domain/fleet/site-topology.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { smallMixedSite } from '../../support/small-mixed-site.js';

/**
 * Acceptance of issue 19 item 4, computed by hand: a small site of two models.
 *
 * - `h01-nvl01`: one GB200 NVL72 rack, 18 compute trays × 4 GPUs = 72 GPUs, 7,333 W per tray
 *   (node-specs.ts) → full load 18 × 7,333 × PUE 1.25 = 164,992.5 W (2,291.5625 W per GPU).
 * - `h01-leaf01`: a leaf group of 4 DGX H100 nodes × 8 = 32 GPUs → 4 × 10,200 × 1.25 = 51,000 W.
 * - `h01-leaf02`: a leaf group of 2 DGX H100 nodes = 16 GPUs → 25,500 W (1,593.75 W per GPU).
 * Site full load 241,492.5 W on a 300,000 W feed. No power samples yet: every pod draws 0 W now,
 * so each block adds its whole full-load draw.
 *
 * GPUs now: the rack idle (72), leaf01 busy (32, the owner's work), leaf02 idle (16).
 * History, flat for 30 days: H100 pool internal demand 20 GPUs, GB200 pool 0 (the site 20).
 * Policy: margin 10 %, no margin GPUs, one pod per block, 90-day horizon.
 */
const NOW_MS = Date.parse('2026-11-27T12:00:00Z');
function service(feedWatts: number, book: PriceBook = DEFAULT_PRICE_BOOK, site: { topology: Topology; busyPod: string } | null = null) {
  const topology = site?.topology ?? smallMixedSite(feedWatts);
  const state = createFleetState(topology);
  state.state.fill(GpuState.idle);
  // The 32-GPU leaf group runs the owner's work (by hand: leaf01's slots 72..103, the rack's 72 come first).
  const busy = topology.pods.find((p) => p.id === (site?.busyPod ?? 'h01-leaf01'));
  for (const n of busy?.nodes ?? []) for (const slot of topology.nodes[n]?.slots ?? []) state.state[slot] = GpuState.busy;
  const summary = summarizeFleet(state, NOW_MS, 30_000);
  const flat: Record<string, number> = { site: 20, 'model:H100-SXM': 20, 'model:GB200': 0 };
  const history = {
    query(scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]> {
      const rows: Array<[number, number]> = [];
      for (let t = Math.ceil(fromS / stepS) * stepS; t < toS; t += stepS) rows.push([t, metric === 'gpus_busy' ? (flat[scope] ?? 0) : 0]);
      return rows;
    },
  };
  return createCapacityService({
    fleet: { state, latest: () => summary },
    history,
    contracts: { soldPodsAt: () => new Set<number>(), getPriceBook: () => structuredClone(book) },
    now: () => NOW_MS,
    policy: { horizonDays: 90, marginFraction: 0.1, marginGpus: 0, blockPods: 1, historyDays: 30 },
  });
}

describe('a small site of two models (one NVL72 rack, two H100 leaf groups), by hand', () => {
  it('keeps a reserve per model pool and sells whole fabric units of one model, valued at their own price', () => {
    const report = service(300_000).capacity();
    expect(capacityAnswer.safeParse(report).success).toBe(true);
    // Pools draw on the feed by value per full-load facility watt: GB200 $4.54 × 730 / 2,291.5625 W
    // = $1.446/W a month before H100 $2.40 × 730 / 1,593.75 W = $1.099/W.
    expect(report.models.map((m) => m.model)).toEqual(['GB200', 'H100-SXM']);
    const [gb200, h100] = report.models;
    // GB200: reserve ⌈0 × 1.1⌉ = 0; 72 up − 0 sold − 0 = 72 over the reserve → the whole rack.
    expect(gb200?.gpus).toMatchObject({ total: 72, up: 72, idle: 72, internal: 0, reserve: 0, unsoldUnreserved: 72, sellable: 72 });
    expect(gb200?.gpus.outsideBlocks).toBe(0);
    // H100: reserve ⌈20 × 1.1⌉ = 22; 48 up − 22 = 26 over it. leaf02 (16 GPUs, no internal work) is
    // a block; leaf01 would make 48 > 26. Outside blocks 26 − 16 = 10: 48 − 22 − 0 + 0 − 10 = 16.
    expect(h100?.gpus).toMatchObject({ total: 48, up: 48, busy: 32, idle: 16, internal: 32, reserve: 22, unsoldUnreserved: 26 });
    expect(h100?.gpus).toMatchObject({ sellable: 16, overcommitted: 0, outsideBlocks: 10 });
    // The site is their sum; the dashboard's equation holds: 120 − 22 − 0 + 0 − 10 = 88.
    expect(report.gpus).toMatchObject({ total: 120, up: 120, internal: 32, reserve: 22, unsoldUnreserved: 98, sellable: 88 });
    expect(report.gpus.outsideBlocks).toBe(10);
    expect(report.sellable.blocks.map((b) => [b.id, b.model, b.fabric, b.gpus, b.watts, b.addedWatts, b.valueUsdPerMonth])).toEqual([
      // 72 × $4.54 × 730 = $238,622.40; 164,992.5 W rounds to 164,993.
      ['h01-nvl01', 'GB200', 'nvlink', 72, 164_993, 164_993, 238_622.4],
      // 16 × $2.40 × 730 = $28,032.00.
      ['h01-leaf02', 'H100-SXM', 'leaf', 16, 25_500, 25_500, 28_032],
    ]);
    expect(gb200?.sellable).toEqual({ blocks: 1, gpus: 72, watts: 164_993, valueUsdPerMonth: 238_622.4 });
    expect(h100?.sellable).toEqual({ blocks: 1, gpus: 16, watts: 25_500, valueUsdPerMonth: 28_032 });
    // 164,992.5 + 25,500 = 190,492.5 W → 190,493; $238,622.40 + $28,032.00 = $266,654.40.
    expect(report.sellable).toMatchObject({ gpus: 88, watts: 190_493, limitedBy: 'gpus', valueUsdPerMonth: 266_654.4 });
    expect(report.reserve.gpus).toBe(22);
    expect(report.risk.oversold).toBe(false);
  });

  it('gives the shared power headroom to the pool worth most per facility watt first', () => {
    // 180,000 W: the rack takes 164,992.5 W, leaving 15,007.5 W, less than leaf02's 25,500 W.
    const report = service(180_000).capacity();
    expect(report.sellable.blocks.map((b) => b.id)).toEqual(['h01-nvl01']);
    expect(report.models.find((m) => m.model === 'H100-SXM')?.gpus).toMatchObject({ sellable: 0, outsideBlocks: 26 });
    expect(report.sellable.limitedBy).toBe('power');
  });

  it('values a block per MW-month on its own full-load share of the feed', () => {
    const book: PriceBook = { ...DEFAULT_PRICE_BOOK, basis: 'mw-month' };
    const blocks = service(300_000, book).capacity().sellable.blocks;
    // Rack: 300,000 × 164,992.5 / 241,492.5 = 204,965.9927… W → × $4,166,667 / 10⁶ = $854,025.038… → $854,025.04.
    // leaf02: 300,000 × 25,500 / 241,492.5 = 31,678.0024… W → $131,991.687… → $131,991.69.
    // (A GB200 GPU takes 2,291.5625 / 1,593.75 = 1.44× an H100's share of the feed.)
    expect(blocks.map((b) => b.valueUsdPerMonth)).toEqual([854_025.04, 131_991.69]);
  });

  it('answers a what-if on one model pool with that pool’s pods, value and risk', () => {
    const capacity = service(300_000);
    // 16 H100 GPUs: leaf02 (emptiest first), one pod; 16 × $1,752 = $28,032 a month.
    const small = capacity.whatIf({ capacity: { gpus: 16 }, start: '2026-11-27', months: 1, monthlyPriceUsd: null, model: 'H100-SXM' });
    expect(small).toMatchObject({ gpus: 16, pods: 1, monthlyUsd: 28_032, fitsSellable: true });
    expect(small.risk.oversold).toBe(false);
    // 40 H100 GPUs: both leaf groups (16 + 32 = 48). 48 up − 48 sold = 0 < median 20: short by 20
    // (the fit of a flat 20 is 20.000000000000004: float noise is not a GPU), though the GB200 pool stays free.
    const big = capacity.whatIf({ capacity: { gpus: 40 }, start: '2026-11-27', months: 1, monthlyPriceUsd: null, model: 'H100-SXM' });
    expect(big).toMatchObject({ gpus: 48, pods: 2, fitsSellable: false });
    expect(big.risk).toMatchObject({ oversold: true, shortfallGpus: 20 });
    // 72 GB200 GPUs: the rack; $238,622.40.
    const rack = capacity.whatIf({ capacity: { gpus: 72 }, start: '2026-11-27', months: 1, monthlyPriceUsd: null, model: 'GB200' });
    expect(rack).toMatchObject({ gpus: 72, pods: 1, monthlyUsd: 238_622.4, fitsSellable: true });
    expect(rack.risk.oversold).toBe(false);
    expect(() =>
      capacity.whatIf({ capacity: { gpus: 73 }, start: '2026-11-27', months: 1, monthlyPriceUsd: null, model: 'GB200' }),
    ).toThrow(/73 GPUs is more than the site has \(72\)/);
    expect(() => capacity.whatIf({ capacity: { gpus: 8 }, start: '2026-11-27', months: 1, monthlyPriceUsd: null, model: 'B200' })).toThrow(
      /no B200 GPUs/,
    );
  });

  it('gives the same blocks, reserve and value read from the hand-computed site file (test/fixtures/sites/small-mixed.yaml)', () => {
    // The same site written as a SITE_FILE: leaf-a (4 DGX H100 nodes over racks r01 and r02), leaf-b (2),
    // nvl72-r03 (18 GB200 trays), 300,000 W feed, PUE 1.25; power from the node specs. leaf-a busy.
    const topology = buildSiteTopology(readSiteFile('test/fixtures/sites/small-mixed.yaml'));
    const report = service(300_000, DEFAULT_PRICE_BOOK, { topology, busyPod: 'leaf-a' }).capacity();
    expect(report.gpus).toMatchObject({ total: 120, up: 120, internal: 32, reserve: 22, unsoldUnreserved: 98, sellable: 88 });
    expect(report.sellable.blocks.map((b) => [b.id, b.model, b.fabric, b.gpus, b.watts, b.valueUsdPerMonth])).toEqual([
      ['nvl72-r03', 'GB200', 'nvlink', 72, 164_993, 238_622.4],
      ['leaf-b', 'H100-SXM', 'leaf', 16, 25_500, 28_032],
    ]);
    expect(report.sellable).toMatchObject({ gpus: 88, watts: 190_493, valueUsdPerMonth: 266_654.4 });
  });
});
