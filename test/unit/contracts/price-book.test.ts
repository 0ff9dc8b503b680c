import { describe, expect, it } from 'vitest';
import {
  blockValueUsdPerMonth,
  DEFAULT_PRICE_BOOK,
  parsePriceBook,
  type PriceBook,
} from '../../../server/src/domain/contracts/price-book.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { cents, expectInvalid } from './builders.js';

function book(over: Partial<PriceBook> = {}): PriceBook {
  return { gpuHourUsd: { 'H100-SXM': 2.4 }, mwMonthUsd: 4_166_667, basis: 'gpu-hour', sources: {}, ...over };
}

describe('the default price book', () => {
  it('prices an H100 SXM hour at the Vast.ai median, inside the cited market range', () => {
    expect(DEFAULT_PRICE_BOOK.gpuHourUsd['H100-SXM']).toBe(2.4);
    expect(DEFAULT_PRICE_BOOK.sources['H100-SXM']).toMatch(/Vast\.ai median/);
  });

  it('prices an H200 SXM hour where the H100 median sits in its range: 2.5 + 0.5/2.4 × 4.5 = 3.4375 → 3.44', () => {
    const h200 = DEFAULT_PRICE_BOOK.gpuHourUsd['H200-SXM'] ?? 0;
    expect(h200).toBe(3.44);
    expect(h200).toBeGreaterThanOrEqual(2.5);
    expect(h200).toBeLessThanOrEqual(7.0);
  });

  it('prices a facility MW-month as the reference deal implies: 1.25B / 300, to the dollar', () => {
    expect(DEFAULT_PRICE_BOOK.mwMonthUsd).toBe(4_166_667);
    expect(Math.abs(DEFAULT_PRICE_BOOK.mwMonthUsd - 1_250_000_000 / 300)).toBeLessThan(1);
  });

  it('cites a source for every figure and passes its own schema', () => {
    for (const key of [...Object.keys(DEFAULT_PRICE_BOOK.gpuHourUsd), 'mwMonthUsd', 'basis']) {
      expect(DEFAULT_PRICE_BOOK.sources[key], key).toBeTruthy();
    }
    expect(parsePriceBook(DEFAULT_PRICE_BOOK)).toEqual(DEFAULT_PRICE_BOOK);
  });
});

