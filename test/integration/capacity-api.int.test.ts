import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

interface Capacity {
  gpus: Record<string, number>;
  power: Record<string, number>;
  sellable: {
    blocks: Array<{ id: string; hall: string; model: string; gpus: number; watts: number; valueUsdPerMonth: number }>;
    gpus: number;
    watts: number;
    valueUsdPerMonth: number;
    valueUsdOverHorizon: number;
  };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null };
  forecast: { horizonDays: number; points: Array<[number, number, number]> };
}

/**
 * A small site's pod a month by its model: 64 GPUs × $2.40 (the default H100 rate) × 730 h, and
 * in its H200 hall 64 × $3.44 (the default H200 rate) × 730 h.
 */
const POD_MONTH_USD: Record<string, number> = { 'H100-SXM': 112_128, 'H200-SXM': 160_716.8 };

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo', BACKFILL_DAYS: '7' });
});
afterAll(async () => {
  await h.stop();
});

async function postWhatIf(body: unknown) {
  const res = await authedFetch(`${h.url}/api/v1/what-if`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('capacity API on the small simulated site with the demo contract book', () => {
  it('starts with the demo book: three contracts, two of them in term and sold', async () => {
    const { body } = await h.getJson<{ contracts: Array<{ customer: string; pods: string[] }> }>('/api/v1/contracts');
    expect(body.contracts.map((c) => c.customer)).toEqual(['Aurora Labs', 'Helios AI', 'Kestrel Compute']);
    const pods = (await h.getJson<{ pods: Array<{ sold: boolean; gpus: { sold: number; down: number } }> }>('/api/v1/fleet/pods')).body
      .pods;
    const sold = pods.filter((p) => p.sold);
    expect(sold).toHaveLength(2);
    // A failed node of a sold pod reads down, not sold: delivery is broken there.
    for (const pod of sold) expect(pod.gpus.sold + pod.gpus.down).toBe(64);
  });

  it('reports sellable capacity as whole idle pods beyond sold and reserve, valued at the price book', async () => {
    const { status, body } = await h.getJson<Capacity>('/api/v1/capacity');
    expect(status).toBe(200);
    const g = body.gpus;
    expect(g.total).toBe(384);
    expect(g.up).toBe((g.total ?? 0) - (g.down ?? 0) - (g.unknown ?? 0));
    const fleet = (await h.getJson<{ gpus: { sold: number } }>('/api/v1/fleet')).body;
    expect(g.sold).toBe(fleet.gpus.sold);
    expect(g.sold).toBeGreaterThan(0);
    expect(g.reserve).toBeGreaterThan(0);
    expect(g.unsoldUnreserved).toBe(Math.max(0, (g.up ?? 0) - (g.sold ?? 0) - (g.reserve ?? 0)));
    expect(body.sellable.gpus).toBeLessThanOrEqual(g.unsoldUnreserved ?? 0);
    expect(body.sellable.gpus).toBe(body.sellable.blocks.length * 64);
    for (const block of body.sellable.blocks) expect(block).toMatchObject({ gpus: 64, valueUsdPerMonth: POD_MONTH_USD[block.model] });
    const sum = body.sellable.blocks.reduce((usd, block) => usd + (POD_MONTH_USD[block.model] ?? NaN), 0);
    expect(body.sellable.valueUsdPerMonth).toBeCloseTo(sum, 2);
    expect(body.forecast.horizonDays).toBe(90);
    expect(body.forecast.points).toHaveLength(90 * 24);
    expect(body.power.headroomWatts).toBeGreaterThan(0);
  });

  it('never offers a pod that a contract holds, now or from a later start', async () => {
    const contracts = (await h.getJson<{ contracts: Array<{ pods: string[] }> }>('/api/v1/contracts')).body.contracts;
    const held = new Set(contracts.flatMap((c) => c.pods));
    const { body } = await h.getJson<Capacity>('/api/v1/capacity');
    expect(body.sellable.blocks.some((b) => held.has(b.id))).toBe(false);
  });

  it('values a what-if sale at the given price, and at the price book without one', async () => {
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    const priced = await postWhatIf({ pods: 1, start: today, months: 24, monthlyPriceUsd: 100_000 });
    expect(priced.status).toBe(200);
    expect(priced.body).toMatchObject({ gpus: 64, pods: 1, monthlyUsd: 100_000, totalUsd: 2_400_000 });
    const book = await postWhatIf({ gpus: 10, start: today, months: 3 });
    // A what-if names no model yet: it is priced as the site's first pool, H100.
    const h100 = POD_MONTH_USD['H100-SXM'] ?? NaN;
    expect(book.body).toMatchObject({ gpus: 64, pods: 1, monthlyUsd: h100, totalUsd: 3 * h100 });
  });

  it('shows the oversold risk a what-if would create when it sells what internal work needs', async () => {
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    const { body } = await postWhatIf({ pods: 6, start: today, months: 12 });
    const risk = body.risk as Capacity['risk'];
    expect(risk.oversold).toBe(true);
    expect(risk.shortfallGpus).toBeGreaterThan(0);
    expect(risk.firstShortfallAt).not.toBeNull();
    expect(body.fitsSellable).toBe(false);
  });

  it('refuses a what-if with two capacities or no term, naming the field', async () => {
    const two = await postWhatIf({ pods: 1, gpus: 8, start: '2026-12-01', months: 1 });
    expect(two.status).toBe(400);
    expect(String(two.body.error)).toMatch(/exactly one of gpus, pods or watts/);
    const noTerm = await postWhatIf({ pods: 1, start: '2026-12-01', months: 0 });
    expect(noTerm.status).toBe(400);
    expect(String(noTerm.body.error)).toMatch(/months/);
  });

  it('refuses a what-if of more than the site holds or starting before today on the collection clock, naming the field', async () => {
    const fleet = (await h.getJson<{ gpus: { total: number }; power: { feedWatts: number } }>('/api/v1/fleet')).body;
    const pods = (await h.getJson<{ pods: unknown[] }>('/api/v1/fleet/pods')).body.pods.length;
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    const yesterday = new Date(h.clock.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await postWhatIf({ pods, start: today, months: 1 })).status).toBe(200);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ pods: pods + 1, start: today, months: 1 }, 'pods', /more than the site has/],
      [{ gpus: fleet.gpus.total + 1, start: today, months: 1 }, 'gpus', /more than the site has/],
      [{ watts: fleet.power.feedWatts * 6.5, start: today, months: 1 }, 'watts', /more than the site's feed/],
      [{ pods: 1, start: yesterday, months: 1 }, 'start', new RegExp(`${yesterday} is in the past: the earliest start is today, ${today}`)],
      [{ pods: 1, start: '2020-01-01', months: 1 }, 'start', /in the past/],
    ];
    for (const [ask, path, message] of cases) {
      const refused = await postWhatIf(ask);
      expect(refused.status, JSON.stringify(ask)).toBe(400);
      expect(String(refused.body.error)).toMatch(new RegExp(`^${path}: .*${message.source}`));
      expect(refused.body.detail).toEqual({ path });
    }
  });
});

