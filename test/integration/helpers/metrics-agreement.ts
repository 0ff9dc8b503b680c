import { expect } from 'vitest';
import { parseExposition, sampleValue, type Exposition } from './exposition.js';
import type { TestHeadroom } from './harness.js';
import { authedFetch } from './auth.js';

export interface CapacityJson {
  gpus: Record<string, number>;
  power: { strandedWatts: number; strandedGpus: number };
  sellable: {
    blocks: Array<{ hall: string; gpus: number; watts: number; valueUsdPerMonth: number }>;
    gpus: number;
    valueUsdPerMonth: number;
  };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null; firstRiskAt: string | null };
  plans: { count: number; inForceGpus: number; horizonPeakGpus: number };
  models: Array<{
    model: string;
    gpus: Record<'up' | 'internal' | 'reserve' | 'sellable', number>;
    sellable: { valueUsdPerMonth: number };
    risk: { shortfallGpus: number };
  }>;
  updatedAt: string;
}

export async function scrapeText(h: TestHeadroom): Promise<string> {
  const res = await authedFetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** One sample line: name, optional label set (quoted values may hold `}` or spaces), value, optional timestamp. */
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?)\s+(\S+)(?:\s+-?\d+)?$/;

/**
 * Every sample of a scrape as written, histogram buckets, sums and counts included (the parser
 * that reads figures back drops those), as (series, value) pairs; throws on a line it cannot read.
 */
export function everySample(text: string): Array<{ series: string; value: number }> {
  const out: Array<{ series: string; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new Error(`not a sample line: ${line}`);
    out.push({ series: match[1], value: sampleValue(match[2]) });
  }
  return out;
}

/** No sample of the scrape is NaN. */
export function expectNoNaN(text: string): void {
  const samples = everySample(text);
  expect(samples.length).toBeGreaterThan(0);
  const nan = samples.filter((s) => Number.isNaN(s.value)).map((s) => s.series);
  expect(nan, `samples that are NaN: ${nan.join(', ')}`).toEqual([]);
}

/** Seconds from the report's moment to an instant the API names; +Inf when it names none. */
export const leadSeconds = (iso: string | null, updatedAt: string): number =>
  iso === null ? Infinity : (Date.parse(iso) - Date.parse(updatedAt)) / 1000;

/**
 * GET /api/v1/capacity and /metrics read at the same moment (no round in between) say the same:
 * capacity classes, sellable GPUs, blocks and value, stranded power, oversold risk and lead times.
 */
export async function expectCapacityAgrees(h: TestHeadroom): Promise<{ cap: CapacityJson; m: Exposition }> {
  const cap = (await h.getJson<CapacityJson>('/api/v1/capacity')).body;
  const text = await scrapeText(h);
  expectNoNaN(text);
  const m = parseExposition(text);
  for (const cls of ['total', 'up', 'internal', 'reserve', 'sellable'])
    expect(m.value('headroom_capacity_gpus', { class: cls }), cls).toBe(cap.gpus[cls]);
  expect(m.sum('headroom_sellable_gpus')).toBe(cap.sellable.gpus);
  expect(m.sum('headroom_sellable_blocks')).toBe(cap.sellable.blocks.length);
  expect(m.sum('headroom_sellable_value_usd_per_month')).toBeCloseTo(cap.sellable.valueUsdPerMonth, 2);
  // Per model pool: the same figures as `models` of GET /capacity, and pools adding up to the site.
  expect(cap.models.length).toBeGreaterThan(0);
  for (const pool of cap.models) {
    for (const cls of ['up', 'internal', 'reserve', 'sellable'] as const)
      expect(m.value('headroom_model_capacity_gpus', { model: pool.model, class: cls }), `${pool.model} ${cls}`).toBe(pool.gpus[cls]);
    expect(m.value('headroom_model_sellable_value_usd_per_month', { model: pool.model })).toBeCloseTo(pool.sellable.valueUsdPerMonth, 2);
    expect(m.value('headroom_model_oversold_shortfall_gpus', { model: pool.model })).toBe(pool.risk.shortfallGpus);
  }
  expect(m.sum('headroom_model_capacity_gpus', { class: 'sellable' })).toBe(cap.gpus.sellable);
  expect(m.value('headroom_power_stranded_watts')).toBe(cap.power.strandedWatts);
  expect(m.value('headroom_stranded_gpus')).toBe(cap.power.strandedGpus);
  expect(m.value('headroom_oversold')).toBe(cap.risk.oversold ? 1 : 0);
  expect(m.value('headroom_oversold_shortfall_gpus')).toBe(cap.risk.shortfallGpus);
  for (const [band, at] of [
    ['median', cap.risk.firstShortfallAt],
    ['high', cap.risk.firstRiskAt],
  ] as const) {
    const lead = m.value('headroom_oversold_lead_seconds', { band });
    expect(lead, `lead ${band}`).toBe(leadSeconds(at, cap.updatedAt));
    expect(lead, `lead ${band} is a time ahead`).toBeGreaterThanOrEqual(0);
  }
  expect(m.value('headroom_planned_internal_gpus', { when: 'now' })).toBe(cap.plans.inForceGpus);
  expect(m.value('headroom_planned_internal_gpus', { when: 'horizon' })).toBe(cap.plans.horizonPeakGpus);
  return { cap, m };
}

/** The contract gauges say what the contract service says for the simulated today. */
export async function expectContractsAgree(h: TestHeadroom): Promise<void> {
  const m = parseExposition(await scrapeText(h));
  const today = new Date(h.clock.now()).toISOString().slice(0, 10);
  const rows = h.contracts.contractedAt(today);
  expect(m.families.get('headroom_contract_revenue_usd_per_month')?.metrics ?? [], 'one revenue series a contracted customer').toHaveLength(
    rows.length,
  );
  for (const row of rows) {
    expect(m.value('headroom_contract_revenue_usd_per_month', { customer: row.customer })).toBe(row.monthlyUsd);
    expect(m.value('headroom_contracted_gpus', { customer: row.customer })).toBe(row.gpus);
    expect(m.value('headroom_contracted_watts', { customer: row.customer })).toBe(Math.round(row.facilityWatts));
  }
  const list = h.contracts.list();
  for (const status of ['active', 'ended', 'terminated']) {
    expect(m.value('headroom_contracts', { status }), status).toBe(list.filter((c) => c.status === status).length);
  }
}
