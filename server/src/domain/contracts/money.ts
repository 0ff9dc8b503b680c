import { DomainError } from '../errors.js';

/**
 * Exact money arithmetic for contract valuation.
 *
 * Why integer cents in `bigint` and not `number` dollars: a month's charge is
 * price × ramp factor × days / days-in-month, e.g. $1,250,000,000 × 26 / 30 =
 * $1,083,333,333.333…; in binary floating point every such product and every sum of
 * them picks up representation error, and at $10¹⁰ a double has only ~6 digits left
 * after the decimal point — enough that sums of many rounded-then-added terms drift by
 * cents. So prices are held as whole cents, ramp factors as exact decimal fractions
 * (0.5 = 5/10), and every amount is computed as one exact fraction of `bigint`s and
 * rounded to the cent (half up) once, at a documented point. `bigint` because the
 * intermediate numerators (cents × factor numerator × days) pass 2⁵³.
 */

/** An exact non-negative fraction `num / den` (`den > 0`). */
export interface Ratio {
  num: bigint;
  den: bigint;
}

/**
 * Converts a non-negative dollar amount to whole cents, exactly (via {@link decimalRatio}, so
 * 1234.56 is 123,456 cents, not 123,455.99999…).
 * @returns `null` if it is negative, not finite, or not a whole number of cents (12.345).
 */
export function usdToCents(usd: number): bigint | null {
  if (!Number.isFinite(usd) || usd < 0) return null;
  const { num, den } = decimalRatio(usd);
  const hundredths = num * 100n;
  return hundredths % den === 0n ? hundredths / den : null;
}

/**
 * Dollars of a whole number of cents. Exact for amounts below $90 trillion: the result is the
 * double nearest to the two-decimal figure, so `String()` of it prints that figure.
 */
export function centsToUsd(cents: bigint): number {
  return Number(cents) / 100;
}

/**
 * The exact decimal a number was written as: `0.5` → 5/10, `0.85` → 85/100, `1e-7` → 1/10⁷.
 * Uses the shortest round-trip decimal (`String(x)`), i.e. what the user typed, not the
 * binary approximation (0.1 is 0x3FB999999999999A, but means 1/10).
 * @throws DomainError('invalid') for negative or non-finite input.
 */
export function decimalRatio(value: number, path = 'value'): Ratio {
  if (!Number.isFinite(value) || value < 0) {
    throw new DomainError('invalid', `${path} must be a finite non-negative number, got ${value}`, { path });
  }
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (!match) throw new DomainError('invalid', `${path} is not a decimal number: ${value}`, { path });
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0') - fraction.length;
  const digits = BigInt(whole + fraction);
  return exponent >= 0 ? { num: digits * 10n ** BigInt(exponent), den: 1n } : { num: digits, den: 10n ** BigInt(-exponent) };
}

/** `num / den` rounded to the nearest integer, halves up (away from zero; inputs are non-negative). */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n || num < 0n) throw new RangeError('divRoundHalfUp takes num >= 0 and den > 0');
  return (2n * num + den) / (2n * den);
}