describe('blockValueUsdPerMonth', () => {
  it('values a Colossus pod at both rates and headlines the GPU-hour one', () => {
    // 256 GPUs × $2.40 × 730 h = $448,512.00.
    // Facility: 32 nodes × 10.2 kW × PUE 1.25 = 408,000 W; 0.408 MW × $4,166,667 = $1,700,000.136 → $1,700,000.14.
    const v = blockValueUsdPerMonth({ gpus: 256, modelKey: 'H100-SXM', facilityWatts: 408_000 }, DEFAULT_PRICE_BOOK);
    expect(v).toEqual({ atGpuHourUsd: 448_512, atMwMonthUsd: 1_700_000.14, valueUsdPerMonth: 448_512, basis: 'gpu-hour' });
  });

  it('headlines the MW-month value when the book says so', () => {
    const v = blockValueUsdPerMonth({ gpus: 8, modelKey: 'H100-SXM', facilityWatts: 12_750 }, book({ basis: 'mw-month' }));
    // 8 × 2.40 × 730 = 14,016.00; 0.01275 MW × 4,166,667 = 53,125.004… → 53,125.00.
    expect(v).toEqual({ atGpuHourUsd: 14_016, atMwMonthUsd: 53_125, valueUsdPerMonth: 53_125, basis: 'mw-month' });
  });

  it('is exact where binary floating point is not: 3 GPUs × $0.10 × 730 h is $219.00', () => {
    expect(3 * 0.1 * 730).not.toBe(219);
    const v = blockValueUsdPerMonth({ gpus: 3, modelKey: 'H100-SXM', facilityWatts: 0 }, book({ gpuHourUsd: { 'H100-SXM': 0.1 } }));
    expect(v.atGpuHourUsd).toBe(219);
  });

  it('rounds half a cent up, once, at the end', () => {
    // 1 W × $5,000 / 10⁶ = $0.005 = half a cent → $0.01.
    expect(blockValueUsdPerMonth({ gpus: 0, modelKey: 'H100-SXM', facilityWatts: 1 }, book({ mwMonthUsd: 5_000 })).atMwMonthUsd).toBe(0.01);
    // 3 W × $5,000 / 10⁶ = $0.015 → $0.02 (not 0.01 + 0.01 + 0.01 = 0.03 by per-watt rounding).
    expect(blockValueUsdPerMonth({ gpus: 0, modelKey: 'H100-SXM', facilityWatts: 3 }, book({ mwMonthUsd: 5_000 })).atMwMonthUsd).toBe(0.02);
  });

  it('values an H200 block at its own rate: 8 × $3.44 × 730 = $20,089.60', () => {
    const v = blockValueUsdPerMonth({ gpus: 8, modelKey: 'H200-SXM', facilityWatts: 12_750 }, DEFAULT_PRICE_BOOK);
    expect(cents(v.atGpuHourUsd ?? 0)).toBe(2_008_960);
  });

  it('falls back to the MW-month value for a model with no GPU-hour price, and says so', () => {
    // 0.012 MW × 4,166,667 = 50,000.004 → 50,000.00.
    const v = blockValueUsdPerMonth({ gpus: 8, modelKey: 'L40S', facilityWatts: 12_000 }, DEFAULT_PRICE_BOOK);
    expect(v).toEqual({ atGpuHourUsd: null, atMwMonthUsd: 50_000, valueUsdPerMonth: 50_000, basis: 'mw-month' });
  });

  it('values Blackwell blocks at their cited rents: an NVL72 rack 72 × $4.54 × 730 = $238,622.40, 8 B200 × $4.81 × 730 = $28,090.40', () => {
    const rack = blockValueUsdPerMonth({ gpus: 72, modelKey: 'GB200', facilityWatts: 165_000 }, DEFAULT_PRICE_BOOK);
    expect(rack).toMatchObject({ atGpuHourUsd: 238_622.4, valueUsdPerMonth: 238_622.4, basis: 'gpu-hour' });
    expect(blockValueUsdPerMonth({ gpus: 8, modelKey: 'B200', facilityWatts: 12_000 }, DEFAULT_PRICE_BOOK).atGpuHourUsd).toBe(28_090.4);
    expect(DEFAULT_PRICE_BOOK.sources['GB200']).toMatch(/Spheron/);
  });

  it('does not read a price from the object prototype', () => {
    expect(blockValueUsdPerMonth({ gpus: 1, modelKey: 'toString', facilityWatts: 0 }, DEFAULT_PRICE_BOOK).atGpuHourUsd).toBeNull();
  });

  it('values an empty block at zero', () => {
    expect(blockValueUsdPerMonth({ gpus: 0, modelKey: 'H100-SXM', facilityWatts: 0 }, DEFAULT_PRICE_BOOK)).toMatchObject({
      atGpuHourUsd: 0,
      atMwMonthUsd: 0,
      valueUsdPerMonth: 0,
    });
  });

  it('refuses fractional or negative GPUs and negative watts', () => {
    expect(() => blockValueUsdPerMonth({ gpus: 1.5, modelKey: 'H100-SXM', facilityWatts: 0 }, DEFAULT_PRICE_BOOK)).toThrow(DomainError);
    expect(() => blockValueUsdPerMonth({ gpus: -8, modelKey: 'H100-SXM', facilityWatts: 0 }, DEFAULT_PRICE_BOOK)).toThrow(/gpus/);
    expect(() => blockValueUsdPerMonth({ gpus: 8, modelKey: 'H100-SXM', facilityWatts: -1 }, DEFAULT_PRICE_BOOK)).toThrow(/facilityWatts/);
  });
});

describe('parsePriceBook', () => {
  it('accepts a whole book and defaults its sources to none', () => {
    const { sources: _omitted, ...rest } = book();
    expect(parsePriceBook(rest)).toEqual(book());
  });

  it('names the field of a negative GPU-hour rate', () => {
    expectInvalid(() => parsePriceBook(book({ gpuHourUsd: { 'H100-SXM': -2.4 } })), 'gpuHourUsd.H100-SXM');
  });

  it('names a GPU model it does not know', () => {
    expectInvalid(() => parsePriceBook(book({ gpuHourUsd: { 'H100-SXM': 2.4, 'X-9000': 1 } })), 'gpuHourUsd.X-9000');
  });

  it('names a non-positive MW-month price, an unknown basis and an unknown key', () => {
    expectInvalid(() => parsePriceBook(book({ mwMonthUsd: 0 })), 'mwMonthUsd');
    expectInvalid(() => parsePriceBook({ ...book(), basis: 'per-rack' }), 'basis');
    expectInvalid(() => parsePriceBook({ ...book(), currency: 'EUR' }), 'currency');
    expectInvalid(() => parsePriceBook(null), 'body');
  });
});
