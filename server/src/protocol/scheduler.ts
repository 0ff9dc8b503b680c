import { z } from 'zod';

/** GET /api/v1/scheduler: the scheduler source's health, the queue and reservations (docs/scheduler.md). */
const isoTime = z.string().describe('ISO 8601 time');

export const SCHEDULER_HEALTH_STATES = ['ok', 'degraded', 'failing', 'stale', 'waiting'] as const;

const gpus = z.number().int();
const classCounts = z.strictObject({
  internal: z.strictObject({ busy: gpus, held: gpus }).describe("The owner's teams' jobs: computing, or allocated and not computing"),
  customer: z.strictObject({ sold: gpus }).describe("Customers' jobs, and the contract book's sold pods"),
  unattributed: z
    .strictObject({ busy: gpus, held: gpus })
    .describe('In use with no tenant: no scheduler covers the node, or no tenants rule names the job'),
  idle: gpus,
  orphaned: gpus.describe('In use by a process outside any job (held)'),
  down: gpus,
  unknown: gpus,
});

const tenantsAnswer = z
  .strictObject({
    source: z
      .enum(['file', 'simulator', 'accounts'])
      .describe("TENANTS_FILE, the simulated site's default, or none given: every job internal under its account"),
    classes: classCounts.describe("GPUs by tenant class and state; they sum to the site's GPUs"),
    toldBy: z
      .strictObject({ scheduler: classCounts, telemetry: classCounts })
      .describe("The same counts split by how each GPU's state was told"),
    teams: z
      .array(
        z.strictObject({
          team: z.string(),
          busy: gpus,
          held: gpus,
          heldOverThreshold: gpus.describe('Held under the same job for at least crossChecks.heldThresholdSeconds'),
          heldOverThresholdGpuHours: z.number().describe('GPU-hours those GPUs have been held so far'),
          heldValueUsdPerMonth: z
            .number()
            .nullable()
            .describe('What the held GPUs would earn sold, at the price book (USD per month); null: no price for their model'),
        }),
      )
      .describe('By held GPUs, most first'),
    customers: z.array(
      z.strictObject({
        customer: z.string(),
        gpus: gpus.describe('Sold GPUs'),
        onUnsoldGpus: gpus.describe("GPUs in the customer's jobs on pods the contract book says are unsold"),
      }),
    ),
    crossChecks: z.strictObject({
      internalOnSoldGpus: gpus.describe('GPUs in internal jobs on pods the contract book says are sold'),
      internalOnSoldPods: gpus,
      internalOnSoldTeams: z.array(z.string()),
      customerOnUnsoldGpus: gpus,
      heldThresholdSeconds: z.number(),
    }),
  })
  .nullable()
  .describe('Who the GPUs belong to (last round); null while no scheduler covers any node');

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
      tenants: tenantsAnswer,
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
