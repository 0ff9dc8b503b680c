import { describe, expect, it } from 'vitest';
import { addDays, revenueBeforeUsd, valueContract } from '../../../server/src/domain/contracts/valuation.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { monthlyRateCents } from '../../../server/src/services/contracts/monthly-rate.js';
import { cents, contract, expectInvalid } from './builders.js';

// 1,400 facility watts per GPU (DESIGN.md: ≈ 650–730 GPUs per facility MW).
const SITE = { gpusPerFacilityWatt: 1 / 1_400, gpusPerPod: 256 };

/** Every money figure of a valuation, in cents. */
function figures(asOf: string, c = contract()) {
  const v = valueContract(c, asOf, SITE);
  return {
    phase: v.phase,
    currentMonth: cents(v.currentMonthUsd),
    tcv: cents(v.tcvUsd),
    toDate: cents(v.revenueToDateUsd),
    guaranteed: cents(v.guaranteedUsd),
    remaining: cents(v.remainingUsd),
  };
}

// The default contract: $3,000/month, 2026-06-01..2026-08-31 (Jun 30, Jul 31, Aug 31 days),
// no ramp, 30 days' notice. TCV 9,000.00.
describe('valueContract as of a date', () => {
  it('has earned nothing before start and guarantees only the notice days inside the term', () => {
    // asOf 2026-05-20, notice [May 20, Jun 19): Jun 1–18 = 18/30 × 3,000 = 1,800.00.
    expect(figures('2026-05-20')).toEqual({
      phase: 'before-start',
      currentMonth: 0,
      tcv: 900_000,
      toDate: 0,
      guaranteed: 180_000,
      remaining: 900_000,
    });
  });

  it('guarantees nothing when the notice period ends before start', () => {
    // asOf 2026-01-01 + 30 days = 2026-01-31, before June.
    expect(figures('2026-01-01')).toMatchObject({ toDate: 0, guaranteed: 0, remaining: 900_000 });
  });

  it('counts no revenue on the start day itself', () => {
    // Days strictly before 2026-06-01: none. Notice Jun 1–30 = all of June = 3,000.00.
    expect(figures('2026-06-01')).toEqual({
      phase: 'in-term',
      currentMonth: 300_000,
      tcv: 900_000,
      toDate: 0,
      guaranteed: 300_000,
      remaining: 900_000,
    });
  });

  it('counts all but the last day on the end day, and caps the notice at the end', () => {
    // Before 2026-08-31: Jun 3,000 + Jul 3,000 + Aug 1–30 = 30/31 × 3,000 = 2,903.225… → 2,903.23
    // = 8,903.23. Notice from Aug 31 would run to Sep 29 but is capped at Aug 31: guaranteed = TCV.
    expect(figures('2026-08-31')).toEqual({
      phase: 'in-term',
      currentMonth: 300_000,
      tcv: 900_000,
      toDate: 890_323,
      guaranteed: 900_000,
      remaining: 9_677,
    });
  });

  it('has earned everything after the end', () => {
    for (const asOf of ['2026-09-01', '2030-01-01']) {
      expect(figures(asOf)).toEqual({
        phase: 'after-end',
        currentMonth: 0,
        tcv: 900_000,
        toDate: 900_000,
        guaranteed: 900_000,
        remaining: 0,
      });
    }
  });

  it('caps notice at the end of a contract that ends sooner', () => {
    // $3,000/month 2026-06-01..2026-07-31 (TCV 6,000), asOf 2026-07-20, 45 days' notice (to Sep 3):
    // to date Jun 3,000 + Jul 1–19 = 19/31 × 3,000 = 1,838.709… → 1,838.71 = 4,838.71;
    // guaranteed capped at Jul 31 = 6,000.00; remaining 1,161.29.
    const c = contract({ end: '2026-07-31', noticeDays: 45 });
    expect(figures('2026-07-20', c)).toMatchObject({ tcv: 600_000, toDate: 483_871, guaranteed: 600_000, remaining: 116_129 });
  });

  it('guarantees exactly revenue to date with no notice', () => {
    const c = contract({ noticeDays: 0 });
    const f = figures('2026-07-20', c);
    // Jun 3,000 + 19/31 × 3,000 = 4,838.71.
    expect(f.toDate).toBe(483_871);
    expect(f.guaranteed).toBe(f.toDate);
  });

  it('prorates a notice period across a leap February by 29ths', () => {
    // $2,900/month 2028-01-01..2028-12-31, asOf 2028-02-15, 20 days' notice:
    // to date Jan 2,900 + Feb 1–14 = 14/29 × 2,900 = 1,400 → 4,300.00;
    // notice Feb 15–29 (15 days) + Mar 1–5 (5 days): guaranteed = Jan + Feb 2,900 + 5/31 × 2,900
    // (467.741… → 467.74) = 6,267.74.
    const c = contract({ start: '2028-01-01', end: '2028-12-31', monthlyPriceUsd: 2_900, noticeDays: 20 });
    expect(figures('2028-02-15', c)).toMatchObject({ toDate: 430_000, guaranteed: 626_774 });
  });

  it('reports the whole charge of a partial month containing asOf, even before start', () => {
    // Contract from 2026-06-15: June bills 16/30 × 3,000 = 1,600.00; asOf 2026-06-10 is in June.
    const c = contract({ start: '2026-06-15' });
    expect(figures('2026-06-10', c)).toMatchObject({ phase: 'before-start', currentMonth: 160_000, toDate: 0 });
  });

  it('values a single-day contract on, before and after its day', () => {
    // $3,100/month for 2026-03-15 only: 1/31 × 3,100 = 100.00.
    const c = contract({ start: '2026-03-15', end: '2026-03-15', monthlyPriceUsd: 3_100, noticeDays: 1 });
    expect(figures('2026-03-14', c)).toMatchObject({ toDate: 0, guaranteed: 0, tcv: 10_000 });
    expect(figures('2026-03-15', c)).toMatchObject({ toDate: 0, guaranteed: 10_000, remaining: 10_000 });
    expect(figures('2026-03-16', c)).toMatchObject({ toDate: 10_000, guaranteed: 10_000, remaining: 0 });
  });

  it('never orders the figures otherwise than to date ≤ guaranteed ≤ TCV, with to date + remaining = TCV', () => {
    const c = contract({
      start: '2026-01-10',
      end: '2027-03-20',
      monthlyPriceUsd: 1_234.57,
      ramp: [{ months: 3, factor: 0.33 }],
      noticeDays: 45,
    });
    for (let day = 0; day < 460; day += 7) {
      const asOf = addDays('2026-01-01', day);
      const f = figures(asOf, c);
      expect(f.toDate).toBeLessThanOrEqual(f.guaranteed);
      expect(f.guaranteed).toBeLessThanOrEqual(f.tcv);
      expect(f.toDate + f.remaining).toBe(f.tcv);
    }
  });

  it('agrees with revenueBeforeUsd', () => {
    expect(revenueBeforeUsd(contract(), '2026-08-31')).toBe(8_903.23);
    expect(revenueBeforeUsd(contract(), '2026-05-01')).toBe(0);
  });

  it('refuses a malformed asOf, naming it', () => {
    expectInvalid(() => valueContract(contract(), '2026-02-30', SITE), 'asOf');
  });

  it('refuses to value invalid terms', () => {
    expectInvalid(() => valueContract(contract({ end: '2026-05-31' }), '2026-06-01', SITE), 'end');
  });
});

