import { z } from 'zod';
import { PRICE_BASES } from './contracts.js';
import { gpuCounts } from './fleet.js';

/** Answers of GET /api/v1/capacity and POST /api/v1/what-if (services/capacity/capacity-service.ts). */

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');

export const SELLABLE_LIMITS = ['gpus', 'power', 'blocks'] as const;
export const FORECAST_BASES = ['model', 'recent-level'] as const;

/** topology.ts FABRIC_KINDS, restated: the protocol stands alone (test/unit/protocol/fabric-kinds.test.ts keeps them equal). */
export const FABRIC_KINDS = ['nvlink', 'leaf', 'scalable-unit', 'pod'] as const;

export const sellableBlock = z.strictObject({
  id: z.string(),
  hall: z.string().nullable(),
  pods: z.array(z.string()),
  model: z.string().describe('GPU model key of every GPU in the block (a block never mixes models)'),
  fabric: z
    .enum(FABRIC_KINDS)
    .describe('What ties each of its pods together: an NVLink domain (NVL72 rack), a leaf or scalable-unit group, or a plain pod'),
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

/** The scheduler's floor under the forecast (domain/capacity/scheduler-floor.ts). */
export const schedulerFloorAnswer = z.strictObject({
  source: z.literal('scheduler'),
  stale: z.boolean().describe('The snapshot is older than SLURM_STALE_AFTER_S: only its reservations count'),
  readAt: isoTime,
  runningGpus: z.number().int().describe('Internal GPUs allocated now, carried as a level for the near term (a week)'),
  pendingGpus: z.number().int().describe('Internal GPUs queued'),
  pendingAddingGpus: z
    .number()
    .int()
    .describe('Of those, the GPUs that add to the running level: next in line (within an hour) or waiting for a reservation'),
  reservedGpus: z.number().int().describe('GPUs of internal reservations standing within the horizon'),
  nowGpus: z.number().int(),
  peakGpus: z.number().int(),
  peakAt: isoTime,
  reservations: z.array(z.strictObject({ name: z.string(), start: isoTime, end: isoTime, gpus: z.number().int() })),
});

/** GPUs by state and what follows from them, for the site or one model pool. */
const capacityGpus = gpuCounts.extend({
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
});

/** One model pool: its own reserve, sellable blocks and risk; the site's figures are the pools' sums. */
export const modelCapacity = z
  .strictObject({
    model: z.string().describe('GPU model key'),
    gpus: capacityGpus,
    sellable: z.strictObject({
      blocks: z.number().int().describe('How many of `sellable.blocks` are of this model'),
      gpus: z.number().int(),
      watts: z.number().describe('Facility watts its blocks draw at full load'),
      valueUsdPerMonth: z.number().describe("Its blocks' value at the price book, USD a month"),
    }),
    risk: z.strictObject({
      oversold: z.boolean().describe("The pool's sold + median forecast exceeds its up GPUs within the horizon"),
      shortfallGpus: z.number(),
      firstShortfallAt: isoTime.nullable(),
    }),
  })
  .meta({ id: 'ModelCapacity' });

export const capacityAnswer = z
  .strictObject({
    gpus: capacityGpus,
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
      outForMaintenance: z
        .array(z.strictObject({ pod: z.string(), reservation: z.string(), start: isoTime, end: isoTime }))
        .describe("Pods kept out of the blocks: the scheduler's maintenance reservation on their nodes stands within the horizon"),
    }),
    reserve: z.strictObject({
      gpus: z.number().int(),
      peakHigh: z.number(),
      peakAt: z.number().describe('Unix seconds'),
      marginGpus: z.number(),
    }),
    risk: riskAnswer,
    models: z
      .array(modelCapacity)
      .describe('Per GPU model pool, in the order the pools draw on the power headroom (highest value per facility watt first)'),
    plans: z.strictObject({ count: z.number().int(), inForceGpus: z.number(), horizonPeakGpus: z.number() }),
    forecast: z.strictObject({
      horizonDays: z.number(),
      basis: z.enum(FORECAST_BASES),
      points: z.array(z.tuple([z.number(), z.number(), z.number()])).describe('`[unix seconds, median, high]` of internal demand, GPUs'),
      notes: z.array(z.string()).describe('Caveats of the forecast, and what raised it (plans, the scheduler)'),
      floor: schedulerFloorAnswer
        .nullable()
        .describe("The floor the scheduler's queue and reservations set under the forecast, automatic (null without a scheduler)"),
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
export type ModelCapacity = z.output<typeof modelCapacity>;
