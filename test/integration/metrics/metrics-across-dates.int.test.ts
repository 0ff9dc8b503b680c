import { afterEach, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { authedFetch } from '../helpers/auth.js';
import { expectCapacityAgrees, expectContractsAgree, scrapeText } from '../helpers/metrics-agreement.js';
import { parseExposition } from '../helpers/exposition.js';

/**
 * CI went red on 2026-12-07 because a test read the simulated site at the day it ran (issue 25):
 * /metrics and the API must agree on every day, so here they are compared at pinned moments across
 * the simulator's year — month ends, a leap day, contract starts, ramps and ends, the decline, the
 * rebound and the failure wave — each on a fresh site started there (SIM_START).
 */

/** Hand-made book on top of the demo one: a reference-deal-like term and a winter contract on 1 pod each. */
const BOOK = [
  // Like the reference deal: 2026-06-01 → 2029-05-31, two months at half price, 90 days' notice.
  {
    customer: 'Ref Lab',
    capacity: { pods: 1 },
    start: '2026-06-01',
    end: '2029-05-31',
    monthlyPriceUsd: 100_000,
    ramp: [{ months: 2, factor: 0.5 }],
    noticeDays: 90,
  },
  {
    customer: 'Winter Co',
    capacity: { pods: 1 },
    start: '2026-12-01',
    end: '2027-02-28',
    monthlyPriceUsd: 40_000,
    ramp: [],
    noticeDays: 30,
  },
];

interface Case {
  at: string;
  scenario: 'decline' | 'flat' | 'rebound' | 'failures';
  why: string;
  /** Monthly revenue in force for the hand-made book's customers that day, by hand (absent: not in term). */
  revenue: Partial<Record<'Ref Lab' | 'Winter Co', number>>;
}

const CASES: Case[] = [
  { at: '2026-01-31T23:50:00Z', scenario: 'decline', why: 'a month end, before any contract and the decline', revenue: {} },
  { at: '2026-02-28T12:00:00Z', scenario: 'flat', why: 'the end of a short month', revenue: {} },
  { at: '2026-06-01T00:00:00Z', scenario: 'decline', why: 'the reference-like term starts, at half price', revenue: { 'Ref Lab': 50_000 } },
  { at: '2026-07-31T23:00:00Z', scenario: 'decline', why: 'the last day of its ramp', revenue: { 'Ref Lab': 50_000 } },
  { at: '2026-08-01T00:30:00Z', scenario: 'decline', why: 'the first day at full price', revenue: { 'Ref Lab': 100_000 } },
  { at: '2026-10-02T00:00:00Z', scenario: 'decline', why: 'the decline starts', revenue: { 'Ref Lab': 100_000 } },
  { at: '2026-11-27T12:00:00Z', scenario: 'decline', why: 'the last green CI day', revenue: { 'Ref Lab': 100_000 } },
  { at: '2026-11-30T23:30:00Z', scenario: 'rebound', why: 'a month end, the eve of the rebound', revenue: { 'Ref Lab': 100_000 } },
  {
    at: '2026-12-01T06:00:00Z',
    scenario: 'rebound',
    why: 'the rebound under way, the winter term starts',
    revenue: { 'Ref Lab': 100_000, 'Winter Co': 40_000 },
  },
  {
    at: '2026-12-07T12:00:00Z',
    scenario: 'decline',
    why: 'the day CI went red: no median shortfall, lead +Inf',
    revenue: { 'Ref Lab': 100_000, 'Winter Co': 40_000 },
  },
  {
    at: '2026-12-31T23:30:00Z',
    scenario: 'failures',
    why: 'the year end, a failure wave under way',
    revenue: { 'Ref Lab': 100_000, 'Winter Co': 40_000 },
  },
  {
    at: '2027-02-28T12:00:00Z',
    scenario: 'decline',
    why: 'the winter term’s last day',
    revenue: { 'Ref Lab': 100_000, 'Winter Co': 40_000 },
  },
  { at: '2027-03-01T00:30:00Z', scenario: 'decline', why: 'the day after the winter term', revenue: { 'Ref Lab': 100_000 } },
  { at: '2028-02-29T12:00:00Z', scenario: 'flat', why: 'a leap day', revenue: { 'Ref Lab': 100_000 } },
  { at: '2029-05-31T23:00:00Z', scenario: 'decline', why: 'the reference-like term’s last day', revenue: { 'Ref Lab': 100_000 } },
  { at: '2029-06-01T00:30:00Z', scenario: 'decline', why: 'the day after it ended', revenue: {} },
];

let h: TestHeadroom | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

describe('/metrics agrees with the API at pinned moments across the year', () => {
  it('covers at least 12 moments', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of CASES) {
    it(`${c.at} (${c.scenario}): ${c.why}`, async () => {
      h = await startTestHeadroom({ SIM_START: c.at, SIM_SCENARIO: c.scenario, SIM_CONTRACTS: 'demo', BACKFILL_DAYS: '2' });
      const site = h;
      for (const terms of BOOK) {
        const res = await authedFetch(`${site.url}/api/v1/contracts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(terms),
        });
        expect(res.status, `${terms.customer}: ${await res.clone().text()}`).toBe(201);
      }
      await expectCapacityAgrees(site);
      await expectContractsAgree(site);
      const m = parseExposition(await scrapeText(site));
      for (const customer of ['Ref Lab', 'Winter Co'] as const) {
        const series =
          m.families.get('headroom_contract_revenue_usd_per_month')?.metrics.filter((s) => s.labels?.customer === customer) ?? [];
        const expected = c.revenue[customer];
        if (expected === undefined) expect(series, customer).toEqual([]);
        else expect(m.value('headroom_contract_revenue_usd_per_month', { customer }), customer).toBe(expected);
      }
      // And again after a collection round has moved the fleet and the report on.
      await site.collectAt(site.clock.now());
      await expectCapacityAgrees(site);
    });
  }
});
