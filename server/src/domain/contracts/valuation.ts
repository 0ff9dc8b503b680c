import { DomainError } from '../errors.js';
import { daysInMonth, epochDay, epochDayOf, formatIsoMonth, parseIsoDate, type IsoDate } from './calendar.js';
import { validateContractTerms, type Contract } from './contract.js';
import { centsToUsd, decimalRatio, divRoundHalfUp, usdToCents, type Ratio } from './money.js';

export { addDays, daysBetween, daysInMonth, parseIsoDate } from './calendar.js';

/**
 * Contract valuation: billing by calendar month, partial months pro rata by day.
 *
 * The convention (also in docs/capacity-and-billing.md):
 * - A month's charge = monthlyPriceUsd × rampFactor(month index) × (contract days in that month /
 *   days in that month). Contract days run from `start` to `end`, both inclusive, in UTC.
 * - Month index 1 is the calendar month containing `start`, even when the contract starts
 *   mid-month; each later calendar month adds 1. A partial first month uses up a whole ramp month.
 * - Ramp steps apply consecutively: `[{ months: 2, factor: 0.5 }, { months: 1, factor: 0.75 }]`
 *   bills months 1–2 at 0.5, month 3 at 0.75 and month 4 onward at 1.
 * - Each month's charge is rounded to the cent (half up) once; the term's total (TCV) is the sum
 *   of those charges. Revenue up to a date inside a month is that month's days before the date,
 *   pro rata, rounded to the cent once, so a full month's share equals its charge exactly.
 * - Arithmetic is exact (integer cents × exact decimal factor × days, as `bigint` fractions; see
 *   money.ts), so the only rounding is the one stated.
 */

/** One calendar month of a contract's bill. */
export interface ScheduleMonth {
  /** `YYYY-MM`. */
  month: string;
  /** 1 for the calendar month containing `start`. */
  index: number;
  /** Contract days in this month. */
  days: number;
  daysInMonth: number;
  /** Ramp factor of this month (1 after the ramp). */
  factor: number;
  /** The month's charge, USD to the cent. */
  usd: number;
}

interface BillingMonth {
  month: string;
  index: number;
  /** Day number of the first contract day in this month. */
  firstDay: number;
  days: number;
  daysInMonth: number;
  factor: number;
  /** Cents × factor per contract day, before ÷ daysInMonth: an exact fraction. */
  perDay: Ratio;
}

interface Billing {
  startDay: number;
  endDay: number;
  priceCents: bigint;
  months: BillingMonth[];
}

function rampFactorOf(contract: Contract, index: number): number {
  let through = 0;
  for (const step of contract.ramp) {
    through += step.months;
    if (index <= through) return step.factor;
  }
  return 1;
}

