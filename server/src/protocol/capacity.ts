import { z } from 'zod';
import { PRICE_BASES } from './contracts.js';
import { gpuCounts } from './fleet.js';

/** Answers of GET /api/v1/capacity and POST /api/v1/what-if (services/capacity/capacity-service.ts). */

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');

export const SELLABLE_LIMITS = ['gpus', 'power', 'blocks'] as const;
export const FORECAST_BASES = ['model', 'recent-level'] as const;

export const sellableBlock = z.strictObject({
  id: z.string(),
  hall: z.string().nullable(),
  pods: z.array(z.string()),
  gpus: z.number().int(),
  watts: z.number().describe('Facility watts the block draws at full load'),
  addedWatts: z.number().describe("Facility watts it adds to today's draw at full load"),
  valueUsdPerMonth: z.number(),
});

/** Oversold risk: moments are ISO times, null when none falls within the horizon. */
export const riskAnswer = z.strictObject({
  oversold: z.boolean(),
  shortfallGpus: z.number(),
  firstShortfallAt: isoTime.nullable(),
  firstRiskAt: isoTime.nullable(),
});

export const capacityAnswer = z
  .strictObject({
    gpus: gpuCounts.extend({
      up: z.number().int(),
      internal: z.number().int(),
      reserve: z.number().int(),
      sellable: z.number().int(),
      unsoldUnreserved: z.number().int().describe('max(0, up − sold − reserve)'),
      overcommitted: z.number().int().describe('max(0, sold + reserve − up): sold and reserve beyond what is up'),
      outsideBlocks: z
        .number()
        .int()
        .describe(
          'unsoldUnreserved − sellable: GPUs no whole block carries (rounding to whole pods, pods not fully up, power); up − reserve − sold + overcommitted − outsideBlocks = sellable',
        ),
    }),
    power: z.strictObject({
      feedWatts: z.number(),
      facilityDrawWatts: z.number(),
      headroomWatts: z.number(),
      reservedGrowthWatts: z.number(),
      strandedWatts: z.number(),
      strandedGpus: z.number().int(),
    }),
    sellable: z.strictObject({
      blocks: z.array(sellableBlock),
      gpus: z.number().int(),
      watts: z.number(),
      addedWatts: z.number().describe("Facility watts the blocks add to today's draw at full load"),
      limitedBy: z.enum(SELLABLE_LIMITS).describe('What stopped the packing: GPUs over the reserve, power headroom, or no pod left'),
      valueUsdPerMonth: z.number(),
      valueUsdOverHorizon: z.number(),
    }),
    reserve: z.strictObject({
      gpus: z.number().int(),
      peakHigh: z.number(),
      peakAt: z.number().describe('Unix seconds'),
      marginGpus: z.number(),
    }),
    risk: riskAnswer,
    plans: z.strictObject({ count: z.number().int(), inForceGpus: z.number(), horizonPeakGpus: z.number() }),
    forecast: z.strictObject({
      horizonDays: z.number(),
      basis: z.enum(FORECAST_BASES),
      points: z.array(z.tuple([z.number(), z.number(), z.number()])).describe('`[unix seconds, median, high]` of internal demand, GPUs'),
    }),
    updatedAt: isoTime,
  })
  .meta({ id: 'CapacityReport' });

export const whatIfAnswer = z
  .strictObject({
    gpus: z.number().int(),
    pods: z.number().int(),
    facilityWatts: z.number(),
    months: z.number().int(),
    monthlyUsd: z.number(),
    totalUsd: z.number(),
    priceBook: z.strictObject({
      atGpuHourUsd: z.number().nullable().describe('null when the book has no GPU-hour price for the model'),
      atMwMonthUsd: z.number(),
      valueUsdPerMonth: z.number(),
      basis: z.enum(PRICE_BASES).describe('The price actually used'),
    }),
    fitsSellable: z.boolean(),
    risk: riskAnswer,
  })
  .meta({ id: 'WhatIfAnswer' });

export type SellableBlock = z.output<typeof sellableBlock>;
export type Risk = z.output<typeof riskAnswer>;
export type CapacityAnswer = z.output<typeof capacityAnswer>;
export type WhatIfAnswer = z.output<typeof whatIfAnswer>;
