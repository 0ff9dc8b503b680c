import { z } from 'zod';
import { gpuIndicesOfGresDetail, gpusOfTres } from '../../domain/scheduler/gres.js';
import { expandHostlist } from '../../domain/scheduler/hostlist.js';
import { SchedulerInputError } from '../../domain/scheduler/scheduler-input-error.js';
import type { PendingJob, Reservation, RunningJob, SchedulerNode, SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';

/**
 * slurmrestd's `openapi/v0.0.38` answers (Slurm 22.05, Debian bookworm): the fields Headroom reads,
 * strictly typed; every other field passes unread. Each list item is read on its own, so one item that
 * does not fit is skipped and named (SchedulerSnapshot.skipped) instead of failing the poll.
 * Real answers: test/fixtures/slurm/.
 */
export const SLURM_API_VERSION = 'v0.0.38';
const PLUGIN_TYPE = `openapi/${SLURM_API_VERSION}`;

/** An answer that is not a v0.0.38 answer at all (wrong plugin, no list, Slurm's own errors). */
export class SlurmAnswerError extends Error {
  constructor(
    readonly reason: 'version' | 'malformed' | 'slurm_error',
    message: string,
  ) {
    super(message);
    this.name = 'SlurmAnswerError';
  }
}

const envelope = z.looseObject({
  meta: z.looseObject({
    plugin: z.looseObject({ type: z.string() }),
    Slurm: z.looseObject({ release: z.string() }).optional(),
  }),
  errors: z.array(z.looseObject({ error: z.string().optional(), errno: z.number().optional() })).default([]),
});

// Items are z.object, which keeps only the fields read: z.looseObject copies every other field of
// each item too, and at 24,576 nodes that was 0.45 s of a 0.6 s parse (docs/performance.md).
const str = z
  .string()
  .nullish()
  .transform((s) => s ?? '');
const nodeSchema = z.object({
  name: z.string().min(1),
  state: z.string(),
  state_flags: z.array(z.string()).default([]),
  reason: str,
  gres: str,
  gres_used: str,
});
const jobSchema = z.object({
  job_id: z.number().int().nonnegative(),
  job_state: z.string(),
  account: str,
  partition: str,
  user_name: str,
  nodes: str,
  node_count: z.number().int().nonnegative().default(1),
  gres_detail: z.array(z.string()).default([]),
  tres_per_node: str,
  tres_per_job: str,
  tres_per_task: str,
  tasks: z.number().int().nonnegative().nullish(),
  priority: z.number().default(0),
  start_time: z.number().default(0),
  state_reason: str,
  job_resources: z.object({ nodes: str }).nullish(),
});
const reservationSchema = z.object({
  name: z.string().min(1),
  node_list: str,
  start_time: z.number(),
  end_time: z.number(),
  flags: z.array(z.string()).default([]),
});

/** Node states and flags that take a node out of service (drained or draining counts: it is being emptied). */
const DOWN_STATES = new Set(['down', 'error', 'future', 'fail', 'drain', 'drained']);
const DOWN_FLAGS = new Set(['DRAIN', 'FAIL', 'POWERED_DOWN', 'POWERING_DOWN', 'NOT_RESPONDING']);
/** Job states that hold their allocation. */
const HOLDING = new Set(['RUNNING', 'SUSPENDED', 'COMPLETING', 'CONFIGURING', 'STAGE_OUT']);

/** The answer's list under `key`, after checking it is a v0.0.38 answer without Slurm errors. */
export function listOf(body: unknown, key: 'nodes' | 'jobs' | 'reservations'): { items: unknown[]; release: string } {
  const head = envelope.safeParse(body);
  if (!head.success) throw new SlurmAnswerError('malformed', `not a slurmrestd answer (${head.error.issues[0]?.message ?? 'shape'})`);
  const type = head.data.meta.plugin.type;
  if (type !== PLUGIN_TYPE) throw new SlurmAnswerError('version', `slurmrestd answered with ${type}, Headroom reads ${PLUGIN_TYPE}`);
  const first = head.data.errors[0];
  if (first) throw new SlurmAnswerError('slurm_error', `slurmrestd error: ${first.error ?? 'unnamed'} (errno ${first.errno ?? '?'})`);
  const items = (body as Record<string, unknown>)[key];
  if (!Array.isArray(items)) throw new SlurmAnswerError('malformed', `answer has no ${key} list`);
  return { items, release: head.data.meta.Slurm?.release ?? 'unknown' };
}

const stripCounts = (gres: string): string => gres.replace(/\([^)]*\)/g, '');

