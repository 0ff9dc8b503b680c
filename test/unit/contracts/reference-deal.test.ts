import { describe, expect, it } from 'vitest';
import { addDays, monthlySchedule, valueContract } from '../../../server/src/domain/contracts/valuation.js';
import { cents, referenceDeal } from './builders.js';

/*
 * The reference deal (DESIGN.md, "Reference figures": press reports of SpaceX's S-1, May 2026):
 * 300 MW of facility power, $1,250,000,000 a month, 2026-06-01 to 2029-05-31, the first two
 * months at half price, 90 days' notice either side, "over $40B" in all; implied $4.17M per
 * MW-month and ≈ $7.78 per GPU-hour at 220,000 GPUs and 730 h/month.
 */
const REFERENCE_SITE = { gpusPerFacilityWatt: 220_000 / 300_000_000 };

describe('the reference deal', () => {
  it('bills 36 calendar months with June and July 2026 at half price', () => {
    const schedule = monthlySchedule(referenceDeal());
    expect(schedule).toHaveLength(36);
    expect(schedule[0]).toEqual({ month: '2026-06', index: 1, days: 30, daysInMonth: 30, factor: 0.5, usd: 625_000_000 });
    expect(schedule[1]).toEqual({ month: '2026-07', index: 2, days: 31, daysInMonth: 31, factor: 0.5, usd: 625_000_000 });
    expect(schedule[2]).toMatchObject({ month: '2026-08', factor: 1, usd: 1_250_000_000 });
    // February 2028 is a leap month, but it is a whole month: full price, 29 of 29 days.
    expect(schedule.find((m) => m.month === '2028-02')).toMatchObject({ days: 29, daysInMonth: 29, usd: 1_250_000_000 });
    expect(schedule[35]).toMatchObject({ month: '2029-05', days: 31, usd: 1_250_000_000 });
  });

  it('has a total contract value of exactly $43,750,000,000.00', () => {
    // 36 months × $1.25B − 2 ramp months × $0.625B discount = $45B − $1.25B = $43.75B.
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(cents(v.tcvUsd)).toBe(4_375_000_000_000);
  });

  it('has earned $6,083,333,333.33 before 2026-11-27', () => {
    // Jun 0.625B + Jul 0.625B + Aug, Sep, Oct 3 × 1.25B = 5,000,000,000.00
    // + Nov 1..26: 26/30 × 1,250,000,000 = 1,083,333,333.333… → 1,083,333,333.33
    // = 6,083,333,333.33
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(cents(v.revenueToDateUsd)).toBe(608_333_333_333);
    expect(String(v.revenueToDateUsd)).toBe('6083333333.33');
  });

  it('guarantees $9,821,428,571.43 if notice is given on 2026-11-27', () => {
    // Notice covers 90 days from 2026-11-27: Nov 27–30 (4) + Dec (31) + Jan (31) + Feb 1–24 (24) = 90.
    expect(addDays('2026-11-27', 90)).toBe('2027-02-25');
    // Revenue of contract days before 2027-02-25, rounded once:
    //   through Oct 5,000,000,000.00 + Nov whole 1,250,000,000.00 + Dec 1,250,000,000.00
    //   + Jan 1,250,000,000.00 + Feb 2027 24/28 × 1,250,000,000 = 1,071,428,571.428… → 1,071,428,571.43
    //   = 9,821,428,571.43
    // Equivalently to date 6,083,333,333.33 + notice 4/30 × 1.25B (166,666,666.67) + 2.5B + 1,071,428,571.43.
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(cents(v.guaranteedUsd)).toBe(982_142_857_143);
    expect(cents(v.guaranteedUsd) - cents(v.revenueToDateUsd)).toBe(373_809_523_810);
  });

  it('leaves $37,666,666,666.67 to be earned from 2026-11-27 on', () => {
    // 43,750,000,000.00 − 6,083,333,333.33
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(cents(v.remainingUsd)).toBe(3_766_666_666_667);
  });

  it('implies $4,166,666.67 per MW-month and $7.78 per GPU-hour at 220,000 GPUs', () => {
    // 1,250,000,000 / 300 MW = 4,166,666.666… → 4,166,666.67 (DESIGN.md: $4.17M per MW-month).
    // 300,000,000 W × 220,000/300,000,000 GPUs per W = 220,000 GPUs;
    // 1,250,000,000 / (220,000 × 730 h = 160,600,000 GPU-hours) = 7.7833… → 7.78.
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(v.gpus).toBe(220_000);
    expect(v.facilityWatts).toBe(300_000_000);
    expect(cents(v.impliedUsdPerMwMonth ?? Number.NaN)).toBe(416_666_667);
    expect(cents(v.impliedUsdPerGpuHour ?? Number.NaN)).toBe(778);
  });

  it('reports the full monthly price and November 2026 as the current month', () => {
    const v = valueContract(referenceDeal(), '2026-11-27', REFERENCE_SITE);
    expect(v.monthlyUsd).toBe(1_250_000_000);
    expect(v.currentMonthUsd).toBe(1_250_000_000);
    expect(v.phase).toBe('in-term');
  });

  it('reports the discounted month as current during the ramp', () => {
    // As of 2026-07-10: June 625,000,000 + July 1..9 = 9/31 × 625,000,000 = 181,451,612.903… → 181,451,612.90
    const v = valueContract(referenceDeal(), '2026-07-10', REFERENCE_SITE);
    expect(v.monthlyUsd).toBe(1_250_000_000);
    expect(v.currentMonthUsd).toBe(625_000_000);
    expect(cents(v.revenueToDateUsd)).toBe(80_645_161_290);
  });
});
