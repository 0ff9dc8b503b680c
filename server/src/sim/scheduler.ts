import type { Topology } from '../domain/fleet/topology.js';
import { Activity, type NodeActivity } from './activity.js';
import { rehash, toUnit } from './random.js';
import { reboundReservationActive, REBOUND_RESERVATION, planRebound, reservationsAt, type SimReservation } from './reservations.js';
import type { ScenarioName, ScenarioParams } from './scenario.js';
import type { SoldPodPredicate, Workload } from './workload.js';

/**
 * The simulated site's scheduler: the jobs, queue and reservations behind the workload model,
 * derived from it so that allocation and telemetry always agree.
 * - Running: a training pod's job holds the pod's (working) nodes; an inference node's slot is a
 *   one-node job, a quarter of them two half-node jobs (GPUs 0–3 and 4–7 of an HGX node, 0–1
 *   and 2–3 of a GB200 tray); a sold pod runs its customer's job. A `noProcess` job is
 *   allocated but computes nothing. Every job asks for all of a node's GPUs or half of them,
 *   by the node's own count, and stays on one pod or node: on one GPU model.
 * - Pending: the next slot of an idle training pod or inference node that internal work will
 *   take is submitted ahead of its start (training up to 6 h, inference up to 2 h), expected to
 *   start at the slot's start — demand on top of what runs; plus the rebound run's jobs
 *   (reservations.ts). A running owner's successor is not queued: it adds no GPUs.
 * Teams: training jobs are `pretrain` (½), `rl` (3⁄10) or `eval` (1⁄5) by their key, and any job
 * on the rebound reservation's nodes while it stands is `pretrain`; inference is `inference`.
 */

export const INTERNAL_TEAMS = ['pretrain', 'rl', 'eval', 'inference'] as const;
export const PARTITION = { training: 'train', inference: 'inference', customer: 'customer' } as const;
/** Account of a sold pod's job when no customer is named. */
export const DEFAULT_CUSTOMER_ACCOUNT = 'customer';

const HOUR_MS = 3_600_000;
const TRAINING_SUBMIT_LEAD_MAX_MS = 6 * HOUR_MS;
const INFERENCE_SUBMIT_LEAD_MAX_MS = 2 * HOUR_MS;
const SPLIT_INFERENCE_SHARE = 0.25;
/** A pending job expected to start within this reads `Resources` (next in line); later ones `Priority`. */
const NEXT_IN_LINE_MS = 15 * 60_000;

export interface SimJob {
  jobId: number;
  name: string;
  state: 'RUNNING' | 'PENDING';
  account: string;
  partition: string;
  user: string;
  /** Node indexes of a running job (empty when pending). */
  nodes: number[];
  nodeCount: number;
  gpusPerNode: number;
  /** GPU model of the job's nodes: a job runs on one model (its pod's or node's), as a partition or constraint would keep it. */
  modelIndex: number;
  /** First GPU index the job holds on each node (0, or the second half's first GPU). */
  firstGpu: number;
  priority: number;
  submitMs: number;
  /** Start (running) or expected start (pending). */
  startMs: number;
  /** Time limit's end. */
  endMs: number;
  /** Slurm's state_reason: `None` when running. */
  reason: 'None' | 'Resources' | 'Priority' | 'Reservation';
  reservation: string;
  /** Truth, not a Slurm field: whether a running job's processes compute. */
  computing: boolean;
}

export interface SchedulerSnapshot {
  tMs: number;
  /** Running jobs, then pending ones, each by job id. */
  jobs: SimJob[];
  reservations: SimReservation[];
  /** Per node: account index (into `accounts`) of the job holding it, −1 when none. */
  nodeAccount: Int16Array;
  accounts: string[];
}

export interface SchedulerModelOptions {
  topology: Topology;
  scenario: ScenarioName;
  params: ScenarioParams;
  seed: number;
  workload: Workload;
  soldPod?: SoldPodPredicate;
  /** The customer's account on a sold pod (default `customer`). */
  podCustomer?: (podIndex: number, tMs: number) => string | null;
}

export interface SchedulerModel {
  /** The scheduler at tMs, from the nodes' activity resolved at tMs. */
  snapshot(tMs: number, nodes: NodeActivity): SchedulerSnapshot;
}

function teamOf(key: number): string {
  const u = toUnit(rehash(key, 20));
  return u < 0.5 ? 'pretrain' : u < 0.8 ? 'rl' : 'eval';
}

const runningActivity = (a: number): boolean =>
  a === Activity.loading ||
  a === Activity.training ||
  a === Activity.stuck ||
  a === Activity.noProcess ||
  a === Activity.serving ||
  a === Activity.standby;

