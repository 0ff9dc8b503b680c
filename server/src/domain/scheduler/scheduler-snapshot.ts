/**
 * What a scheduler says about the site at one moment, as plain data: the adapters
 * (pipeline/scheduler/) build it from their answers, the core (allocation.ts) reads it.
 */
export interface SchedulerNode {
  /** The scheduler's node name; matched to the topology's `host`. */
  name: string;
  /** The scheduler's own state word (`idle`, `mixed`, `allocated`, `down`, …). */
  state: string;
  flags: string[];
  /** Not schedulable: down, drained or draining, failed, or powered off. */
  down: boolean;
  /**
   * Down but still running jobs (Slurm's DRAIN flag on an allocated or mixed node): the jobs keep
   * their GPUs until they end; only the node's free GPUs are out of service.
   */
  draining?: boolean;
  reason: string;
  gpusConfigured: number;
  gpusAllocated: number;
}

export interface RunningJob {
  id: string;
  account: string;
  partition: string;
  user: string;
  /** The Kubernetes namespace of a pod told by dcgm-exporter's labels (domain/scheduler/kubernetes-allocation.ts); absent for Slurm jobs. */
  namespace?: string;
  /** GPU indices the job holds, per node. */
  gpus: Array<{ node: string; indices: number[] }>;
}

export interface PendingJob {
  id: string;
  account: string;
  partition: string;
  user: string;
  /** GPUs it asks for in all (per node × nodes, plus per job). */
  gpus: number;
  priority: number;
  /** The scheduler's expected start, unix ms; null when it has none. */
  expectedStartMs: number | null;
  reason: string;
  /** The reservation it is to run in (Slurm's `resv_name`), when it names one. */
  reservation?: string;
}

export interface Reservation {
  name: string;
  nodes: string[];
  startMs: number;
  endMs: number;
  flags: string[];
  /** A maintenance reservation (Slurm's MAINT flag): its nodes are down for its window. */
  maintenance: boolean;
  /** Accounts it admits (Slurm's `accounts`; `-name` excludes one); absent or [] when it names none. */
  accounts?: string[];
}

export interface SchedulerSnapshot {
  /** Which scheduler and API answered, e.g. `slurm` / `v0.0.38` / `22.05.8`. */
  scheduler: string;
  apiVersion: string;
  version: string;
  /** When the answers were read, on the collection clock, unix ms. */
  readAtMs: number;
  nodes: SchedulerNode[];
  running: RunningJob[];
  pending: PendingJob[];
  reservations: Reservation[];
  /** Items skipped because a field could not be read (named errors), for health. */
  skipped: string[];
}

/** GPUs all pending jobs ask for: the queue figure. */
export function pendingGpus(snapshot: SchedulerSnapshot): number {
  let sum = 0;
  for (const job of snapshot.pending) sum += job.gpus;
  return sum;
}