describe('valueContract capacity and implied prices', () => {
  it('derives facility watts from GPUs and prices a GPU-hour and a MW-month', () => {
    // 2,048 GPUs × 1,400 W = 2,867,200 W. Price 2,048 × 730 h × $2.50 = $3,737,600/month.
    // $/GPU-hour = 3,737,600 / 1,495,040 = 2.50; $/MW-month = 3,737,600 / 2.8672 = 1,303,571.428… → 1,303,571.43.
    const v = valueContract(contract({ capacity: { gpus: 2_048 }, monthlyPriceUsd: 3_737_600 }), '2026-07-01', SITE);
    expect(v.gpus).toBe(2_048);
    expect(v.facilityWatts).toBe(2_867_200);
    expect(v.impliedUsdPerGpuHour).toBe(2.5);
    expect(cents(v.impliedUsdPerMwMonth ?? Number.NaN)).toBe(130_357_143);
  });

  it('turns pods into GPUs with the site’s GPUs per pod', () => {
    // 2 pods × 256 = 512 GPUs × 1,400 W = 716,800 W.
    const v = valueContract(contract({ capacity: { pods: 2 } }), '2026-07-01', SITE);
    expect([v.gpus, v.facilityWatts]).toEqual([512, 716_800]);
  });

  it('floors GPUs for a watts contract', () => {
    // 1,000,000 W / 1,400 W = 714.28… → 714 GPUs.
    const v = valueContract(contract({ capacity: { watts: 1_000_000 } }), '2026-07-01', SITE);
    expect(v.gpus).toBe(714);
    expect(v.facilityWatts).toBe(1_000_000);
  });

  it('gives null implied prices where the site has no GPUs per watt', () => {
    const noGpus = { gpusPerFacilityWatt: 0 };
    const watts = valueContract(contract({ capacity: { watts: 1_000_000 } }), '2026-07-01', noGpus);
    expect([watts.gpus, watts.impliedUsdPerGpuHour]).toEqual([0, null]);
    // $3,000 / 1 MW = 3,000.00 per MW-month.
    expect(watts.impliedUsdPerMwMonth).toBe(3_000);
    const gpus = valueContract(contract({ capacity: { gpus: 8 } }), '2026-07-01', noGpus);
    expect([gpus.facilityWatts, gpus.impliedUsdPerMwMonth]).toEqual([0, null]);
  });

  it('needs GPUs per pod to value a pods contract', () => {
    expectInvalid(() => valueContract(contract({ capacity: { pods: 1 } }), '2026-07-01', { gpusPerFacilityWatt: 1 / 1_400 }), 'gpusPerPod');
  });

  it('refuses a negative GPUs-per-watt figure', () => {
    expect(() => valueContract(contract(), '2026-07-01', { gpusPerFacilityWatt: -1 })).toThrow(DomainError);
  });
});

describe('the monthly rate in force', () => {
  const ramped = contract({ start: '2026-06-15', end: '2027-05-31', monthlyPriceUsd: 1_000.01, ramp: [{ months: 2, factor: 0.5 }] });

  it('is the full rate × the ramp factor of the month, not prorated, as the live headline sums it', () => {
    expect(valueContract(ramped, '2026-06-20', SITE).rateInForceUsd).toBe(500.01);
    expect(valueContract(ramped, '2026-07-31', SITE).rateInForceUsd).toBe(500.01);
    expect(valueContract(ramped, '2026-08-01', SITE).rateInForceUsd).toBe(1_000.01);
    expect(monthlyRateCents(ramped, '2026-06-20')).toBe(50_001n);
  });

  it('is 0 outside the term and for a contract that is not active', () => {
    expect(valueContract(ramped, '2026-06-14', SITE).rateInForceUsd).toBe(0);
    expect(valueContract(ramped, '2027-06-01', SITE).rateInForceUsd).toBe(0);
    expect(valueContract({ ...ramped, status: 'terminated' }, '2026-09-01', SITE).rateInForceUsd).toBe(0);
  });
});
