import { describe, expect, it } from 'vitest';
import { hash4, unit4 } from '../../../server/src/sim/random.js';
import { emptySegment, segmentAt, type TimelineSpec } from '../../../server/src/sim/timeline.js';

const HOUR_MS = 3_600_000;
const spec: TimelineSpec = { seed: 5, stream: 3, minMs: 2 * HOUR_MS, maxMs: 12 * HOUR_MS };

describe('stateless slot timelines', () => {
  it('tiles time with slots of 2–12 h, without gaps or overlaps', () => {
    const from = Date.parse('2026-11-01T00:00:00Z');
    const phase = 5 * HOUR_MS + 17;
    let t = from;
    let previousEnd = Number.NaN;
    let slots = 0;
    while (t < from + 60 * 24 * HOUR_MS) {
      const slot = { ...segmentAt(spec, 3, phase, t, emptySegment()) };
      if (!Number.isNaN(previousEnd)) expect(slot.startMs).toBe(previousEnd);
      expect(slot.startMs).toBeLessThanOrEqual(t);
      expect(slot.endMs).toBeGreaterThan(t);
      expect(slot.endMs - slot.startMs).toBeGreaterThanOrEqual(spec.minMs);
      expect(slot.endMs - slot.startMs).toBeLessThanOrEqual(spec.maxMs);
      previousEnd = slot.endMs;
      t = slot.endMs;
      slots++;
    }
    // 60 days of slots averaging ~6 h.
    expect(slots).toBeGreaterThan(100);
    expect(slots).toBeLessThan(400);
  });

  it('finds the same slot for any moment inside it, queried in any order', () => {
    const t = Date.parse('2026-11-20T09:30:00Z');
    const slot = { ...segmentAt(spec, 8, 0, t, emptySegment()) };
    segmentAt(spec, 8, 0, t + 90 * 24 * HOUR_MS, emptySegment());
    for (const inside of [slot.startMs, t, slot.endMs - 1]) expect(segmentAt(spec, 8, 0, inside, emptySegment())).toEqual(slot);
    expect(segmentAt(spec, 8, 0, slot.endMs, emptySegment()).startMs).toBe(slot.endMs);
  });

  it('draws uniform values independent across streams and inputs', () => {
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += unit4(1, 2, i, 7);
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(hash4(1, 2, 3, 4)).toBe(hash4(1, 2, 3, 4));
    expect(new Set([hash4(1, 2, 3, 4), hash4(1, 3, 3, 4), hash4(2, 2, 3, 4), hash4(1, 2, 4, 4), hash4(1, 2, 3, 5)]).size).toBe(5);
  });
});
