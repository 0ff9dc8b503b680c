import { Counter, Gauge, type Registry } from 'prom-client';
import { POLL_ERROR_REASONS, type PollErrorReason } from '../../domain/scheduler/poll-status.js';
import { schedulerHealth, type SchedulerView } from '../../domain/scheduler/scheduler-report.js';
import { pendingGpus } from '../../domain/scheduler/scheduler-snapshot.js';

/**
 * The scheduler source's families: poll failures by reason (a bounded set), whether allocation
 * is fresh, the queue figure, and GPUs by how their state was told. Gauges read the view at
 * scrape time; with no scheduler configured they are absent.
 */
export function schedulerMetrics(
  registry: Registry,
  deps: {
    configured: boolean;
    view: () => SchedulerView | null;
    toldBy: () => { scheduler: number; telemetry: number } | null;
    nowMs: () => number;
  },
) {
  const { view, toldBy, nowMs } = deps;
  const registers = [registry];
  const errors = new Counter({
    name: 'headroom_scheduler_poll_errors_total',
    help: 'Scheduler polls that failed, by reason (unreachable, timeout, auth, http, version, malformed, slurm_error, worker).',
    labelNames: ['reason'],
    registers,
  });
  const polls = new Counter({ name: 'headroom_scheduler_polls_total', help: 'Scheduler polls made.', registers });
  const read = (): SchedulerView | null => view();
  new Gauge({
    name: 'headroom_scheduler_up',
    help: '1 when the allocation in use is fresh (a good scheduler answer within the stale bound), else 0.',
    registers,
    collect() {
      const v = read();
      this.reset();
      if (!v) return;
      const state = schedulerHealth(v, nowMs()).state;
      this.set(state === 'ok' || state === 'degraded' || state === 'failing' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'headroom_scheduler_allocation_age_seconds',
    help: 'Age of the allocation in use (time since the last good scheduler answer), seconds.',
    registers,
    collect() {
      const snapshot = read()?.snapshot;
      this.reset();
      if (snapshot) this.set(Math.max(0, (nowMs() - snapshot.readAtMs) / 1000));
    },
  });
  new Gauge({
    name: 'headroom_scheduler_pending_gpus',
    help: 'GPUs the pending jobs ask for (the queue figure), at the last good answer.',
    registers,
    collect() {
      const snapshot = read()?.snapshot;
      this.reset();
      if (snapshot) this.set(pendingGpus(snapshot));
    },
  });
  new Gauge({
    name: 'headroom_scheduler_maintenance_nodes',
    help: 'Nodes down for a maintenance reservation in its window.',
    registers,
    collect() {
      const allocation = read()?.allocation;
      this.reset();
      if (allocation) this.set(allocation.maintenanceNodes);
    },
  });
  new Gauge({
    name: 'headroom_scheduler_jobs_on_unknown_nodes',
    help: 'Running jobs on nodes the topology lacks (counted, not placed).',
    registers,
    collect() {
      const allocation = read()?.allocation;
      this.reset();
      if (allocation) this.set(allocation.jobsOnUnknownNodes);
    },
  });
  new Gauge({
    name: 'headroom_gpus_told_by',
    help: 'GPUs by how their state was told: `scheduler` (allocation) or `telemetry` alone.',
    labelNames: ['source'],
    registers,
    collect() {
      const figures = toldBy();
      this.reset();
      if (!figures) return;
      this.set({ source: 'scheduler' }, figures.scheduler);
      this.set({ source: 'telemetry' }, figures.telemetry);
    },
  });
  // Every reason at zero from the start, so rate() sees the first failure.
  if (deps.configured) for (const reason of POLL_ERROR_REASONS) errors.inc({ reason }, 0);
  return {
    polled(outcome: { ok: true } | { ok: false; reason: PollErrorReason }): void {
      polls.inc();
      if (!outcome.ok) errors.inc({ reason: outcome.reason });
    },
  };
}
