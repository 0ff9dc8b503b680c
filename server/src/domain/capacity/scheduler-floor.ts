import type { SchedulerSnapshot } from '../scheduler/scheduler-snapshot.js';
import { tenantOf, type Tenants } from '../scheduler/tenants.js';
import type { DemandForecast, ForecastPoint } from './forecast-types.js';

/**
 * A floor on the owner's internal demand from what the scheduler already knows: the GPUs its
 * own jobs hold now, the GPUs its pending jobs will hold from their expected start, and the
 * GPUs its reservations set aside over their windows. Demand that is queued or reserved is
 * visible here days before telemetry shows it (a big run submitted and reserved ahead of its
 * start); the forecast of the past cannot see it. Applied like a demand plan (demand-plan.ts):
 * a floor under the forecast's median and band, not an addition to them.
 *
 * Only internal work counts (tenants.ts): a customer's job or reservation is sold capacity, not
 * the owner's demand; an allocation no rule names counts only when `tenants.unmatched` is internal.
 *
 * The jobs' part is near-term: running work is carried as a level (jobs end, their successors
 * take their place) for `nearTermMs` from now; past it only reservations stand. A pending job
 * adds to that level from its expected start only when it starts next in line (within
 * `nextInLineMs`, on GPUs free now) or waits for a reservation: Slurm expects a later job to
 * start when running jobs free their GPUs, so it takes their place rather than adding to them
 * (counting every queued job on top of every running one overstated the rebound's shortfall by
 * 30 % in the backtest; docs/capacity-and-billing.md). A reservation counts its nodes' GPUs over
 * its window, and the jobs inside it (running on its nodes while it stands, or pending for it)
 * are not counted twice: the reservation stands for max(its GPUs, the jobs inside it).
 */

/** How long the jobs' part of the floor holds: a week, the span over which a queue says anything. */
export const NEAR_TERM_MS = 7 * 24 * 3_600_000;
/** A pending job expected to start within this of now starts on GPUs free now: it adds to the running level. */
export const NEXT_IN_LINE_MS = 3_600_000;

export interface FloorPendingJob {
  id: string;
  gpus: number;
  /** Expected start, clamped to now (Slurm gives none for some: they count from now). */
  startMs: number;
  /** The internal reservation it waits for, when it names one the floor counts. */
  reservation: string | null;
  /** It adds to the floor (next in line, or waiting for a counted reservation); else it takes a running job's place. */
  adds: boolean;
}

export interface FloorReservation {
  name: string;
  startMs: number;
  endMs: number;
  /** Its nodes × their GPUs. */
  gpus: number;
  /** Internal running GPUs on its nodes now, when it stands now (they run inside it). */
  runningInside: number;
}

export interface SchedulerFloor {
  nowMs: number;
  /** When the scheduler was read; a stale snapshot's jobs are not counted, its reservations are. */
  readAtMs: number;
  stale: boolean;
  /** The jobs' part holds until then (nowMs + nearTermMs). */
  nearTermEndMs: number;
  /** Internal GPUs allocated now. */
  runningGpus: number;
  pending: FloorPendingJob[];
  /** Internal, non-maintenance reservations not yet over, by start. */
  reservations: FloorReservation[];
}

export interface SchedulerFloorOptions {
  nowMs: number;
  /** GPUs of a scheduler node; default its configured GPUs in the snapshot, 0 for a node it lacks. */
  nodeGpus?: (node: string) => number;
  /** A snapshot read longer ago than this is stale (default: never). */
  staleAfterMs?: number;
  nearTermMs?: number;
  nextInLineMs?: number;
}

const isInternal = (tenants: Tenants, owner: { account?: string; partition?: string }): boolean =>
  tenantOf(tenants, owner)?.kind === 'internal';

/**
 * Slurm's reservation `accounts` list may exclude accounts (`-name`); a reservation is internal
 * when it names accounts and every one it admits is an internal team's, or, naming none, when
 * unnamed allocations are internal (`tenants.unmatched`, or each account its own team).
 */
