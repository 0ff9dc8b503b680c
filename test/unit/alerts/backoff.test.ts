import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF_FLOOR_MS, type BackoffPolicy } from '../../../server/src/services/alerts/backoff.js';

const policy = (over: Partial<BackoffPolicy> = {}): BackoffPolicy => ({ baseMs: 1_000, maxMs: 300_000, ...over });
/** The largest draw Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe('webhook retry backoff (exponential, full jitter)', () => {
  it('doubles the ceiling with each failure, starting at the base', () => {
    const ceilings = [1, 2, 3, 4, 5].map((failures) => backoffDelayMs(failures, policy(), () => ALMOST_ONE));
    expect(ceilings).toEqual([999, 1_999, 3_999, 7_999, 15_999]);
  });

  it('draws uniformly between the floor and the ceiling', () => {
    expect(backoffDelayMs(4, policy(), () => 0.5)).toBe(4_000);
    expect(backoffDelayMs(4, policy(), () => 0.25)).toBe(2_000);
    const draws = Array.from({ length: 2_000 }, () => backoffDelayMs(4, policy()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(DEFAULT_BACKOFF_FLOOR_MS);
    expect(Math.max(...draws)).toBeLessThan(8_000);
    // Spread over the range, not bunched at one end.
    expect(draws.filter((d) => d < 4_000).length).toBeGreaterThan(800);
    expect(draws.filter((d) => d >= 4_000).length).toBeGreaterThan(800);
  });

  it('caps the ceiling at max, even after very many failures', () => {
    expect(backoffDelayMs(9, policy(), () => ALMOST_ONE)).toBe(255_999);
    expect(backoffDelayMs(10, policy(), () => ALMOST_ONE)).toBe(299_999);
    expect(backoffDelayMs(5_000, policy(), () => ALMOST_ONE)).toBe(299_999);
    expect(backoffDelayMs(5_000, policy(), () => 0.5)).toBe(150_000);
  });

  it('never goes below the floor, so a flapping receiver is not hammered', () => {
    expect(backoffDelayMs(1, policy(), () => 0)).toBe(DEFAULT_BACKOFF_FLOOR_MS);
    expect(backoffDelayMs(1, policy({ baseMs: 20 }), () => ALMOST_ONE)).toBe(DEFAULT_BACKOFF_FLOOR_MS);
    expect(backoffDelayMs(3, policy({ floorMs: 50 }), () => 0.01)).toBe(50);
  });

  it('keeps a floor above the cap down at the cap', () => {
    expect(backoffDelayMs(1, policy({ baseMs: 10, maxMs: 100 }), () => 0)).toBe(100);
  });

  it('treats zero or negative failure counts as the first failure', () => {
    expect(backoffDelayMs(0, policy(), () => ALMOST_ONE)).toBe(999);
    expect(backoffDelayMs(-3, policy(), () => ALMOST_ONE)).toBe(999);
  });
});