export function createSchedulerModel(opts: SchedulerModelOptions): SchedulerModel {
  const { topology, params, seed, workload } = opts;
  const rebound = planRebound(topology, opts.scenario, params, seed, workload);
  const totalGpus = topology.slotNode.length;

  function snapshot(tMs: number, nodes: NodeActivity): SchedulerSnapshot {
    const jobs: SimJob[] = [];
    const accounts: string[] = [];
    const accountIndex = new Map<string, number>();
    const nodeAccount = new Int16Array(topology.nodes.length).fill(-1);
    const reboundOn = rebound !== null && reboundReservationActive(params, tMs);
    const accountOf = (name: string): number => {
      let i = accountIndex.get(name);
      if (i === undefined) {
        i = accounts.length;
        accounts.push(name);
        accountIndex.set(name, i);
      }
      return i;
    };
    const job = (fields: Omit<SimJob, 'jobId' | 'name' | 'user' | 'priority'>, key: number): void => {
      const n = rehash(key, 23) % 40;
      jobs.push({
        ...fields,
        jobId: 1 + (rehash(key, 24) % 2_000_000_000),
        name: `${fields.account}-${(rehash(key, 25) % 0xfffff).toString(16)}`,
        user: fields.partition === PARTITION.customer ? fields.account : `${fields.account}-${String(n).padStart(2, '0')}`,
        priority: 1_000 + (rehash(key, 26) % 99_000),
      });
      if (fields.state === 'RUNNING') for (const node of fields.nodes) nodeAccount[node] = accountOf(fields.account);
    };

    let soldGpus = 0;
    const sold = new Uint8Array(topology.pods.length);
    for (const pod of topology.pods) {
      if (!opts.soldPod?.(pod.index, tMs)) continue;
      sold[pod.index] = 1;
      for (const n of pod.nodes) soldGpus += topology.nodes[n]?.slots.length ?? 0;
    }
    const scale = soldGpus === 0 ? 1 : soldGpus < totalGpus ? totalGpus / (totalGpus - soldGpus) : 0;

    for (const pod of topology.pods) {
      const p = pod.index;
      const perNode = gpusPerNodeOf(topology, pod.nodes[0]);
      if (sold[p]) {
        const held = pod.nodes.filter((n) => nodes.activity[n] === Activity.sold);
        if (held.length === 0) continue;
        const account = opts.podCustomer?.(p, tMs) ?? DEFAULT_CUSTOMER_ACCOUNT;
        const weekMs = 7 * 24 * HOUR_MS;
        const startMs = Math.floor(tMs / weekMs) * weekMs;
        job(
          {
            state: 'RUNNING',
            account,
            partition: PARTITION.customer,
            nodes: held,
            nodeCount: held.length,
            gpusPerNode: perNode,
            modelIndex: pod.modelIndex,
            firstGpu: 0,
            submitMs: startMs,
            startMs,
            endMs: startMs + weekMs,
            reason: 'None',
            reservation: '',
            computing: true,
          },
          nodes.jobKey[held[0] ?? 0] ?? p,
        );
      } else if (workload.podServesInference[p]) {
        for (const n of pod.nodes) inferenceJobs(n, tMs, nodes, scale);
      } else {
        trainingJobs(p, pod.nodes, tMs, nodes, scale);
      }
    }
    if (rebound) {
      for (const run of rebound.jobs) {
        if (tMs < run.submitMs || tMs >= run.startMs) continue;
        job(
          {
            state: 'PENDING',
            account: 'pretrain',
            partition: PARTITION.training,
            nodes: [],
            nodeCount: run.nodes.length,
            gpusPerNode: gpusPerNodeOf(topology, run.nodes[0]),
            modelIndex: topology.nodes[run.nodes[0] ?? 0]?.modelIndex ?? 0,
            firstGpu: 0,
            submitMs: run.submitMs,
            startMs: run.startMs,
            endMs: run.startMs + 14 * 24 * HOUR_MS,
            reason: 'Reservation',
            reservation: REBOUND_RESERVATION,
            computing: false,
          },
          seed ^ (0x5eb00 + run.index),
        );
      }
    }
    return { tMs, jobs: uniqueIds(jobs), reservations: reservationsAt(topology, params, workload, rebound, tMs), nodeAccount, accounts };

    function trainingJobs(p: number, podNodes: readonly number[], t: number, activity: NodeActivity, s: number): void {
      const slot = workload.slotAt('training', p, t, s);
      const perNode = gpusPerNodeOf(topology, podNodes[0]);
      const modelIndex = topology.pods[p]?.modelIndex ?? 0;
      const held = podNodes.filter((n) => runningActivity(activity.activity[n] ?? Activity.idle));
      const onReservation = reboundOn && held.some((n) => rebound.reserved[n] === 1);
      const team = onReservation ? 'pretrain' : teamOf(slot.key);
      if (held.length > 0) {
        const computing = activity.activity[held[0] ?? 0] === Activity.training;
        const submitMs = slot.startMs - Math.floor(toUnit(rehash(slot.key, 22)) * TRAINING_SUBMIT_LEAD_MAX_MS);
        job(
          {
            state: 'RUNNING',
            account: team,
            partition: PARTITION.training,
            nodes: held,
            nodeCount: held.length,
            gpusPerNode: perNode,
            modelIndex,
            firstGpu: 0,
            submitMs,
            startMs: slot.startMs,
            endMs: slot.endMs,
            reason: 'None',
            reservation: '',
            computing,
          },
          // The key its pending form had (pending() keys by the first GPU): one job id from queue to run.
          rehash(slot.key, 0),
        );
      }
      if (held.length > 0) return;
      const next = workload.slotAt('training', p, slot.endMs, s);
      pending(next, podNodes.length, perNode, modelIndex, 0, TRAINING_SUBMIT_LEAD_MAX_MS, teamOf(next.key), PARTITION.training, t);
    }

    function inferenceJobs(n: number, t: number, activity: NodeActivity, s: number): void {
      const slot = workload.slotAt('inference', n, t, s);
      const perNode = gpusPerNodeOf(topology, n);
      const modelIndex = topology.nodes[n]?.modelIndex ?? 0;
      if (runningActivity(activity.activity[n] ?? Activity.idle)) {
        const submitMs = slot.startMs - Math.floor(toUnit(rehash(slot.key, 22)) * INFERENCE_SUBMIT_LEAD_MAX_MS);
        for (const [firstGpu, gpus] of inferenceHalves(slot.key, perNode)) {
          job(
            {
              state: 'RUNNING',
              account: 'inference',
              partition: PARTITION.inference,
              nodes: [n],
              nodeCount: 1,
              gpusPerNode: gpus,
              modelIndex,
              firstGpu,
              submitMs,
              startMs: slot.startMs,
              endMs: slot.endMs,
              reason: 'None',
              reservation: '',
              computing: activity.activity[n] === Activity.serving,
            },
            inferenceJobKey(slot.key, firstGpu),
          );
        }
        return;
      }
      const next = workload.slotAt('inference', n, slot.endMs, s);
      for (const [firstGpu, gpus] of inferenceHalves(next.key, perNode)) {
        pending(next, 1, gpus, modelIndex, firstGpu, INFERENCE_SUBMIT_LEAD_MAX_MS, 'inference', PARTITION.inference, t);
      }
    }

    function pending(
      next: ReturnType<Workload['slotAt']>,
      nodeCount: number,
      gpusPerNode: number,
      modelIndex: number,
      firstGpu: number,
      leadMaxMs: number,
      account: string,
      partition: string,
      t: number,
    ): void {
      if (!next.allocated) return;
      const submitMs = next.startMs - Math.floor(toUnit(rehash(next.key, 22)) * leadMaxMs);
      if (t < submitMs || t >= next.startMs) return;
      const reason = next.startMs - t <= NEXT_IN_LINE_MS ? 'Resources' : 'Priority';
      job(
        {
          state: 'PENDING',
          account,
          partition,
          nodes: [],
          nodeCount,
          gpusPerNode,
          modelIndex,
          firstGpu,
          submitMs,
          startMs: next.startMs,
          endMs: next.endMs,
          reason,
          reservation: '',
          computing: false,
        },
        rehash(next.key, firstGpu),
      );
    }
  }

  return { snapshot };
}