function reservationIsInternal(tenants: Tenants, accounts: readonly string[] | undefined): boolean {
  const admitted = (accounts ?? []).filter((a) => a !== '' && !a.startsWith('-'));
  if (admitted.length === 0) return tenants.unmatched === 'account' || tenants.unmatched?.kind === 'internal';
  return admitted.every((account) => isInternal(tenants, { account }));
}

/**
 * The floor a snapshot sets, as of `nowMs`. Running jobs count by the GPU indices they hold;
 * pending jobs by the GPUs they ask for, from max(now, expected start); reservations that are
 * maintenance (their nodes leave service instead), customers', or over by `nowMs` are left out.
 */
export function schedulerFloor(snapshot: SchedulerSnapshot, tenants: Tenants, options: SchedulerFloorOptions): SchedulerFloor {
  const { nowMs } = options;
  const configured = new Map(snapshot.nodes.map((n) => [n.name, n.gpusConfigured]));
  const nodeGpus = options.nodeGpus ?? ((name: string): number => configured.get(name) ?? 0);
  const stale = options.staleAfterMs !== undefined && nowMs - snapshot.readAtMs > options.staleAfterMs;

  const reservations: FloorReservation[] = [];
  const counted = new Map<string, FloorReservation>();
  /** Node → the reservation standing on it now, for the running jobs inside it. */
  const standingOn = new Map<string, FloorReservation>();
  for (const r of snapshot.reservations) {
    if (r.maintenance || r.endMs <= nowMs || !(r.endMs > r.startMs)) continue;
    if (!reservationIsInternal(tenants, r.accounts)) continue;
    const entry: FloorReservation = { name: r.name, startMs: r.startMs, endMs: r.endMs, gpus: 0, runningInside: 0 };
    for (const node of new Set(r.nodes)) {
      entry.gpus += nodeGpus(node);
      if (r.startMs <= nowMs) standingOn.set(node, entry);
    }
    reservations.push(entry);
    counted.set(r.name, entry);
  }
  reservations.sort((a, b) => a.startMs - b.startMs || (a.name < b.name ? -1 : 1));

  let runningGpus = 0;
  const pending: FloorPendingJob[] = [];
  if (!stale) {
    for (const job of snapshot.running) {
      if (!isInternal(tenants, job)) continue;
      for (const { node, indices } of job.gpus) {
        runningGpus += indices.length;
        const inside = standingOn.get(node);
        if (inside) inside.runningInside += indices.length;
      }
    }
    for (const job of snapshot.pending) {
      if (job.gpus <= 0 || !isInternal(tenants, job)) continue;
      const reservation = job.reservation !== undefined && counted.has(job.reservation) ? job.reservation : null;
      const startMs = Math.max(nowMs, job.expectedStartMs ?? nowMs);
      const adds = reservation !== null || startMs <= nowMs + (options.nextInLineMs ?? NEXT_IN_LINE_MS);
      pending.push({ id: job.id, gpus: job.gpus, startMs, reservation, adds });
    }
    pending.sort((a, b) => a.startMs - b.startMs);
  }
  return {
    nowMs,
    readAtMs: snapshot.readAtMs,
    stale,
    nearTermEndMs: nowMs + (options.nearTermMs ?? NEAR_TERM_MS),
    runningGpus,
    pending,
    reservations,
  };
}

/**
 * The floor at the instant tMs (0 before `nowMs`): the jobs outside any reservation standing at
 * tMs (near term only), plus, per reservation standing at tMs, max(its GPUs, the jobs inside it).
 */
export function floorAt(floor: SchedulerFloor, tMs: number): number {
  if (tMs < floor.nowMs) return 0;
  const nearTerm = tMs < floor.nearTermEndMs;
  const standing = (r: FloorReservation): boolean => r.startMs <= tMs && tMs < r.endMs;
  let jobs = nearTerm ? floor.runningGpus : 0;
  const inside = new Map<string, number>();
  let reserved = 0;
  for (const r of floor.reservations) {
    if (!standing(r)) continue;
    // Running inside it counted once: in the reservation, not in the carried level.
    if (nearTerm) {
      jobs -= r.runningInside;
      inside.set(r.name, r.runningInside);
    } else inside.set(r.name, 0);
  }
  if (nearTerm) {
    for (const job of floor.pending) {
      if (job.startMs > tMs) break;
      if (!job.adds) continue;
      const held = job.reservation === null ? undefined : inside.get(job.reservation);
      if (job.reservation !== null && held !== undefined) inside.set(job.reservation, held + job.gpus);
      else jobs += job.gpus;
    }
  }
  for (const r of floor.reservations) if (standing(r)) reserved += Math.max(r.gpus, inside.get(r.name) ?? 0);
  return jobs + reserved;
}

