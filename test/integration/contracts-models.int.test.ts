import { afterEach, describe, expect, it } from 'vitest';
import { createContractService } from '../../server/src/services/contracts/contract-service.js';
import { contractSiteOf } from '../../server/src/services/contracts/contract-site.js';
import { closeDatabase, openDatabase, type Database } from '../../server/src/pipeline/store/db.js';
import { createStores } from '../../server/src/pipeline/store/stores.js';
import { smallMixedSite } from '../support/small-mixed-site.js';

/**
 * Contracts that name a GPU model are delivered on that model's pods only, in whole fabric units
 * of any size, on the real SQLite stores. The site (test/support/small-mixed-site.ts): pod 0 the
 * GB200 NVL72 rack (72 GPUs), pod 1 a leaf group of 32 H100s, pod 2 one of 16; feed 300 kW.
 */
const NOW_MS = Date.parse('2026-11-27T12:00:00Z');
const terms = (over: Record<string, unknown>) => ({
  customer: 'Acme',
  capacity: { gpus: 8 },
  start: '2026-12-01',
  end: '2027-11-30',
  monthlyPriceUsd: 100_000,
  noticeDays: 90,
  ...over,
});

let db: Database | null = null;
afterEach(() => {
  if (db) closeDatabase(db);
  db = null;
});

function service() {
  db = openDatabase(':memory:');
  const stores = createStores(db);
  const site = contractSiteOf(smallMixedSite(300_000));
  return createContractService({
    contracts: stores.contracts,
    priceBooks: stores.priceBooks,
    site: () => site,
    // Emptiest first: leaf02, the rack, leaf01 (busy).
    rankPodsForSale: () => [2, 0, 1],
    today: () => '2026-11-27',
    nowMs: () => NOW_MS,
  });
}

describe('contracts naming a GPU model', () => {
  it('takes whole pods of that model until their GPUs cover it, whatever their sizes', () => {
    const contracts = service();
    // 20 H100s: leaf02's 16 are not enough, so leaf01's 32 too (48 GPUs in two leaf groups).
    expect(contracts.create(terms({ capacity: { gpus: 20 }, model: 'H100-SXM' }))).toMatchObject({
      model: 'H100-SXM',
      pods: ['h01-leaf01', 'h01-leaf02'],
      shortfallPods: 0,
    });
    // 72 GB200s: the rack, never an H100 leaf group.
    const rack = contracts.create(terms({ capacity: { gpus: 72 }, model: 'GB200', monthlyPriceUsd: 238_622.4 }));
    expect(rack).toMatchObject({ pods: ['h01-nvl01'], shortfallPods: 0 });
    // A third contract for GB200s finds none free: short one rack, not given an H100 pod.
    const late = contracts.create(terms({ capacity: { gpus: 8 }, model: 'GB200' }));
    expect(late).toMatchObject({ pods: [], shortfallPods: 1 });
    // The rack's contract ends: the short one is topped up from it.
    contracts.remove(Number(rack.id));
    expect(contracts.get(Number(late.id))).toMatchObject({ pods: ['h01-nvl01'], shortfallPods: 0 });
    // Each contract keeps its model, stored with its terms.
    expect(contracts.list().map((c) => c.model)).toEqual(['H100-SXM', 'GB200']);
  });

  it('values a model contract on its own model’s share of the feed', () => {
    const contracts = service();
    const rack = contracts.create(terms({ capacity: { gpus: 72 }, model: 'GB200', monthlyPriceUsd: 238_622.4 }));
    const v = contracts.valuation(Number(rack.id), '2026-12-15');
    // The rack's share: 300,000 × 164,992.5 / 241,492.5 = 204,965.99 W → 204,966 W for its 72 GPUs.
    expect(v).toMatchObject({ gpus: 72, facilityWatts: 204_966, impliedUsdPerGpuHour: 4.54 });
  });

  it('without a model takes any pods, best ranked first; refuses a model the site lacks or more than it has of one', () => {
    const contracts = service();
    expect(contracts.create(terms({ capacity: { pods: 1 } })).pods).toEqual(['h01-leaf02']);
    expect(() => contracts.create(terms({ model: 'B200' }))).toThrow(/no B200 GPUs/);
    expect(() => contracts.create(terms({ capacity: { gpus: 49 }, model: 'H100-SXM' }))).toThrow(/48 H100-SXM GPUs/);
  });
});
