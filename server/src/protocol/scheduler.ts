import { z } from 'zod';

/** GET /api/v1/scheduler: the scheduler source's health, the queue and reservations (docs/scheduler.md). */
const isoTime = z.string().describe('ISO 8601 time');

export const SCHEDULER_HEALTH_STATES = ['ok', 'degraded', 'failing', 'stale', 'waiting'] as const;

/** Allocation told by dcgm-exporter's pod labels (docs/scheduler.md#kubernetes); null until a report names a pod. */
const kubernetes = z
  .strictObject({
    source: z.literal('kubernetes'),
    nodesCovered: z.number().int().describe('Nodes whose last fresh report named a pod, where no Slurm reader covers them'),
    nodesUnderSlurm: z.number().int().describe('Nodes with pod labels that Slurm covers: Slurm decides there'),
    allocatedGpus: z.number().int(),
    pods: z.number().int(),
  })
  .nullable();

export const schedulerAnswer = z
  .union([
    z.strictObject({
      configured: z.literal(false).describe('No Slurm reader is configured (SLURM_REST_URL unset)'),
      kubernetes,
    }),
    z.strictObject({
      configured: z.literal(true),
      kubernetes,
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
