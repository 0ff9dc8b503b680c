import { describe, expect, it } from 'vitest';
import { durationSeconds, parseDurationSeconds } from '../../server/src/domain/duration.js';
import { isoDateOfMs } from '../../server/src/domain/contracts/calendar.js';

describe('the one duration grammar', () => {
  it('reads seconds and Prometheus-style durations, compound ones too', () => {
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('30s')).toBe(30);
    expect(parseDurationSeconds('5m')).toBe(300);
    expect(parseDurationSeconds('1h30m')).toBe(5_400);
    expect(parseDurationSeconds('1.5h')).toBe(5_400);
    expect(parseDurationSeconds('7d')).toBe(604_800);
    expect(parseDurationSeconds('2w')).toBe(1_209_600);
    expect(parseDurationSeconds('250ms')).toBe(0.25);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', 'fast', '5 m', '-5m', '5y', 'm5', '1h-30m']) expect(parseDurationSeconds(text), text).toBeNull();
  });

  it('as a field: bounded below and to a year, with a message naming the forms', () => {
    expect(durationSeconds(1).parse('5m')).toBe(300);
    expect(durationSeconds(1).safeParse('0s').success).toBe(false);
    expect(durationSeconds(1).safeParse('367d').success).toBe(false);
    expect(durationSeconds(1).safeParse('soon').error?.issues[0]?.message).toMatch(/like 30s, 5m, 6h, 1h30m, 7d/);
  });
});

describe('isoDateOfMs: the UTC day of an instant', () => {
  it('turns at midnight UTC, before 1970 too, and on leap days', () => {
    expect(isoDateOfMs(Date.UTC(2026, 11, 7, 23, 59, 59, 999))).toBe('2026-12-07');
    expect(isoDateOfMs(Date.UTC(2026, 11, 8))).toBe('2026-12-08');
    expect(isoDateOfMs(Date.UTC(2028, 1, 29, 12))).toBe('2028-02-29');
    expect(isoDateOfMs(-1)).toBe('1969-12-31');
    expect(isoDateOfMs(0)).toBe('1970-01-01');
  });
});
