import { invalidBody } from '../invalid-input.js';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { GPU_MODELS } from '../fleet/gpu-models.js';
import { centsToUsd, decimalRatio, divRoundHalfUp } from './money.js';
import { HOURS_PER_MONTH } from './valuation.js';

/**
 * The price book: what a unit of capacity fetches, by the GPU-hour (per GPU model) and by the
 * facility MW-month. Sellable blocks are valued at both; `basis` names the headline one.
 */

export const PRICE_BASES = ['gpu-hour', 'mw-month'] as const;
export type PriceBasis = (typeof PRICE_BASES)[number];

export interface PriceBook {
  /** USD per GPU-hour, by GPU model key of domain/fleet/gpu-models.ts (`H100-SXM`, …). */
  gpuHourUsd: Record<string, number>;
  /** USD per facility MW per month. */
  mwMonthUsd: number;
  /** Which of the two prices a block's headline value uses. */
  basis: PriceBasis;
  /** Where each figure comes from, keyed like the figure (`H100-SXM`, `mwMonthUsd`, `basis`). */
  sources: Record<string, string>;
}

/**
 * H100 and H200 SXM rents and the reference deal, from DESIGN.md "Reference figures"; B200 and
 * GB200 from providers' published 2026 rents (docs/capacity-and-billing.md "Price book"). Models
 * with no cited market rent (A100, H100 PCIe, L40S, …) have no GPU-hour price: their blocks are
 * valued per MW-month (see {@link blockValueUsdPerMonth}).
 */
export const DEFAULT_PRICE_BOOK: PriceBook = {
  gpuHourUsd: {
    'H100-SXM': 2.4,
    'H200-SXM': 3.44,
    B200: 4.81,
    GB200: 4.54,
  },
  mwMonthUsd: 4_166_667,
  basis: 'gpu-hour',
  sources: {
    'H100-SXM':
      'Vast.ai median $2.40/GPU-h, inside the $1.9–4.3 neocloud and marketplace range of late 2026 (providers’ price pages as transcribed Sep–Nov 2026; DESIGN.md)',
    'H200-SXM':
      'H200 SXM market rent ≈ $2.5–7.0/GPU-h (same source); placed where the H100 median sits in its own range: 2.5 + (2.40 − 1.9) / (4.3 − 1.9) × (7.0 − 2.5) = 3.4375 → $3.44',
    B200: 'B200 on-demand ≈ $4.50–6.00/GPU-h on specialized clouds (Lyceum Technologies, "NVIDIA B200 GPU Cloud Pricing 2026", 11 Mar 2026; RunPod $5.98, Spheron $6.03); placed where the H100 median sits in its range: 4.50 + (2.40 − 1.9) / (4.3 − 1.9) × (6.00 − 4.50) = 4.8125 → $4.81',
    GB200:
      'GB200 Superchip (1 Grace + 2 Blackwell GPUs) on-demand $9.08/h at Spheron, 17 Mar 2026 (spheron.network, "NVIDIA H200 vs B200 vs GB200"): $9.08 / 2 = $4.54 per GPU-hour; the only published per-unit rent found — GB200 is mostly sold as whole NVL72 racks on reservation',
    mwMonthUsd:
      'Implied by the reference deal: $1.25B a month for 300 MW = $4,166,666.67, rounded to the dollar (press reports of SpaceX’s S-1, May 2026; DESIGN.md)',
    basis:
      'gpu-hour: a block sold on the market fetches market rent; the MW-month figure is one very large deal’s price, 2–3.5× higher per GPU (DESIGN.md)',
  },
};

/** Caps that keep a block's value far below 2⁵³ cents even at Colossus scale. */
export const MAX_GPU_HOUR_USD = 1_000;
export const MAX_MW_MONTH_USD = 1_000_000_000;

const GPU_MODEL_KEYS: readonly string[] = GPU_MODELS.map((m) => m.key);

