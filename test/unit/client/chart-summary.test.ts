import { describe, expect, it } from 'vitest';
import { contractMarks, marksIn, transitionMarks, type Mark } from '../../../client/src/chart-annotations.js';
import { describeMarks, describeStats, lastAhead, statsOf, summarySentence } from '../../../client/src/chart-summary.js';
import { formatCount } from '../../../client/src/format.js';

const mark = (kind: Mark['kind'], atMs = 0): Mark => ({ kind, atMs, label: kind });

describe('statsOf and lastAhead', () => {
  const x = [10, 20, 30, 40, 50];
  const col = [5, null, 9, 2, 100];
  it('reads now, min and max up to now, skipping gaps and the forecast after it', () => {
    expect(statsOf(x, col, 40)).toEqual({ now: 2, min: 2, max: 9 });
    expect(statsOf(x, col, 25)).toEqual({ now: 5, min: 5, max: 5 });
    expect(statsOf(x, [null, null, null, null, 1], 40)).toBeNull();
  });
  it("finds a forecast's far end", () => {
    expect(lastAhead(x, [null, null, null, 7, 8], 30)).toEqual({ value: 8, atS: 50 });
    expect(lastAhead(x, col, 50)).toBeNull();
  });
});

describe('the summary sentence', () => {
  it('reads like a person would say it', () => {
    const internal = describeStats('internal demand', { now: 101_234, min: 98_000, max: 105_000 }, formatCount);
    expect(internal).toBe('internal demand 101,234 now (min 98,000, max 105,000)');
    expect(describeStats('sold', { now: 0, min: 0, max: 0 }, formatCount)).toBe('sold 0 now (flat)');
    expect(describeStats('sold', { now: 3, min: 1, max: 4 }, formatCount, 'at the end')).toBe('sold 3 at the end (min 1, max 4)');
    expect(
      summarySentence(
        'GPUs',
        'over the last 24 h',
        [internal],
        ['forecast: forecast median 104,000 in 12 h', '', '1 alert fired in range'],
      ),
    ).toBe(
      'GPUs over the last 24 h: internal demand 101,234 now (min 98,000, max 105,000); forecast: forecast median 104,000 in 12 h; 1 alert fired in range',
    );
  });
  it('says when a range has no history', () => {
    expect(summarySentence('Power', 'over the last 1 h', [], [''])).toBe('Power over the last 1 h: no history yet in this range');
  });
  it('counts the marks by kind, in words', () => {
    expect(describeMarks([])).toBe('');
    expect(describeMarks([mark('contract-start')])).toBe('1 contract start in range');
    expect(describeMarks([mark('alert-fired'), mark('alert-fired'), mark('contract-start')])).toBe(
      '2 alerts fired and 1 contract start in range',
    );
    expect(describeMarks([mark('notice-deadline'), mark('alert-resolved'), mark('alert-fired'), mark('contract-end')])).toBe(
      '1 alert fired, 1 alert resolved, 1 contract end and 1 notice deadline in range',
    );
  });
});

describe('the marks from alerts and contracts', () => {
  it('marks each firing and each resolution the server logged', () => {
    const labels = { alertname: 'GpuDown', severity: 'critical' };
    expect(
      transitionMarks([
        { labels, to: 'firing', at: '2026-12-01T01:00:00.000Z' },
        { labels, to: 'resolved', at: '2026-12-01T02:00:00.000Z' },
        { labels: {}, to: 'firing', at: '2026-12-01T03:00:00.000Z' },
      ]),
    ).toEqual([
      { kind: 'alert-fired', atMs: Date.parse('2026-12-01T01:00:00Z'), label: 'alert fired: GpuDown (critical)' },
      { kind: 'alert-resolved', atMs: Date.parse('2026-12-01T02:00:00Z'), label: 'alert resolved: GpuDown (critical)' },
      { kind: 'alert-fired', atMs: Date.parse('2026-12-01T03:00:00Z'), label: 'alert fired: alert' },
    ]);
  });
  it("marks a contract's first day, the day after its last, and its notice deadline", () => {
    const c = { id: '7', customer: 'Acme', start: '2026-12-01', end: '2026-12-31', noticeDays: 10 };
    expect(contractMarks([c])).toEqual([
      { kind: 'contract-start', atMs: Date.parse('2026-12-01T00:00Z'), label: 'contract start: #7 Acme' },
      { kind: 'contract-end', atMs: Date.parse('2027-01-01T00:00Z'), label: 'contract end: #7 Acme' },
      { kind: 'notice-deadline', atMs: Date.parse('2026-12-22T00:00Z'), label: 'notice deadline: #7 Acme' },
    ]);
  });
  it('keeps the marks inside a range, in time order', () => {
    expect(
      marksIn([mark('contract-end', 30), mark('alert-fired', 10), mark('contract-start', 50), mark('alert-resolved', NaN)], 10, 40).map(
        (m) => m.atMs,
      ),
    ).toEqual([10, 30]);
  });
});
