import { DomainError } from '../errors.js';

/**
 * Day-exact proleptic Gregorian calendar arithmetic on ISO dates `YYYY-MM-DD`, in UTC.
 *
 * Dates are turned into whole day numbers (days since 1970-01-01) with integer
 * arithmetic only — no `Date`, so no time zone, no DST, no two-digit-year quirks of
 * `Date.UTC` (which maps years 0–99 to 1900–1999), and no clock.
 */

/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface CalendarDate {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Gregorian leap year: divisible by 4, except centuries not divisible by 400 (2000 yes, 2100 no). */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Days in a calendar month.
 * @param year full year, e.g. 2028
 * @param month 1–12
 * @returns 28–31; February has 29 in leap years (2028: 29, 2100: 28, 2000: 29).
 * @throws DomainError('invalid') if month is not an integer 1–12.
 */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new DomainError('invalid', `month must be an integer 1–12, got ${month}`, { path: 'month' });
  }
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses a strict ISO calendar date.
 * @param value exactly `YYYY-MM-DD` (four-digit year, zero-padded month and day); no time, no zone.
 * @param path the field named in the error, e.g. `start`.
 * @returns its year, month and day.
 * @throws DomainError('invalid', …, { path }) for any other shape, and for days that do
 *   not exist (`2026-02-30`, `2027-02-29`, `2026-04-31`, month `00` or `13`, day `00`).
 */
export function parseIsoDate(value: string, path = 'date'): CalendarDate {
  const match = ISO_DATE.exec(value);
  if (!match) {
    throw new DomainError('invalid', `${path} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`, { path });
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new DomainError('invalid', `${path} is not a calendar date: ${value}`, { path });
  }
  return { year, month, day };
}

/** True when `value` is a strict ISO date that exists on the calendar. */
export function isIsoDate(value: string): boolean {
  try {
    parseIsoDate(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Days since 1970-01-01 of a calendar date (negative before it).
 * Howard Hinnant's `days_from_civil`: eras of 400 years (146,097 days), years starting in March
 * so the leap day falls at the end of a year.
 */
export function epochDayOf({ year, month, day }: CalendarDate): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Inverse of {@link epochDayOf} (Hinnant's `civil_from_days`). */
export function calendarDateOf(epochDay: number): CalendarDate {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Days since 1970-01-01 of a strict ISO date. @throws DomainError('invalid') if malformed. */
export function epochDay(date: IsoDate, path = 'date'): number {
  return epochDayOf(parseIsoDate(date, path));
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Formats a calendar date as `YYYY-MM-DD`. */
export function formatIsoDate({ year, month, day }: CalendarDate): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Formats a calendar month as `YYYY-MM`. */
export function formatIsoMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** The ISO date of a day number. */
export function isoDateOf(epochDayValue: number): IsoDate {
  return formatIsoDate(calendarDateOf(epochDayValue));
}

/**
 * Signed whole days from `from` to `to`: `daysBetween('2026-11-27', '2026-12-01') === 4`.
 * Zero for the same date, negative when `to` is earlier. Counts leap days (2028-02-28 → 2028-03-01 is 2).
 * @throws DomainError('invalid') if either date is malformed.
 */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return epochDay(to, 'to') - epochDay(from, 'from');
}

/**
 * The date `days` days after `date` (before it when negative), across month, year and leap-day
 * boundaries: `addDays('2026-11-27', 90) === '2027-02-25'`, `addDays('2028-02-28', 1) === '2028-02-29'`.
 * @throws DomainError('invalid') if the date is malformed or `days` is not an integer.
 */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) {
    throw new DomainError('invalid', `days must be an integer, got ${days}`, { path: 'days' });
  }
  return isoDateOf(epochDay(date) + days);
}

/**
 * How many calendar months a term `[start, end]` touches, counting partial first and last months
 * as whole: 2026-06-01..2029-05-31 → 36; 2026-06-15..2026-07-14 → 2; 2026-06-10..2026-06-10 → 1.
 * Zero or negative when `end` falls in an earlier month than `start`.
 * @throws DomainError('invalid') if either date is malformed.
 */
export function calendarMonthsSpanned(start: IsoDate, end: IsoDate): number {
  const a = parseIsoDate(start, 'start');
  const b = parseIsoDate(end, 'end');
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

const DAY_MS = 86_400_000;

/** The UTC day of a unix-ms instant, `YYYY-MM-DD` (what "today" is for contracts and reports). */
export function isoDateOfMs(ms: number): IsoDate {
  return isoDateOf(Math.floor(ms / DAY_MS));
}
