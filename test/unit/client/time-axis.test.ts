import { describe, expect, it } from 'vitest';
import { formatInstant, formatSpan, formatTick, zoneLabel } from '../../../client/src/time-axis.js';

const at = (iso: string): number => Date.parse(iso);
const HOUR_MS = 3_600_000;

describe('formatTick', () => {
  it('writes ticks under a day apart as month-day and a 24-hour clock, in UTC', () => {
    expect(formatTick(at('2026-12-06T14:00:00Z'), 6 * HOUR_MS, 0)).toBe('12-06 14:00');
    expect(formatTick(at('2026-12-06T00:00:00Z'), HOUR_MS, 0)).toBe('12-06 00:00');
    expect(formatTick(at('2026-12-06T23:30:00Z'), 30 * 60_000, 0)).toBe('12-06 23:30');
  });

  it('writes ticks a day or more apart as the ISO date', () => {
    expect(formatTick(at('2026-12-06T00:00:00Z'), 24 * HOUR_MS, 0)).toBe('2026-12-06');
    expect(formatTick(at('2027-01-01T00:00:00Z'), 7 * 24 * HOUR_MS, 0)).toBe('2027-01-01');
  });

  it('shifts by the zone offset, across midnight and the year', () => {
    expect(formatTick(at('2026-12-31T23:00:00Z'), HOUR_MS, 60)).toBe('01-01 00:00');
    expect(formatTick(at('2026-12-06T02:00:00Z'), HOUR_MS, -330)).toBe('12-05 20:30');
    expect(formatTick(at('2026-12-31T23:00:00Z'), 24 * HOUR_MS, 60)).toBe('2027-01-01');
  });

  it('never writes am, pm or slashes', () => {
    for (let h = 0; h < 24; h++) expect(formatTick(at('2026-12-06T00:00:00Z') + h * HOUR_MS, HOUR_MS, 0)).not.toMatch(/am|pm|\//i);
  });
});

describe('zoneLabel and formatInstant', () => {
  it('says UTC, or local with its offset', () => {
    expect(zoneLabel('utc', 0)).toBe('UTC');
    expect(zoneLabel('local', 60)).toBe('local (UTC+01:00)');
    expect(zoneLabel('local', -330)).toBe('local (UTC−05:30)');
    expect(zoneLabel('local', 0)).toBe('local (UTC+00:00)');
  });

  it('writes an instant as an ISO date and a 24-hour time', () => {
    expect(formatInstant(at('2026-12-06T14:05:59Z'), 0)).toBe('2026-12-06 14:05');
    expect(formatInstant(at('2026-12-06T14:05:00Z'), 120)).toBe('2026-12-06 16:05');
  });
});

describe('formatSpan', () => {
  it('says minutes, hours up to two days, then days', () => {
    expect(formatSpan(45 * 60_000)).toBe('45 min');
    expect(formatSpan(12 * HOUR_MS)).toBe('12 h');
    expect(formatSpan(24 * HOUR_MS)).toBe('24 h');
    expect(formatSpan(48 * HOUR_MS)).toBe('2 d');
    expect(formatSpan(84 * HOUR_MS)).toBe('3 d 12 h');
    expect(formatSpan(7 * 24 * HOUR_MS)).toBe('7 d');
  });
});
