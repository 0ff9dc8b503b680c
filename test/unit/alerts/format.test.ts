import { describe, expect, it } from 'vitest';
import { blockValueUsdPerMonth, DEFAULT_PRICE_BOOK } from '../../../server/src/domain/contracts/price-book.js';
import {
  formatCount,
  formatDuration,
  formatNumber,
  formatPercent,
  formatPower,
  formatUsd,
  formatUsdPerMonth,
} from '../../../server/src/domain/alerts/format.js';

describe('the 40 MW case, by hand', () => {
  it('values 40 MW at the default price book at $166,666,680 a month and writes "$167M/month"', () => {
    // $4,166,667 per MW-month (the reference deal: $1.25B / 300 MW, to the dollar) × 40 MW.
    expect(DEFAULT_PRICE_BOOK.mwMonthUsd).toBe(4_166_667);
    const value = blockValueUsdPerMonth({ gpus: 0, modelKey: 'B200', facilityWatts: 40_000_000 }, DEFAULT_PRICE_BOOK).atMwMonthUsd;
    expect(value).toBe(166_666_680);
    expect(formatUsdPerMonth(value)).toBe('$167M/month');
    expect(formatPower(40_000_000)).toBe('40 MW');
  });

  it('writes the reference deal as "$1.25B" a month, not Intl\'s default "$1.3B"', () => {
    expect(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact' }).format(1.25e9)).toBe('$1.3B');
    expect(formatUsd(1_250_000_000)).toBe('$1.25B');
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0'],
    [999, '$999'],
    [12.5, '$12.5'],
    [1_234.5, '$1.23K'],
    [448_512, '$449K'],
    [4_166_667, '$4.17M'],
    [1_500_000_000, '$1.5B'],
    [40_000_000_000, '$40B'],
    [-5_000_000, '-$5M'],
  ])('writes %d as %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it('carries rounding into the next unit: $999.5M is "$1B", $999,999 is "$1M"', () => {
    expect(formatUsd(999_500_000)).toBe('$1B');
    expect(formatUsd(999_999)).toBe('$1M');
  });

  it('writes a non-finite amount as n/a', () => {
    expect(formatUsd(Number.NaN)).toBe('n/a');
    expect(formatUsdPerMonth(Infinity)).toBe('n/a');
  });
});

describe('formatPower', () => {
  it.each([
    [40_213_000, '40.2 MW'],
    [300_000_000, '300 MW'],
    [1_200_000_000, '1,200 MW'],
    [999_960, '1 MW'],
    [408_000, '408 kW'],
    [12_750, '12.8 kW'],
    [950, '950 W'],
    [0, '0 W'],
    [-2_500_000, '-2.5 MW'],
  ])('writes %d W as %s', (watts, text) => {
    expect(formatPower(watts)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [9 * 86_400, '9 days'],
    [9.8 * 86_400, '9 days'],
    [2 * 86_400, '2 days'],
    [36 * 3_600, '36 hours'],
    [6 * 3_600, '6 hours'],
    [3_600, '1 hour'],
    [90, '1 minute'],
    [120, '2 minutes'],
    [59, '59 seconds'],
    [1, '1 second'],
    [0.4, '0 seconds'],
    [-5, '0 seconds'],
  ])('writes %d s as %s (rounded down: never overstates a lead time)', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('writes +∞ (no shortfall within the horizon) as "never" and NaN as n/a', () => {
    expect(formatDuration(Infinity)).toBe('never');
    expect(formatDuration(Number.NaN)).toBe('n/a');
  });
});

describe('formatCount, formatNumber, formatPercent', () => {
  it('writes counts whole with separators, numbers to 3 significant digits, ratios as percent', () => {
    expect(formatCount(1_024)).toBe('1,024');
    expect(formatCount(255.6)).toBe('256');
    expect(formatNumber(0.045_67)).toBe('0.0457');
    expect(formatNumber(40_213_000)).toBe('40,200,000');
    expect(formatPercent(0.0432)).toBe('4.3%');
    expect(formatPercent(Number.NaN)).toBe('n/a');
  });
});