/** Instants in (fromMs, toMs) where the floor may change: starts, ends and the near term's end. */
function changesWithin(floor: SchedulerFloor, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  const add = (t: number): void => {
    if (t > fromMs && t < toMs) out.push(t);
  };
  add(floor.nowMs);
  add(floor.nearTermEndMs);
  for (const job of floor.pending) if (job.adds) add(job.startMs);
  for (const r of floor.reservations) add(r.startMs);
  return out;
}

/**
 * The floor's peak over [fromMs, toMs): a forecast point holds its step's peak, so a job or
 * reservation starting mid-step counts for the whole step (as a demand plan does).
 */
export function floorDuring(floor: SchedulerFloor, fromMs: number, toMs: number): { gpus: number; atMs: number } {
  let gpus = floorAt(floor, fromMs);
  let atMs = fromMs;
  for (const t of changesWithin(floor, fromMs, toMs)) {
    const v = floorAt(floor, t);
    if (v > gpus) {
      gpus = v;
      atMs = t;
    }
  }
  return { gpus, atMs };
}

/**
 * The forecast with the scheduler's floor under it: each point's median and high quantile are at
 * least the floor's peak over its step. Like withDemandPlans, the capacity clamp does not apply
 * (work queued beyond the site is a shortfall to see), points the floor does not reach are
 * returned as they were, and a note says over how many hours it raised the forecast. `share`
 * scales the floor for one model pool's forecast (the service's split of site-wide demand).
 */
export function withSchedulerFloor(forecast: DemandForecast, floor: SchedulerFloor | null, share = 1): DemandForecast {
  if (!floor) return forecast;
  let raised = 0;
  const stepMs = forecast.stepSeconds * 1000;
  const points = forecast.points.map((point): ForecastPoint => {
    const [t, median, high] = point;
    const gpus = floorDuring(floor, t * 1000, t * 1000 + stepMs).gpus * share;
    if (gpus <= median && gpus <= high) return point;
    raised++;
    return [t, Math.max(median, gpus), Math.max(high, gpus)];
  });
  if (raised === 0) return forecast;
  const hours = (raised * forecast.stepSeconds) / 3_600;
  const stale = floor.stale ? ' (a stale snapshot: its reservations only)' : '';
  return {
    ...forecast,
    points,
    notes: [
      ...forecast.notes,
      `the scheduler's queue and reservations raise the forecast over ${hours.toFixed(0)} h of the horizon${stale}`,
    ],
  };
}

/** The floor's figures for a report: what it is made of now, and its peak over [nowMs, untilMs). */
export function floorSummary(floor: SchedulerFloor, untilMs: number) {
  let pendingGpus = 0;
  let pendingAddingGpus = 0;
  for (const job of floor.pending) {
    pendingGpus += job.gpus;
    if (job.adds) pendingAddingGpus += job.gpus;
  }
  const peak = floorDuring(floor, floor.nowMs, untilMs);
  const reservations = floor.reservations.filter((r) => r.startMs < untilMs);
  return {
    stale: floor.stale,
    readAtMs: floor.readAtMs,
    runningGpus: floor.runningGpus,
    pendingGpus,
    pendingAddingGpus,
    reservedGpus: reservations.reduce((s, r) => s + r.gpus, 0),
    nowGpus: floorAt(floor, floor.nowMs),
    peakGpus: peak.gpus,
    peakAtMs: peak.atMs,
    reservations: reservations.map((r) => ({ name: r.name, startMs: r.startMs, endMs: r.endMs, gpus: r.gpus })),
  };
}

export type SchedulerFloorSummary = ReturnType<typeof floorSummary>;
