import { describe, expect, it } from 'vitest';
import { centsToUsd, decimalRatio, divRoundHalfUp, usdToCents } from '../../../server/src/domain/contracts/money.js';
import { expectInvalid } from './builders.js';

describe('money', () => {
  it('reads a factor as the decimal it was written as, not its binary approximation', () => {
    expect(decimalRatio(0.5)).toEqual({ num: 5n, den: 10n });
    expect(decimalRatio(0.1)).toEqual({ num: 1n, den: 10n });
    expect(decimalRatio(10)).toEqual({ num: 10n, den: 1n });
    expect(decimalRatio(1e-7)).toEqual({ num: 1n, den: 10_000_000n });
    expect(decimalRatio(1.5e21)).toEqual({ num: 1_500_000_000_000_000_000_000n, den: 1n });
    expectInvalid(() => decimalRatio(-1, 'factor'), 'factor');
    expectInvalid(() => decimalRatio(Number.NaN, 'factor'), 'factor');
  });

  it('turns dollars into exact cents and refuses fractions of a cent', () => {
    // 1234.56 × 100 is 123455.99999999999 in floating point; the decimal reading is exact.
    expect(usdToCents(1234.56)).toBe(123_456n);
    expect(usdToCents(1_250_000_000)).toBe(125_000_000_000n);
    expect(usdToCents(0.07)).toBe(7n);
    expect(usdToCents(12.345)).toBeNull();
    expect(usdToCents(-1)).toBeNull();
    expect(usdToCents(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('rounds halves up and everything else to the nearest cent', () => {
    expect(divRoundHalfUp(3n, 2n)).toBe(2n); // 1.5 → 2
    expect(divRoundHalfUp(5n, 2n)).toBe(3n); // 2.5 → 3 (not banker's 2)
    expect(divRoundHalfUp(7n, 3n)).toBe(2n); // 2.33 → 2
    expect(divRoundHalfUp(8n, 3n)).toBe(3n); // 2.67 → 3
    expect(divRoundHalfUp(0n, 7n)).toBe(0n);
  });

  it('prints cents as the two-decimal dollar figure', () => {
    expect(String(centsToUsd(608_333_333_333n))).toBe('6083333333.33');
    expect(centsToUsd(4_375_000_000_000n)).toBe(43_750_000_000);
  });
});
