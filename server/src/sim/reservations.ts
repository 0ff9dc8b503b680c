import type { Topology } from '../domain/fleet/topology.js';
import { trendLevelAt } from './demand.js';
import { hash4, Stream } from './random.js';
import { DAY_MS, type ScenarioName, type ScenarioParams } from './scenario.js';
import type { Workload } from './workload.js';

/**
 * The simulated scheduler's reservations and the rebound's big run. Maintenance drains are
 * reserved (flag MAINT) a week ahead, as operators book them; the `rebound` scenario's comeback
 * is a pretraining run whose jobs are submitted four days and whose reservation is made three
 * days before the first of them starts — so the scheduler shows the coming demand days before
 * telemetry can.
 */

/** How long before a drain its MAINT reservation exists. */
export const MAINT_NOTICE_MS = 7 * DAY_MS;
/** The rebound run: jobs submitted this long before the rebound… */
export const REBOUND_SUBMIT_LEAD_MS = 4 * DAY_MS;
/** …and its reservation created this long before. */
export const REBOUND_RESERVE_LEAD_MS = 3 * DAY_MS;
/** How long the rebound's reservation lasts from the rebound. */
export const REBOUND_RESERVATION_MS = 30 * DAY_MS;
export const REBOUND_RESERVATION = 'pretrain-rebound';

export interface SimReservation {
  name: string;
  /** Node indexes, ascending. */
  nodes: number[];
  startMs: number;
  endMs: number;
  flags: string[];
  accounts: string[];
  users: string[];
}

/** One job of the rebound run, pending until `startMs`. */
export interface ReboundJob {
  /** Position in the run (0 first). */
  index: number;
  nodes: number[];
  submitMs: number;
  startMs: number;
}

export interface ReboundPlan {
  /** Nodes of the run, in the order its jobs take them. */
  nodes: number[];
  jobs: ReboundJob[];
  /** 1 for a node of the run's reservation. */
  reserved: Uint8Array;
}

/**
 * The rebound run: as many GPUs as the trend adds (reboundLevel − level at the rebound, of the
 * site's GPUs, to the node), taken node by node from training pods in seeded order, cut into
 * jobs of one pod's nodes each — so each job is on one GPU model.
 * Job i is expected to start when the ramp (a cosine ease over reboundRampMs) reaches
 * (i + ½) / jobs of its rise, so the run's GPUs arrive as the demand does. Null outside `rebound`.
 */
export function planRebound(
  topology: Topology,
  scenario: ScenarioName,
  params: ScenarioParams,
  seed: number,
  workload: Workload,
): ReboundPlan | null {
  if (scenario !== 'rebound') return null;
  const gpus = topology.slotNode.length;
  const rise = params.reboundLevel - trendLevelAt(scenario, params, params.reboundAtMs);
  const wantedGpus = Math.max(0, rise * gpus);
  const pods = topology.pods
    .filter((pod) => workload.podServesInference[pod.index] === 0)
    .sort((a, b) => hash4(seed, Stream.schedulerQueue, a.index, 1) - hash4(seed, Stream.schedulerQueue, b.index, 1) || a.index - b.index);
  const nodes: number[] = [];
  const jobs: ReboundJob[] = [];
  let taken = 0;
  for (const pod of pods) {
    const take: number[] = [];
    // A node joins while the GPUs taken stay nearer the wanted figure than without it (Math.round's rule on a uniform site).
    for (const n of pod.nodes) {
      const gpusOfNode = topology.nodes[n]?.slots.length ?? 0;
      if (taken + gpusOfNode / 2 >= wantedGpus) break;
      take.push(n);
      taken += gpusOfNode;
    }
    if (take.length === 0) break;
    nodes.push(...take);
    jobs.push({ index: jobs.length, nodes: take, submitMs: params.reboundAtMs - REBOUND_SUBMIT_LEAD_MS, startMs: 0 });
  }
  for (const job of jobs) {
    const share = (job.index + 0.5) / jobs.length;
    job.startMs = params.reboundAtMs + Math.round((params.reboundRampMs * Math.acos(1 - 2 * share)) / Math.PI);
  }
  const reserved = new Uint8Array(topology.nodes.length);
  for (const n of nodes) reserved[n] = 1;
  return { nodes, jobs, reserved };
}

/** Whether the rebound's reservation exists at tMs. */
export function reboundReservationActive(params: ScenarioParams, tMs: number): boolean {
  return tMs >= params.reboundAtMs - REBOUND_RESERVE_LEAD_MS && tMs < params.reboundAtMs + REBOUND_RESERVATION_MS;
}

/** Every reservation that exists at tMs: MAINT ones for drains within a week, and the rebound run's. */
export function reservationsAt(
  topology: Topology,
  params: ScenarioParams,
  workload: Workload,
  rebound: ReboundPlan | null,
  tMs: number,
): SimReservation[] {
  const out: SimReservation[] = [];
  for (const pod of topology.pods) {
    const seen = new Set<number>();
    for (const at of [tMs, tMs + MAINT_NOTICE_MS]) {
      const drain = workload.maintenanceAt(pod.index, at);
      if (!drain || seen.has(drain.startMs) || drain.endMs <= tMs || drain.startMs - MAINT_NOTICE_MS > tMs) continue;
      seen.add(drain.startMs);
      out.push({
        name: `maint-${pod.id}-${new Date(drain.startMs).toISOString().slice(0, 10)}`,
        nodes: [...pod.nodes].sort((a, b) => a - b),
        startMs: drain.startMs,
        endMs: drain.endMs,
        flags: ['MAINT', 'SPEC_NODES'],
        accounts: [],
        users: ['root'],
      });
    }
  }
  if (rebound && reboundReservationActive(params, tMs)) {
    out.push({
      name: REBOUND_RESERVATION,
      nodes: [...rebound.nodes].sort((a, b) => a - b),
      startMs: params.reboundAtMs,
      endMs: params.reboundAtMs + REBOUND_RESERVATION_MS,
      flags: ['SPEC_NODES'],
      accounts: ['pretrain'],
      users: [],
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs || (a.name < b.name ? -1 : 1));
}
