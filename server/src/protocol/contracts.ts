import { z } from 'zod';

/**
 * Answers of /api/v1/contracts, /contracts/{id}/valuation and /pricebook (services/contracts).
 * The request bodies are the domain's schemas (domain/contracts/contract.ts, price-book.ts);
 * these describe what comes back, with what the server adds.
 */

const isoDate = z.iso.date().describe('YYYY-MM-DD (UTC)');

export const CONTRACT_STATUSES = ['active', 'ended', 'terminated'] as const;
export const CONTRACT_PHASES = ['before-start', 'in-term', 'after-end'] as const;
export const PRICE_BASES = ['gpu-hour', 'mw-month'] as const;

export const contractAnswer = z
  .strictObject({
    id: z.string().describe('Contract id (a whole number, as a string)'),
    customer: z.string(),
    capacity: z
      .union([
        z.strictObject({ watts: z.number() }),
        z.strictObject({ gpus: z.number().int() }),
        z.strictObject({ pods: z.number().int() }),
      ])
      .describe('Exactly one of watts (facility), gpus or pods'),
    model: z.string().optional().describe("GPU model key: delivered on that model's pods only; absent: any pods"),
    start: isoDate.describe('First billed day'),
    end: isoDate.describe('Last billed day (inclusive)'),
    monthlyPriceUsd: z.number(),
    ramp: z.array(z.strictObject({ months: z.number().int(), factor: z.number() })),
    noticeDays: z.number().int(),
    status: z.enum(CONTRACT_STATUSES),
    pods: z.array(z.string()).describe('Pods it is delivered on (`h01-p003`), in pod order'),
    shortfallPods: z.number().int().min(0).describe('Pods it needs beyond those it got: > 0 when sold past what was free'),
  })
  .meta({ id: 'Contract' });

export const contractListAnswer = z.strictObject({ contracts: z.array(contractAnswer) });

export const valuationAnswer = z
  .strictObject({
    asOf: isoDate,
    phase: z.enum(CONTRACT_PHASES),
    monthlyUsd: z.number().describe('Full-rate monthly price (no ramp, no proration)'),
    rateInForceUsd: z
      .number()
      .describe('Monthly price in force on asOf: full rate × ramp factor, no proration; 0 outside the term or when not active'),
    currentMonthUsd: z.number().describe('Charge of the calendar month containing asOf'),
    tcvUsd: z.number().describe('Total contract value'),
    revenueToDateUsd: z.number(),
    guaranteedUsd: z.number().describe('Revenue to date + the notice period'),
    remainingUsd: z.number(),
    impliedUsdPerMwMonth: z.number().nullable().describe('null when facility watts are 0'),
    impliedUsdPerGpuHour: z.number().nullable().describe('null when the contract comes to 0 GPUs'),
    gpus: z.number().int(),
    facilityWatts: z.number(),
  })
  .meta({ id: 'ContractValuation' });

export const priceBookAnswer = z
  .strictObject({
    gpuHourUsd: z.record(z.string(), z.number()).describe('USD per GPU-hour by GPU model key'),
    mwMonthUsd: z.number().describe('USD per facility MW-month'),
    basis: z.enum(PRICE_BASES),
    sources: z.record(z.string(), z.string()).describe('Where each figure comes from'),
  })
  .meta({ id: 'PriceBookAnswer' });

export type ContractAnswer = z.output<typeof contractAnswer>;
export type ContractListAnswer = z.output<typeof contractListAnswer>;
export type ValuationAnswer = z.output<typeof valuationAnswer>;
export type PriceBookAnswer = z.output<typeof priceBookAnswer>;
