import { describe, expect, it } from 'vitest';
import { monthlySchedule, valueContract } from '../../../server/src/domain/contracts/valuation.js';
import { cents, contract } from './builders.js';

const SITE = { gpusPerFacilityWatt: 1 / 1_400 };
const rows = (c = contract()) => monthlySchedule(c).map((m) => [m.month, m.days, m.factor, cents(m.usd)]);
const tcvCents = (c = contract()) => cents(valueContract(c, '2026-01-01', SITE).tcvUsd);

describe('monthlySchedule', () => {
  it('applies ramp steps consecutively over several months, then full price', () => {
    // $3,000/month, 2027-01-01..2027-06-30, ramp [3 months × 0.5, 2 months × 0.75]:
    // Jan–Mar 1,500 each, Apr–May 2,250 each, Jun 3,000 → TCV 4,500 + 4,500 + 3,000 = 12,000.
    const c = contract({
      start: '2027-01-01',
      end: '2027-06-30',
      ramp: [
        { months: 3, factor: 0.5 },
        { months: 2, factor: 0.75 },
      ],
    });
    expect(rows(c)).toEqual([
      ['2027-01', 31, 0.5, 150_000],
      ['2027-02', 28, 0.5, 150_000],
      ['2027-03', 31, 0.5, 150_000],
      ['2027-04', 30, 0.75, 225_000],
      ['2027-05', 31, 0.75, 225_000],
      ['2027-06', 30, 1, 300_000],
    ]);
    expect(tcvCents(c)).toBe(1_200_000);
  });

  it('counts a mid-month start as ramp month 1, so the ramp ends with that calendar month', () => {
    // $3,000/month, 2026-06-15..2026-09-14, ramp [1 month × 0.5]:
    // Jun 15–30 = 16/30 × 3,000 × 0.5 = 800; Jul 3,000; Aug 3,000; Sep 1–14 = 14/30 × 3,000 = 1,400.
    // TCV 8,200.
    const c = contract({ start: '2026-06-15', end: '2026-09-14', ramp: [{ months: 1, factor: 0.5 }] });
    expect(rows(c)).toEqual([
      ['2026-06', 16, 0.5, 80_000],
      ['2026-07', 31, 1, 300_000],
      ['2026-08', 31, 1, 300_000],
      ['2026-09', 14, 1, 140_000],
    ]);
    expect(tcvCents(c)).toBe(820_000);
  });

  it('discounts the first full month too when a two-month ramp starts mid-month', () => {
    // Same term, ramp [2 months × 0.5]: Jun 800 + Jul 1,500 + Aug 3,000 + Sep 1,400 = 6,700.
    const c = contract({ start: '2026-06-15', end: '2026-09-14', ramp: [{ months: 2, factor: 0.5 }] });
    expect(tcvCents(c)).toBe(670_000);
  });

  it('prorates partial first and last months by day and rounds each month to the cent', () => {
    // $1,000/month, 2026-01-10..2026-03-20:
    // Jan 10–31 = 22/31 × 1,000 = 709.677… → 709.68; Feb 2026 whole (28 days) = 1,000.00;
    // Mar 1–20 = 20/31 × 1,000 = 645.161… → 645.16. TCV = 2,354.84.
    const c = contract({ start: '2026-01-10', end: '2026-03-20', monthlyPriceUsd: 1_000 });
    expect(rows(c)).toEqual([
      ['2026-01', 22, 1, 70_968],
      ['2026-02', 28, 1, 100_000],
      ['2026-03', 20, 1, 64_516],
    ]);
    expect(tcvCents(c)).toBe(235_484);
  });

  it('rounds a half cent up', () => {
    // $0.03/month for Jun 16–30 = 15/30 × 3 cents = 1.5 cents → 2 cents.
    const c = contract({ start: '2026-06-16', end: '2026-06-30', monthlyPriceUsd: 0.03 });
    expect(rows(c)).toEqual([['2026-06', 15, 1, 2]]);
  });

  it('divides February 2028 into 29 days', () => {
    // $2,900/month, 2028-02-15..2028-03-14: Feb 15–29 = 15/29 × 2,900 = 1,500.00;
    // Mar 1–14 = 14/31 × 2,900 = 1,309.677… → 1,309.68. TCV 2,809.68.
    const c = contract({ start: '2028-02-15', end: '2028-03-14', monthlyPriceUsd: 2_900 });
    expect(monthlySchedule(c)[0]).toMatchObject({ month: '2028-02', days: 15, daysInMonth: 29, usd: 1_500 });
    expect(rows(c)).toEqual([
      ['2028-02', 15, 1, 150_000],
      ['2028-03', 14, 1, 130_968],
    ]);
    expect(tcvCents(c)).toBe(280_968);
  });

  it('bills a whole leap February at the full monthly price', () => {
    const c = contract({ start: '2028-02-01', end: '2028-02-29', monthlyPriceUsd: 2_900 });
    expect(rows(c)).toEqual([['2028-02', 29, 1, 290_000]]);
  });

  it('divides February 2100 into 28 days, 2100 not being a leap year', () => {
    // $2,800/month, 2100-02-15..2100-03-14: Feb 15–28 = 14/28 × 2,800 = 1,400.00;
    // Mar 1–14 = 14/31 × 2,800 = 1,264.516… → 1,264.52. TCV 2,664.52.
    const c = contract({ start: '2100-02-15', end: '2100-03-14', monthlyPriceUsd: 2_800 });
    expect(monthlySchedule(c)[0]).toMatchObject({ month: '2100-02', days: 14, daysInMonth: 28 });
    expect(rows(c)).toEqual([
      ['2100-02', 14, 1, 140_000],
      ['2100-03', 14, 1, 126_452],
    ]);
  });

  it('bills a single-day contract one day of its month', () => {
    // $3,100/month for 2026-03-15 only: 1/31 × 3,100 = 100.00.
    const c = contract({ start: '2026-03-15', end: '2026-03-15', monthlyPriceUsd: 3_100 });
    expect(monthlySchedule(c)).toEqual([{ month: '2026-03', index: 1, days: 1, daysInMonth: 31, factor: 1, usd: 100 }]);
    // With a one-month ramp at 0.5 the day costs 50.00.
    expect(rows({ ...c, ramp: [{ months: 1, factor: 0.5 }] })).toEqual([['2026-03', 1, 0.5, 5_000]]);
  });

  it('crosses a year end in order', () => {
    const c = contract({ start: '2026-12-20', end: '2027-01-05' });
    expect(monthlySchedule(c).map((m) => [m.month, m.index, m.days])).toEqual([
      ['2026-12', 1, 12],
      ['2027-01', 2, 5],
    ]);
  });

  it('treats a zero-month ramp step as no step', () => {
    const c = contract({
      ramp: [
        { months: 0, factor: 0.1 },
        { months: 1, factor: 0.5 },
      ],
    });
    expect(monthlySchedule(c).map((m) => m.factor)).toEqual([0.5, 1, 1]);
  });

  it('computes a premium factor and a factor with no exact binary form exactly', () => {
    // $3,000 × 0.1 = 300.00 exactly (0.1 is read as 1/10); $3,000 × 1.15 = 3,450.00.
    const c = contract({
      ramp: [
        { months: 1, factor: 0.1 },
        { months: 1, factor: 1.15 },
      ],
    });
    expect(rows(c).map((r) => r[3])).toEqual([30_000, 345_000, 300_000]);
  });
});