function billingOf(contract: Contract): Billing {
  validateContractTerms(contract);
  const priceCents = usdToCents(contract.monthlyPriceUsd);
  if (priceCents === null) throw new DomainError('invalid', 'monthlyPriceUsd: must be whole cents', { path: 'monthlyPriceUsd' });
  const startDay = epochDay(contract.start, 'start');
  const endDay = epochDay(contract.end, 'end');
  const months: BillingMonth[] = [];
  let { year, month } = parseIsoDate(contract.start, 'start');
  for (let index = 1; ; index++) {
    const length = daysInMonth(year, month);
    const monthFirst = epochDayOf({ year, month, day: 1 });
    if (monthFirst > endDay) break;
    const firstDay = Math.max(monthFirst, startDay);
    const lastDay = Math.min(monthFirst + length - 1, endDay);
    const factor = rampFactorOf(contract, index);
    const f = decimalRatio(factor, 'ramp.factor');
    months.push({
      month: formatIsoMonth(year, month),
      index,
      firstDay,
      days: lastDay - firstDay + 1,
      daysInMonth: length,
      factor,
      perDay: { num: priceCents * f.num, den: f.den * BigInt(length) },
    });
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return { startDay, endDay, priceCents, months };
}

/** Charge for `days` contract days of a month, rounded to the cent once. */
function chargeCents(m: BillingMonth, days: number): bigint {
  return divRoundHalfUp(m.perDay.num * BigInt(days), m.perDay.den);
}

/** Full rate × the month's ramp factor, rounded half up to the cent (as services/contracts/monthly-rate.ts). */
function rateCents(billing: Billing, m: BillingMonth): bigint {
  const f = decimalRatio(m.factor, 'ramp.factor');
  return divRoundHalfUp(billing.priceCents * f.num, f.den);
}

/** Revenue of the contract days strictly before day number `day`, in cents. */
function earnedBeforeCents(billing: Billing, day: number): bigint {
  let total = 0n;
  for (const m of billing.months) {
    const daysBefore = Math.min(Math.max(day - m.firstDay, 0), m.days);
    if (daysBefore === 0) break;
    total += chargeCents(m, daysBefore);
  }
  return total;
}

/**
 * The contract's bill, one row per calendar month it touches, in order.
 * @returns `{ month: 'YYYY-MM', index, days, daysInMonth, factor, usd }`: partial first and last
 *   months carry their contract days only (a contract 2026-06-15..2026-07-14 bills June 16/30 and
 *   July 14/31); February has 29 days in leap years (2028) and 28 otherwise (2100). A single-day
 *   contract has one row of 1 day.
 * @throws DomainError('invalid', …, { path }) if the terms are invalid (see validateContractTerms).
 */
export function monthlySchedule(contract: Contract): ScheduleMonth[] {
  return billingOf(contract).months.map((m) => ({
    month: m.month,
    index: m.index,
    days: m.days,
    daysInMonth: m.daysInMonth,
    factor: m.factor,
    usd: centsToUsd(chargeCents(m, m.days)),
  }));
}

/**
 * Revenue earned on the contract days strictly before `date` (USD to the cent): 0 on or before
 * `start`, the TCV after `end`. The building block of every figure in {@link valueContract}.
 */
export function revenueBeforeUsd(contract: Contract, date: IsoDate): number {
  return centsToUsd(earnedBeforeCents(billingOf(contract), epochDay(date, 'date')));
}

/** What valuation needs to know of the site to turn capacity into GPUs and facility watts. */
export interface ValuationSite {
  /** GPUs per facility watt, e.g. 220,000 / 300,000,000 for the reference deal. */
  gpusPerFacilityWatt: number;
  /** GPUs in one pod; required for a `{ pods }` contract. */
  gpusPerPod?: number;
}

export type ContractPhase = 'before-start' | 'in-term' | 'after-end';

export interface ContractValuation {
  asOf: IsoDate;
  phase: ContractPhase;
  /** The full-rate monthly price (no ramp, no proration): the API's "monthly revenue". */
  monthlyUsd: number;
  /**
   * The monthly price in force on `asOf`: full rate × the ramp factor of its month, no proration;
   * 0 outside the term or unless `active`. What the live headline sums as contracted revenue per month.
   */
  rateInForceUsd: number;
  /** The whole charge of the calendar month containing `asOf` (ramp and proration applied); 0 if the term does not touch that month. */
  currentMonthUsd: number;
  /** Total contract value: the sum of every month's charge. */
  tcvUsd: number;
  /** Revenue of contract days strictly before `asOf`. */
  revenueToDateUsd: number;
  /** Revenue to date + revenue of the notice period `[asOf, asOf + noticeDays)`, capped at `end`. */
  guaranteedUsd: number;
  /** `tcvUsd − revenueToDateUsd`: revenue of the days from `asOf` on. */
  remainingUsd: number;
  /** monthlyUsd / facility MW, to the cent; null when the facility watts are 0 (unknown). */
  impliedUsdPerMwMonth: number | null;
  /** monthlyUsd / (GPUs × 730 h), to the cent; null when the contract comes to 0 GPUs. */
  impliedUsdPerGpuHour: number | null;
  gpus: number;
  facilityWatts: number;
}

/** Billing hours in a month, by convention (DESIGN.md reference figures). */
export const HOURS_PER_MONTH = 730;

/** Floors, forgiving binary noise: 300e6 × (220000 / 300e6) must be 220,000, not 219,999. */
function floorCount(x: number): number {
  return Math.floor(x + 1e-9 * Math.max(1, Math.abs(x)));
}

function capacityOf(contract: Contract, site: ValuationSite): { gpus: number; facilityWatts: number } {
  const perWatt = site.gpusPerFacilityWatt;
  if (!Number.isFinite(perWatt) || perWatt < 0) {
    throw new DomainError('invalid', `gpusPerFacilityWatt must be finite and ≥ 0, got ${perWatt}`, { path: 'gpusPerFacilityWatt' });
  }
  const wattsFor = (gpus: number): number => (perWatt > 0 ? Math.round(gpus / perWatt) : 0);
  const capacity = contract.capacity;
  if ('watts' in capacity) return { gpus: floorCount(capacity.watts * perWatt), facilityWatts: capacity.watts };
  if ('gpus' in capacity) return { gpus: capacity.gpus, facilityWatts: wattsFor(capacity.gpus) };
  const perPod = site.gpusPerPod;
  if (perPod === undefined || !Number.isSafeInteger(perPod) || perPod < 0) {
    throw new DomainError('invalid', 'gpusPerPod: a whole number ≥ 0 is required to value a pods contract', { path: 'gpusPerPod' });
  }
  const gpus = capacity.pods * perPod;
  return { gpus, facilityWatts: wattsFor(gpus) };
}

/**
 * Values a contract as of a date. Pure: `asOf` is the only notion of "today".
 *
 * @param contract valid terms (checked again here; the status does not change the figures — a
 *   terminated contract is valued on the `end` its record carries).
 * @param asOf ISO date; revenue to date counts contract days strictly before it, so on `start`
 *   it is 0 and on `end` it is everything but the last day.
 * @param site GPUs per facility watt, and GPUs per pod for a pods contract.
 * @returns every figure in USD to the cent (exact: computed in integer cents, rounded as docs/capacity-and-billing.md
 *   states). Edge cases:
 *   - before `start`: revenue to date 0; guaranteed = revenue of the notice days
 *     `[asOf, asOf + noticeDays)` that fall in the term (0 if notice ends before start);
 *   - notice running past `end`: capped there, so guaranteed ≤ TCV;
 *   - after `end`: revenue to date = guaranteed = TCV, remaining 0;
 *   - noticeDays 0: guaranteed = revenue to date.
 *   Capacity: `{ watts }` are facility watts, GPUs = ⌊watts × gpusPerFacilityWatt⌋;
 *   `{ gpus }` → watts = round(gpus / gpusPerFacilityWatt); `{ pods }` → GPUs = pods × gpusPerPod.
 *   Implied prices use the full-rate monthly price and are null where their denominator is 0.
 * @throws DomainError('invalid', …, { path }) for invalid terms, a malformed `asOf`, a negative
 *   gpusPerFacilityWatt, or a pods contract without gpusPerPod.
 */
export function valueContract(contract: Contract, asOf: IsoDate, site: ValuationSite): ContractValuation {
  const billing = billingOf(contract);
  const asOfDate = parseIsoDate(asOf, 'asOf');
  const asOfDay = epochDayOf(asOfDate);
  const asOfMonth = formatIsoMonth(asOfDate.year, asOfDate.month);
  const afterEnd = billing.endDay + 1;

  const tcv = earnedBeforeCents(billing, afterEnd);
  const toDate = earnedBeforeCents(billing, asOfDay);
  // One cut, not to-date + a separately rounded notice slice, so the pieces never double-round.
  const guaranteed = earnedBeforeCents(billing, Math.min(asOfDay + contract.noticeDays, afterEnd));
  const current = billing.months.find((m) => m.month === asOfMonth);

  const { gpus, facilityWatts } = capacityOf(contract, site);
  const watts = decimalRatio(facilityWatts, 'facilityWatts');
  const perMwCents = watts.num > 0n ? divRoundHalfUp(billing.priceCents * 1_000_000n * watts.den, watts.num) : null;
  const perGpuHourCents = gpus > 0 ? divRoundHalfUp(billing.priceCents, BigInt(gpus) * BigInt(HOURS_PER_MONTH)) : null;

  const phase: ContractPhase = asOfDay < billing.startDay ? 'before-start' : asOfDay > billing.endDay ? 'after-end' : 'in-term';
  return {
    asOf,
    phase,
    monthlyUsd: centsToUsd(billing.priceCents),
    rateInForceUsd: current && phase === 'in-term' && contract.status === 'active' ? centsToUsd(rateCents(billing, current)) : 0,
    currentMonthUsd: current ? centsToUsd(chargeCents(current, current.days)) : 0,
    tcvUsd: centsToUsd(tcv),
    revenueToDateUsd: centsToUsd(toDate),
    guaranteedUsd: centsToUsd(guaranteed),
    remainingUsd: centsToUsd(tcv - toDate),
    impliedUsdPerMwMonth: perMwCents === null ? null : centsToUsd(perMwCents),
    impliedUsdPerGpuHour: perGpuHourCents === null ? null : centsToUsd(perGpuHourCents),
    gpus,
    facilityWatts,
  };
}