/**
 * An inference slot's jobs on a node of `gpus` GPUs as [first GPU, GPUs]: the whole node, or
 * two halves for a quarter of slots (a node of one GPU is never split).
 */
export function inferenceHalves(key: number, gpus: number): Array<[number, number]> {
  const half = Math.floor(gpus / 2);
  return half > 0 && toUnit(rehash(key, 21)) < SPLIT_INFERENCE_SHARE
    ? [
        [0, half],
        [half, gpus - half],
      ]
    : [[0, gpus]];
}

/** GPUs of a node (a pod's nodes share one shape); 8 for a missing node. */
function gpusPerNodeOf(topology: Topology, node: number | undefined): number {
  return topology.nodes[node ?? -1]?.slots.length ?? 8;
}

/** The seeded key of an inference slot's job starting at `firstGpu`: its Slurm job and its Kubernetes pod (dcgm-text.ts) share it. */
export function inferenceJobKey(slotKey: number, firstGpu: number): number {
  return rehash(slotKey, firstGpu);
}

/** Running jobs then pending, each by id; an id drawn twice moves up to the next free one (Slurm ids are unique). */
function uniqueIds(jobs: SimJob[]): SimJob[] {
  const order = (a: SimJob, b: SimJob): number => (a.state === b.state ? a.jobId - b.jobId : a.state === 'RUNNING' ? -1 : 1);
  jobs.sort(order);
  const used = new Set<number>();
  for (const job of jobs) {
    while (used.has(job.jobId)) job.jobId++;
    used.add(job.jobId);
  }
  return jobs.sort(order);
}
