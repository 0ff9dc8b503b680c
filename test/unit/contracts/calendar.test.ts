import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarMonthsSpanned,
  daysBetween,
  daysInMonth,
  epochDay,
  isLeapYear,
  isoDateOf,
  parseIsoDate,
} from '../../../server/src/domain/contracts/calendar.js';
import { expectInvalid } from './builders.js';

describe('calendar', () => {
  it('knows Gregorian leap years: every 4th, not centuries, but every 400th', () => {
    expect([2024, 2028, 2000, 2400].map(isLeapYear)).toEqual([true, true, true, true]);
    expect([2026, 2027, 2100, 1900].map(isLeapYear)).toEqual([false, false, false, false]);
  });

  it('gives February 29 days in 2028 and 2000 but 28 in 2027 and 2100', () => {
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  });

  it('refuses a month outside 1–12', () => {
    expectInvalid(() => daysInMonth(2026, 13), 'month');
    expectInvalid(() => daysInMonth(2026, 0), 'month');
  });

  it('parses strict ISO dates and refuses days that do not exist', () => {
    expect(parseIsoDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    for (const bad of ['2026-02-30', '2027-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-06-00']) {
      expectInvalid(() => parseIsoDate(bad, 'start'), 'start');
    }
    for (const bad of ['2026-6-1', '26-06-01', '2026-06-01T00:00:00Z', ' 2026-06-01', '2026/06/01', '']) {
      expectInvalid(() => parseIsoDate(bad, 'end'), 'end');
    }
  });

  it('counts day numbers from 1970-01-01 and round-trips them', () => {
    expect(epochDay('1970-01-01')).toBe(0);
    expect(epochDay('2000-03-01')).toBe(11_017);
    expect(epochDay('1969-12-31')).toBe(-1);
    for (const d of ['2026-06-01', '2028-02-29', '2100-03-01', '1600-02-29', '9999-12-31']) {
      expect(isoDateOf(epochDay(d))).toBe(d);
    }
  });

  it('counts days between dates across leap days', () => {
    // 2028 is a leap year: 366 days; 2100 is not: 365.
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2100-01-01', '2101-01-01')).toBe(365);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2100-02-28', '2100-03-01')).toBe(1);
    expect(daysBetween('2026-11-27', '2026-11-27')).toBe(0);
    expect(daysBetween('2026-12-01', '2026-11-27')).toBe(-4);
    // The reference deal's term: 2026-06-01 .. 2029-05-31 is 365 + 366 (2028) + 365 = 1,096 days.
    expect(daysBetween('2026-06-01', '2029-06-01')).toBe(1_096);
  });

  it('adds days across month, year and leap-day boundaries', () => {
    // Nov 27 + 4 = Dec 1; + 35 = Jan 1; + 66 = Feb 1; + 90 = Feb 25 (notice covers Nov 27 .. Feb 24).
    expect(addDays('2026-11-27', 90)).toBe('2027-02-25');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-06-01', 0)).toBe('2026-06-01');
    expectInvalid(() => addDays('2026-06-01', 1.5), 'days');
  });

  it('counts the calendar months a term touches, partial ones whole', () => {
    expect(calendarMonthsSpanned('2026-06-01', '2029-05-31')).toBe(36);
    expect(calendarMonthsSpanned('2026-06-15', '2026-07-14')).toBe(2);
    expect(calendarMonthsSpanned('2026-06-10', '2026-06-10')).toBe(1);
    expect(calendarMonthsSpanned('2026-12-31', '2027-01-01')).toBe(2);
  });
});