/** Reads the three answers into a snapshot; `readAtMs` on the collection clock. */
export function slurmSnapshot(answers: { nodes: unknown; jobs: unknown; reservations: unknown }, readAtMs: number): SchedulerSnapshot {
  const nodesList = listOf(answers.nodes, 'nodes');
  const jobsList = listOf(answers.jobs, 'jobs');
  const resvList = listOf(answers.reservations, 'reservations');
  const skipped: string[] = [];
  const each = <S extends z.ZodType, T>(items: unknown[], schema: S, what: string, read: (item: z.output<S>) => T | null): T[] => {
    const out: T[] = [];
    items.forEach((raw, i) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        skipped.push(`${what} ${i}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
        return;
      }
      try {
        const value = read(parsed.data);
        if (value !== null) out.push(value);
      } catch (error) {
        if (!(error instanceof SchedulerInputError)) throw error;
        skipped.push(`${what} ${i}: ${error.message}`);
      }
    });
    return out;
  };
  const nodes = each(nodesList.items, nodeSchema, 'node', (n): SchedulerNode => {
    const down = DOWN_STATES.has(n.state.toLowerCase()) || n.state_flags.some((f) => DOWN_FLAGS.has(f));
    return {
      name: n.name,
      state: n.state,
      flags: n.state_flags,
      down,
      reason: n.reason || (down ? [n.state, ...n.state_flags].join('+').toLowerCase() : ''),
      gpusConfigured: gpusOfTres(stripCounts(n.gres)),
      gpusAllocated: gpusOfTres(stripCounts(n.gres_used)),
    };
  });
  const running: RunningJob[] = [];
  const pending: PendingJob[] = [];
  each(jobsList.items, jobSchema, 'job', (j) => {
    const base = { id: String(j.job_id), account: j.account, partition: j.partition, user: j.user_name };
    if (HOLDING.has(j.job_state)) {
      const hosts = expandHostlist(j.job_resources?.nodes || j.nodes);
      // gres_detail has one entry per allocated node, in the order of the job's node list.
      const gpus = j.gres_detail.map((detail, i) => ({ node: hosts[i] ?? '', indices: gpuIndicesOfGresDetail(detail) }));
      if (gpus.some((g) => g.node === '')) throw new SchedulerInputError('gres', `job ${j.job_id} has more gres_detail entries than nodes`);
      running.push({ ...base, gpus: gpus.filter((g) => g.indices.length > 0) });
    } else if (j.job_state === 'PENDING') {
      const gpus =
        gpusOfTres(j.tres_per_node) * Math.max(1, j.node_count) + gpusOfTres(j.tres_per_job) + gpusOfTres(j.tres_per_task) * (j.tasks ?? 1);
      pending.push({
        ...base,
        gpus,
        priority: j.priority,
        expectedStartMs: j.start_time > 0 ? j.start_time * 1000 : null,
        reason: j.state_reason,
      });
    }
    return null;
  });
  const reservations = each(resvList.items, reservationSchema, 'reservation', (r): Reservation => ({
    name: r.name,
    nodes: expandHostlist(r.node_list),
    startMs: r.start_time * 1000,
    endMs: r.end_time * 1000,
    flags: r.flags,
    maintenance: r.flags.includes('MAINT'),
  }));
  return {
    scheduler: 'slurm',
    apiVersion: SLURM_API_VERSION,
    version: nodesList.release,
    readAtMs,
    nodes,
    running,
    pending,
    reservations,
    skipped,
  };
}
