import { describe, expect, it } from 'vitest';
import {
  PRESETS,
  checkRange,
  formatRange,
  parseRange,
  readLocalInput,
  stepSecondsFor,
  windowOf,
  zoomRange,
  type TimeRange,
} from '../../../client/src/time-range.js';

const at = (iso: string): number => Date.parse(iso);
const NOW = at('2026-12-07T12:00:00Z');
const HOUR_MS = 3_600_000;
const preset = (key: string): TimeRange => ({ kind: 'preset', preset: PRESETS.find((p) => p.key === key)! });

describe('parseRange and formatRange', () => {
  it('reads each preset by its key, and writes it back', () => {
    for (const p of PRESETS) expect(formatRange(parseRange(p.key)!)).toBe(p.key);
    expect(parseRange('7d')).toEqual(preset('7d'));
  });

  it('reads an absolute range in UTC, to the minute, and writes it back the same', () => {
    const text = '2026-12-01T00:00Z..2026-12-03T00:00Z';
    expect(parseRange(text)).toEqual({ kind: 'absolute', fromMs: at('2026-12-01T00:00Z'), toMs: at('2026-12-03T00:00Z') });
    expect(formatRange(parseRange(text)!)).toBe(text);
    expect(parseRange('2026-12-01T00:00:30+01:00..2026-12-01T02:00Z')).toEqual({
      kind: 'absolute',
      fromMs: at('2026-11-30T23:00:30Z'),
      toMs: at('2026-12-01T02:00Z'),
    });
  });

  it('refuses what it does not know: no zone, reversed, empty, unknown keys, extra parts', () => {
    for (const bad of [
      null,
      '',
      '2d',
      '7 d',
      '2026-12-01T00:00..2026-12-03T00:00',
      '2026-12-03T00:00Z..2026-12-01T00:00Z',
      '2026-12-01T00:00Z..2026-12-01T00:00Z',
      'a..b',
      '2026-12-01T00:00Z..2026-12-02T00:00Z..2026-12-03T00:00Z',
    ])
      expect(parseRange(bad), String(bad)).toBeNull();
  });
});

describe('windowOf', () => {
  it('spans a preset from its start to the forecast ahead: half the range, at least 2 h', () => {
    expect(windowOf(preset('24h'), NOW)).toEqual({ fromMs: NOW - 24 * HOUR_MS, toMs: NOW + 12 * HOUR_MS });
    expect(windowOf(preset('1h'), NOW)).toEqual({ fromMs: NOW - HOUR_MS, toMs: NOW + 2 * HOUR_MS });
  });

  it('keeps an absolute range as it is, whatever now is', () => {
    const r: TimeRange = { kind: 'absolute', fromMs: at('2026-12-01T00:00Z'), toMs: at('2026-12-02T00:00Z') };
    expect(windowOf(r, NOW)).toEqual({ fromMs: r.fromMs, toMs: r.toMs });
    expect(windowOf(r, NOW + 99 * HOUR_MS)).toEqual({ fromMs: r.fromMs, toMs: r.toMs });
  });
});

describe('stepSecondsFor', () => {
  it('asks for about 300 points in whole minutes, never under a minute', () => {
    expect(stepSecondsFor(HOUR_MS)).toBe(60);
    expect(stepSecondsFor(24 * HOUR_MS)).toBe(300);
    expect(stepSecondsFor(30 * 24 * HOUR_MS)).toBe(8_640);
  });
});

describe('checkRange', () => {
  const nowText = '2026-12-07 12:00 UTC';
  it('accepts a past range', () => {
    expect(checkRange(at('2026-12-01T00:00Z'), at('2026-12-02T00:00Z'), NOW, nowText)).toEqual({
      ok: true,
      range: { kind: 'absolute', fromMs: at('2026-12-01T00:00Z'), toMs: at('2026-12-02T00:00Z') },
    });
  });

  it('names the field: empty, in the future, to before from', () => {
    expect(checkRange(NaN, NOW, NOW, nowText)).toEqual({ ok: false, field: 'from', message: 'from: enter a date and time' });
    expect(checkRange(NOW - HOUR_MS, NaN, NOW, nowText)).toEqual({ ok: false, field: 'to', message: 'to: enter a date and time' });
    expect(checkRange(NOW + HOUR_MS, NOW + 2 * HOUR_MS, NOW, nowText)).toEqual({
      ok: false,
      field: 'from',
      message: 'from: must not be after now (2026-12-07 12:00 UTC)',
    });
    expect(checkRange(NOW - HOUR_MS, NOW + HOUR_MS, NOW, nowText)).toMatchObject({ ok: false, field: 'to' });
    expect(checkRange(NOW - HOUR_MS, NOW - 2 * HOUR_MS, NOW, nowText)).toEqual({
      ok: false,
      field: 'to',
      message: 'to: must be at least a minute after from',
    });
  });

  it('takes a "to" a few seconds past now as now', () => {
    expect(checkRange(NOW - HOUR_MS, NOW + 20_000, NOW, nowText)).toEqual({
      ok: true,
      range: { kind: 'absolute', fromMs: NOW - HOUR_MS, toMs: NOW },
    });
  });
});

describe('zoomRange', () => {
  it('makes a drag an absolute range on whole minutes, clipped at now', () => {
    expect(zoomRange(NOW - 2 * HOUR_MS + 20_000, NOW - HOUR_MS - 20_000, NOW)).toEqual({
      kind: 'absolute',
      fromMs: NOW - 2 * HOUR_MS,
      toMs: NOW - HOUR_MS,
    });
    expect(zoomRange(NOW - HOUR_MS, NOW + 5 * HOUR_MS, NOW)).toEqual({ kind: 'absolute', fromMs: NOW - HOUR_MS, toMs: NOW });
  });

  it('ignores a drag under a minute, or wholly in the forecast', () => {
    expect(zoomRange(NOW - 30_000, NOW - 1_000, NOW)).toBeNull();
    expect(zoomRange(NOW + HOUR_MS, NOW + 2 * HOUR_MS, NOW)).toBeNull();
  });
});

describe('readLocalInput', () => {
  it('reads a datetime-local value in UTC', () => {
    expect(readLocalInput('2026-12-01T14:30', 'utc')).toBe(at('2026-12-01T14:30Z'));
  });
  it('is NaN for an empty or malformed value', () => {
    expect(readLocalInput('', 'utc')).toBeNaN();
    expect(readLocalInput('2026-12-01', 'utc')).toBeNaN();
    expect(readLocalInput('yesterday', 'local')).toBeNaN();
  });
});