describe('the reserve’s risk appetite (FORECAST_QUANTILE, FORECAST_BAND_CONFIDENCE)', () => {
  interface WithReserve extends Capacity {
    reserve: { gpus: number; peakHigh: number };
  }
  /** The simulated Colossus site after 2 days of history, read with the given forecast settings. */
  async function capacityWith(env: Record<string, string>): Promise<WithReserve> {
    // Colossus: on the small site the forecast reaches its 384 GPUs whatever the settings. The uniform
    // one, whose reserve is one pool's (a mixed site's is the sum of its pools' ceilings: mixed-site.test.ts).
    const site = await startTestHeadroom({ PRESET: 'colossus-h100', BACKFILL_DAYS: '2', ...env });
    try {
      return (await site.getJson<WithReserve>('/api/v1/capacity')).body;
    } finally {
      await site.stop();
    }
  }

  it('keeps as reserve the peak of the high quantile + 5 %; at 0.5 / 0.5 the band is off and the reserve is the median’s peak + 5 %', async () => {
    const byDefault = await capacityWith({});
    const median = await capacityWith({ FORECAST_QUANTILE: '0.5', FORECAST_BAND_CONFIDENCE: '0.5' });
    for (const c of [byDefault, median]) {
      const peakHigh = Math.max(...c.forecast.points.map(([, , high]) => high));
      expect(c.reserve.peakHigh).toBeCloseTo(peakHigh, 6);
      expect(c.reserve.gpus).toBe(Math.ceil(peakHigh * 1.05 - 1e-9));
    }
    expect(median.forecast.points.every(([, m, high]) => high === m)).toBe(true);
    expect(byDefault.forecast.points.some(([, m, high]) => high > m)).toBe(true);
    // Two days of history: the default band is wide (measured: its peak at the site's 196,608 GPUs, the median's ≈ 120k).
    expect(median.reserve.gpus).toBeLessThan(0.8 * byDefault.reserve.gpus);
  });

  it('refuses settings outside [0.5, 1), naming them', async () => {
    await expect(startTestHeadroom({ FORECAST_QUANTILE: '1' })).rejects.toThrow(/FORECAST_QUANTILE/);
    await expect(startTestHeadroom({ FORECAST_BAND_CONFIDENCE: '0.4' })).rejects.toThrow(/FORECAST_BAND_CONFIDENCE/);
  });
});
