import { z } from 'zod';

/** Answers of GET /api/v1/fleet, /fleet/halls, /fleet/pods and /gpus/{uuid} (domain/fleet/fleet-report.ts builds them). */

export const GPU_STATES = ['busy', 'held', 'idle', 'sold', 'down', 'unknown'] as const;

const isoTime = z.iso.datetime().describe('ISO 8601, UTC');

/** GPUs by state, and their total. */
export const gpuCounts = z.strictObject({
  total: z.number().int(),
  busy: z.number().int(),
  held: z.number().int(),
  idle: z.number().int(),
  sold: z.number().int(),
  down: z.number().int(),
  unknown: z.number().int(),
});

const utilization = z.number().describe('Mean utilization of the GPUs that report, 0–1');

/** topology.ts FABRIC_KINDS, restated (capacity.ts imports this file, so it cannot be the one imported; test/unit/protocol/fabric-kinds.test.ts keeps all three equal). */
export const POD_FABRICS = ['nvlink', 'leaf', 'scalable-unit', 'pod'] as const;

const modelKey = z.string().describe('GPU model key (`H100-SXM`, `GB200`)');
const fabric = z
  .enum(POD_FABRICS)
  .describe("What ties the pod's GPUs together: an NVL72 rack (nvlink), a leaf or scalable-unit group, or the pod");

/** One model pool: the pods of one GPU model, summed (unplaced GPUs are in none). */
const modelPool = z.strictObject({
  model: modelKey,
  gpus: gpuCounts,
  itWatts: z.number().int().describe('IT draw of the pool that telemetry accounts for, watts'),
  facilityWatts: z.number().int().describe("The pool's IT draw × PUE, watts (meters measure halls, not models)"),
  pods: z.number().int().describe('Fabric units (pods) of this model'),
});

export const siteAnswer = z
  .strictObject({
    site: z.strictObject({ id: z.string(), name: z.string(), feedWatts: z.number(), pue: z.number() }),
    gpus: gpuCounts,
    power: z.strictObject({
      feedWatts: z.number(),
      itDrawWatts: z.number(),
      facilityDrawWatts: z.number(),
      headroomWatts: z.number(),
      metered: z.boolean().describe('true when facility draw comes from power meters, not IT draw × PUE'),
    }),
    utilization,
    topology: z.strictObject({ halls: z.number().int(), pods: z.number().int(), nodes: z.number().int() }),
    models: z
      .array(modelPool)
      .describe("Per GPU model pool, in the topology's pod order; their GPUs add up to the site's less the unplaced"),
    unplaced: gpuCounts.describe('GPUs that report but are on no known node'),
    toldBy: z
      .strictObject({ scheduler: z.number().int(), telemetry: z.number().int() })
      .describe("GPUs whose state the scheduler's allocation told, and those told by telemetry alone (docs/scheduler.md)"),
    unknownModels: z
      .array(
        z.strictObject({
          name: z.string().describe("The model name the GPUs report ('' when they report none)"),
          label: z.string().describe('How it is shown: `unknown model "<name>"`'),
          gpus: z.number().int(),
        }),
      )
      .describe(
        'GPUs whose model the table lacks, by reported name, most first: read on their own power scale, never as another model (docs/gpu-states.md#gpu-models)',
      ),
    modelMismatchGpus: z
      .number()
      .int()
      .describe("GPUs on placed nodes whose telemetry names another known model than the topology's (telemetry's model is used)"),
    updatedAt: isoTime,
  })
  .meta({ id: 'SiteReport' });

const scopeFigures = {
  gpus: gpuCounts,
  power: z.strictObject({ itDrawWatts: z.number(), facilityDrawWatts: z.number() }),
  utilization,
};

export const hallsAnswer = z
  .strictObject({
    halls: z.array(z.strictObject({ id: z.string(), pods: z.number().int(), ...scopeFigures })),
    updatedAt: isoTime,
  })
  .meta({ id: 'HallsReport' });

export const podsAnswer = z
  .strictObject({
    pods: z.array(
      z.strictObject({
        id: z.string(),
        hall: z.string().nullable(),
        nodes: z.number().int(),
        model: modelKey,
        fabric,
        sold: z.boolean().describe('Allocated to a contract in force'),
        ...scopeFigures,
      }),
    ),
    updatedAt: isoTime,
  })
  .meta({ id: 'PodsReport' });

export const gpuAnswer = z
  .strictObject({
    uuid: z.string(),
    host: z.string().nullable(),
    index: z.number().int().describe('GPU index on its host; -1 when unknown'),
    hall: z.string().nullable(),
    pod: z.string().nullable(),
    model: z.string().describe('GPU model key (`H100-SXM`), or `unknown model "<name>"` for a model the table lacks'),
    state: z.enum(GPU_STATES),
    utilization: utilization.nullable(),
    powerWatts: z.number().nullable(),
    utilizationPercent: z.number().nullable(),
    memoryUsedMiB: z.number().nullable(),
    memoryTotalMiB: z.number().nullable(),
    lastSampleAt: isoTime.nullable(),
    samplesInWindow: z.number().int(),
    replaces: z
      .strictObject({ uuid: z.string(), at: isoTime })
      .nullable()
      .describe('The GPU this one took the slot of (a card swap), and when; its UUID answers 410 naming this one'),
    toldBy: z
      .enum(['scheduler', 'telemetry'])
      .describe("How the state was told: the scheduler's allocation (with telemetry for compute), or telemetry alone"),
    orphaned: z.boolean().describe('In use (memory or compute) but allocated to no job, on a node a scheduler covers; reported held'),
    downReason: z.string().nullable().describe("Why its node is down: the scheduler's reason, `maintenance`, or the pushed drain reason"),
    job: z
      .strictObject({
        id: z.string().describe("Slurm's job id, or the Kubernetes pod's name"),
        account: z.string(),
        partition: z.string(),
        user: z.string(),
        namespace: z.string().nullable().describe("The pod's Kubernetes namespace (null for a Slurm job)"),
        source: z
          .enum(['slurm', 'kubernetes'])
          .describe("Who told the allocation: Slurm's reader, or dcgm-exporter's pod labels (docs/scheduler.md#kubernetes)"),
        tenant: z
          .union([
            z.strictObject({ kind: z.literal('internal'), team: z.string() }),
            z.strictObject({ kind: z.literal('customer'), customer: z.string() }),
          ])
          .nullable()
          .describe('Who the job belongs to by the tenants configuration; null when no rule names it'),
      })
      .nullable()
      .describe('The running job or pod the scheduler allocated this GPU to'),
  })
  .meta({ id: 'GpuReport' });

export type SiteAnswer = z.output<typeof siteAnswer>;
export type HallsAnswer = z.output<typeof hallsAnswer>;
export type PodsAnswer = z.output<typeof podsAnswer>;
export type GpuAnswer = z.output<typeof gpuAnswer>;
