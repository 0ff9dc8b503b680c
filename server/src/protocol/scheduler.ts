import { z } from 'zod';

/** GET /api/v1/scheduler: the scheduler source's health, the queue and reservations (docs/scheduler.md). */
const isoTime = z.string().describe('ISO 8601 time');

export const SCHEDULER_HEALTH_STATES = ['ok', 'degraded', 'failing', 'stale', 'waiting'] as const;

export const schedulerAnswer = z
  .union([
    z.strictObject({
      configured: z.literal(false).describe('No scheduler is configured (SLURM_REST_URL unset): states come from telemetry'),
    }),
    z.strictObject({
      configured: z.literal(true),
      scheduler: z.string().nullable(),
      apiVersion: z.string().nullable(),
      version: z.string().nullable().describe("The scheduler's release (Slurm's `22.05.8`)"),
      health: z.strictObject({ state: z.enum(SCHEDULER_HEALTH_STATES), reason: z.string().nullable() }),
      readAt: isoTime.nullable().describe('When the allocation in use was read'),
      staleAfterSeconds: z.number(),
      polls: z.number().int(),
      consecutiveFailures: z.number().int(),
      lastError: z.strictObject({ reason: z.string(), message: z.string(), at: isoTime }).nullable(),
      allocation: z
        .strictObject({
          stale: z.boolean(),
          nodesCovered: z.number().int(),
          allocatedGpus: z.number().int(),
          downNodes: z.number().int(),
          maintenanceNodes: z.number().int().describe('Nodes down for a maintenance reservation in its window'),
          unknownNodes: z.number().int(),
          jobsOnUnknownNodes: z.number().int(),
          unknownGpus: z.number().int(),
        })
        .nullable(),
      queue: z.strictObject({
        pendingJobs: z.number().int(),
        pendingGpus: z.number().int().describe('GPUs all pending jobs ask for: the queue figure'),
        byAccount: z
          .array(z.strictObject({ account: z.string(), jobs: z.number().int(), gpus: z.number().int() }))
          .describe('Every pending job per account, most GPUs first'),
        jobs: z
          .array(
            z.strictObject({
              id: z.string(),
              account: z.string(),
              partition: z.string(),
              user: z.string(),
              gpus: z.number().int(),
              priority: z.number(),
              expectedStart: isoTime.nullable(),
              reason: z.string(),
            }),
          )
          .describe('The first 100 by priority'),
      }),
      reservations: z.array(
        z.strictObject({
          name: z.string(),
          nodes: z.array(z.string()),
          gpus: z.number().int().describe("GPUs the scheduler configures on the reservation's nodes"),
          start: isoTime,
          end: isoTime,
          flags: z.array(z.string()),
          maintenance: z.boolean(),
          active: z.boolean(),
        }),
      ),
    }),
  ])
  .meta({ id: 'SchedulerReport' });

export type SchedulerAnswer = z.output<typeof schedulerAnswer>;