/** The API body of PUT `/api/v1/pricebook`: a whole price book (it replaces the stored one). */
export const priceBookSchema = z.strictObject({
  gpuHourUsd: z
    .record(z.string(), z.number().positive().max(MAX_GPU_HOUR_USD).describe('USD per GPU-hour'))
    .superRefine((rates, ctx) => {
      for (const key of Object.keys(rates)) {
        if (!GPU_MODEL_KEYS.includes(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown GPU model; one of ${GPU_MODEL_KEYS.join(', ')}` });
        }
      }
    })
    .describe('USD per GPU-hour by GPU model key'),
  mwMonthUsd: z.number().positive().max(MAX_MW_MONTH_USD).describe('USD per facility MW-month'),
  basis: z.enum(PRICE_BASES).describe('Which price a block is headlined at'),
  sources: z.record(z.string().max(200), z.string().max(2_000)).default({}).describe('Where each figure comes from'),
});

/**
 * Parses a PUT body into a {@link PriceBook}.
 * @throws DomainError('invalid', message naming the field, { path }) at the first bad field,
 *   `path` dotted like zod's (`gpuHourUsd.H100-SXM`).
 */
export function parsePriceBook(body: unknown): PriceBook {
  const parsed = priceBookSchema.safeParse(body);
  if (!parsed.success) invalidBody(parsed.error, 'invalid price book');
  return parsed.data;
}

/** A block of capacity to value: whole GPUs of one model and the facility watts they take. */
export interface BlockToValue {
  gpus: number;
  /** GPU model key (gpu-models.ts). */
  modelKey: string;
  /** Facility watts (IT × PUE at full load). */
  facilityWatts: number;
}

export interface BlockValue {
  /** gpus × $/GPU-hour × 730; null when the book has no GPU-hour price for the model. */
  atGpuHourUsd: number | null;
  /** facilityWatts / 10⁶ × $/MW-month. */
  atMwMonthUsd: number;
  /** The figure named by the basis actually used. */
  valueUsdPerMonth: number;
  /** The book's basis, or `mw-month` when it is `gpu-hour` and the model has no GPU-hour price. */
  basis: PriceBasis;
}

/**
 * Monthly value of a block at the price book's rates.
 * @param block whole GPUs (a non-negative integer), the model key, facility watts (≥ 0, finite).
 * @param book the price book; its figures are taken as the exact decimals they are written as.
 * @returns both values, each computed exactly and rounded half up to the cent once, at the end:
 *   `atGpuHourUsd = gpus × rate × 730` (null if the model has no rate), `atMwMonthUsd =
 *   facilityWatts / 10⁶ × mwMonthUsd`, and `valueUsdPerMonth` = the one named by `basis` — the
 *   MW-month value when the basis is `gpu-hour` but the model has no rate (the returned `basis`
 *   says so). A block of 0 GPUs and 0 W is worth 0.
 * @throws DomainError('invalid') for a fractional or negative GPU count or bad watts.
 */
export function blockValueUsdPerMonth(block: BlockToValue, book: PriceBook): BlockValue {
  if (!Number.isSafeInteger(block.gpus) || block.gpus < 0) {
    throw new DomainError('invalid', `gpus: must be a whole number ≥ 0, got ${block.gpus}`, { path: 'gpus' });
  }
  const watts = decimalRatio(block.facilityWatts, 'facilityWatts');
  const mw = decimalRatio(book.mwMonthUsd, 'mwMonthUsd');
  const atMwCents = divRoundHalfUp(watts.num * mw.num * 100n, watts.den * mw.den * 1_000_000n);
  const atMwMonthUsd = centsToUsd(atMwCents);

  const rateUsd = Object.hasOwn(book.gpuHourUsd, block.modelKey) ? book.gpuHourUsd[block.modelKey] : undefined;
  let atGpuHourUsd: number | null = null;
  if (rateUsd !== undefined) {
    const rate = decimalRatio(rateUsd, `gpuHourUsd.${block.modelKey}`);
    atGpuHourUsd = centsToUsd(divRoundHalfUp(BigInt(block.gpus) * rate.num * BigInt(HOURS_PER_MONTH) * 100n, rate.den));
  }
  const basis: PriceBasis = book.basis === 'gpu-hour' && atGpuHourUsd === null ? 'mw-month' : book.basis;
  const valueUsdPerMonth = basis === 'gpu-hour' && atGpuHourUsd !== null ? atGpuHourUsd : atMwMonthUsd;
  return { atGpuHourUsd, atMwMonthUsd, valueUsdPerMonth, basis };
}

/** Values of one sale's parts on several models' pods, added in whole cents; `gpu-hour` only if every part is. */
export function sumBlockValues(parts: BlockValue[]): BlockValue {
  const cents = (f: (v: BlockValue) => number): number => parts.reduce((s, v) => s + Math.round(f(v) * 100), 0) / 100;
  const allHourly = parts.every((v) => v.atGpuHourUsd !== null);
  return {
    atGpuHourUsd: allHourly ? cents((v) => v.atGpuHourUsd ?? 0) : null,
    atMwMonthUsd: cents((v) => v.atMwMonthUsd),
    valueUsdPerMonth: cents((v) => v.valueUsdPerMonth),
    basis: parts.every((v) => v.basis === 'gpu-hour') ? 'gpu-hour' : 'mw-month',
  };
}
