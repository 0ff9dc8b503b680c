import { z } from 'zod';

/** Answers of /api/v1/demand-plans (services/capacity/demand-plans.ts); days in UTC, `end` inclusive. */

export const demandPlanAnswer = z
  .strictObject({
    id: z.number().int().min(1).describe('Demand plan id'),
    name: z.string(),
    gpus: z.number().int(),
    start: z.iso.date().describe('First day in force'),
    end: z.iso.date().nullable().describe('Last day in force (inclusive), or null: until further notice'),
    note: z.string().nullable(),
    createdAt: z.iso.datetime().describe('When it was recorded, by the collection clock'),
  })
  .meta({ id: 'DemandPlan' });

export const demandPlanListAnswer = z.strictObject({ plans: z.array(demandPlanAnswer) });

export type DemandPlanAnswer = z.output<typeof demandPlanAnswer>;
export type DemandPlanListAnswer = z.output<typeof demandPlanListAnswer>;
