import type { AllocationReport } from './allocation.js';
import type { TenantAttribution } from './attribution.js';
import type { TenantsSource } from './tenants.js';
import type { KubernetesReport } from './kubernetes-allocation.js';
import type { SchedulerPollStatus } from './poll-status.js';
import { pendingGpus, type SchedulerSnapshot } from './scheduler-snapshot.js';

/** What the scheduler side knows at a moment: the poller's status, its last snapshot, the last round's allocation. */
export interface SchedulerView {
  status: SchedulerPollStatus;
  snapshot: SchedulerSnapshot | null;
  allocation: AllocationReport | null;
  staleAfterMs: number;
  /** The last round's tenants' share of the site; null while no scheduler covers any node. */
  tenants?: TenancyView | null;
}

export interface TenancyView {
  source: TenantsSource;
  attribution: TenantAttribution;
}

export type SchedulerHealthState = 'ok' | 'degraded' | 'failing' | 'stale' | 'waiting';

/** Pending jobs listed in the report (the figure counts them all). */
const QUEUE_LISTED = 100;

/**
 * The scheduler's health, in one state and a sentence: `waiting` (no answer yet), `ok`, `degraded`
 * (answers, but some of it could not be placed or read), `failing` (the last poll failed; the last
 * good allocation still stands), `stale` (no good answer for longer than the bound: states come
 * from telemetry, allocated GPUs are kept held).
 */
export function schedulerHealth(view: SchedulerView, nowMs: number): { state: SchedulerHealthState; reason: string | null } {
  const { status, snapshot, allocation } = view;
  const error = status.lastError;
  const lastError = error ? `${error.reason}: ${error.message}` : null;
  if (!snapshot) return { state: 'waiting', reason: lastError ?? 'no answer from the scheduler yet' };
  const ageS = Math.round((Math.max(nowMs, snapshot.readAtMs + (allocation?.ageMs ?? 0)) - snapshot.readAtMs) / 1000);
  // The last round's verdict when there is one, so health matches the states it produced.
  if (allocation?.stale ?? nowMs - snapshot.readAtMs > view.staleAfterMs)
    return {
      state: 'stale',
      reason: `no good answer for ${ageS} s (${lastError ?? 'no error recorded'}): states from telemetry, GPUs allocated at the last answer kept held`,
    };
  if (status.consecutiveFailures > 0 && lastError)
    return { state: 'failing', reason: `${lastError} (allocation from ${ageS} s ago still used)` };
  const problems: string[] = [];
  if (allocation?.unknownNodes)
    problems.push(`${allocation.unknownNodes} scheduler nodes not in the topology (${allocation.unknownNodeNames.join(', ')})`);
  if (allocation?.jobsOnUnknownNodes) problems.push(`${allocation.jobsOnUnknownNodes} running jobs on nodes not in the topology`);
  if (allocation?.unknownGpus) problems.push(`${allocation.unknownGpus} allocated GPU indices the topology's nodes lack`);
  if (snapshot.skipped.length) problems.push(`${snapshot.skipped.length} items unreadable (first: ${snapshot.skipped[0]})`);
  return problems.length ? { state: 'degraded', reason: problems.join('; ') } : { state: 'ok', reason: null };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Pending jobs and GPUs per account, most GPUs first (ties by name): every pending job, not only those listed. */
export function queueByAccount(snapshot: SchedulerSnapshot | null): Array<{ account: string; jobs: number; gpus: number }> {
  const byAccount = new Map<string, { account: string; jobs: number; gpus: number }>();
  for (const job of snapshot?.pending ?? []) {
    const entry = byAccount.get(job.account) ?? { account: job.account, jobs: 0, gpus: 0 };
    entry.jobs += 1;
    entry.gpus += job.gpus;
    byAccount.set(job.account, entry);
  }
  return [...byAccount.values()].sort((a, b) => b.gpus - a.gpus || a.account.localeCompare(b.account));
}

/** GPUs the scheduler configures on a reservation's nodes (a node it does not list counts none). */
function reservedGpus(configured: ReadonlyMap<string, number>, nodes: readonly string[]): number {
  return nodes.reduce((sum, name) => sum + (configured.get(name) ?? 0), 0);
}

/** The API's view of the scheduler: health, queue figure and listing, reservations; and what pod labels told. */
export function schedulerReport(view: SchedulerView | null, nowMs: number, kubernetes: KubernetesReport | null = null) {
  const k8s = kubernetes && { source: 'kubernetes' as const, ...kubernetes };
  if (!view) return { configured: false as const, kubernetes: k8s };
  const { snapshot, allocation, status } = view;
  const queue = snapshot ? [...snapshot.pending].sort((a, b) => b.priority - a.priority) : [];
  const gpusOn = new Map(snapshot?.nodes.map((n) => [n.name, n.gpusConfigured]));
  return {
    configured: true as const,
    kubernetes: k8s,
    scheduler: snapshot?.scheduler ?? null,
    apiVersion: snapshot?.apiVersion ?? null,
    version: snapshot?.version ?? null,
    health: schedulerHealth(view, nowMs),
    readAt: snapshot ? iso(snapshot.readAtMs) : null,
    staleAfterSeconds: view.staleAfterMs / 1000,
    polls: status.polls,
    consecutiveFailures: status.consecutiveFailures,
    lastError: status.lastError
      ? { reason: status.lastError.reason, message: status.lastError.message, at: iso(status.lastError.atMs) }
      : null,
    allocation: allocation && {
      stale: allocation.stale,
      nodesCovered: allocation.nodesCovered,
      allocatedGpus: allocation.allocatedGpus,
      downNodes: allocation.downNodes,
      maintenanceNodes: allocation.maintenanceNodes,
      unknownNodes: allocation.unknownNodes,
      jobsOnUnknownNodes: allocation.jobsOnUnknownNodes,
      unknownGpus: allocation.unknownGpus,
    },
    queue: {
      pendingJobs: queue.length,
      pendingGpus: snapshot ? pendingGpus(snapshot) : 0,
      byAccount: queueByAccount(snapshot),
      jobs: queue.slice(0, QUEUE_LISTED).map((j) => ({
        id: j.id,
        account: j.account,
        partition: j.partition,
        user: j.user,
        gpus: j.gpus,
        priority: j.priority,
        expectedStart: j.expectedStartMs === null ? null : iso(j.expectedStartMs),
        reason: j.reason,
      })),
    },
    tenants: tenantsReport(view.tenants ?? null),
    reservations: (snapshot?.reservations ?? []).map((r) => ({
      name: r.name,
      nodes: r.nodes,
      gpus: reservedGpus(gpusOn, r.nodes),
      start: iso(r.startMs),
      end: iso(r.endMs),
      flags: r.flags,
      maintenance: r.maintenance,
      active: nowMs >= r.startMs && nowMs < r.endMs,
    })),
  };
}

/** The API's `tenants`: the classes, teams (held first), customers and cross-checks of the last round. */
export function tenantsReport(view: TenancyView | null) {
  if (!view) return null;
  const { classes, toldBy, teams, customers, crossChecks } = view.attribution;
  return {
    source: view.source,
    classes,
    toldBy,
    teams: teams.map((t) => ({
      team: t.team,
      busy: t.busy,
      held: t.held,
      heldOverThreshold: t.heldOverThreshold,
      heldOverThresholdGpuHours: Math.round(t.heldOverThresholdGpuHours * 1000) / 1000,
      heldValueUsdPerMonth: t.heldValueUsdPerMonth,
    })),
    customers,
    crossChecks: {
      internalOnSoldGpus: crossChecks.internalOnSoldGpus,
      internalOnSoldPods: crossChecks.internalOnSoldPods,
      internalOnSoldTeams: crossChecks.internalOnSoldTeams,
      customerOnUnsoldGpus: crossChecks.customerOnUnsoldGpus,
      heldThresholdSeconds: crossChecks.heldThresholdSeconds,
    },
  };
}
