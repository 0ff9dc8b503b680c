import type { Config } from '../config.js';
import type { SchedulerView, TenancyView } from '../domain/scheduler/scheduler-report.js';
import { createSchedulerPoller, type SchedulerPoller } from '../pipeline/scheduler/scheduler-poller.js';

export type { SchedulerPoller };
import { createSlurmrestdClient } from '../pipeline/scheduler/slurmrestd-client.js';
import type { AllocationReport } from '../domain/scheduler/allocation.js';
import type { PollErrorReason } from '../domain/scheduler/poll-status.js';

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The Slurm poller when SLURM_REST_URL is set (else null): slurmrestd read on its own interval,
 * each outcome counted and a change of health logged once, not every poll.
 */
export function slurmSource(
  config: Config,
  deps: { now: () => number; log: Log; polled: (o: { ok: true } | { ok: false; reason: PollErrorReason }) => void },
): SchedulerPoller | null {
  const slurm = config.slurm;
  if (!slurm) return null;
  const client = createSlurmrestdClient({ url: slurm.url, user: slurm.user, token: slurm.token, timeoutMs: slurm.timeoutMs });
  let failing = false;
  return createSchedulerPoller({
    read: client.read,
    intervalMs: slurm.pollMs,
    now: deps.now,
    onPoll: (outcome) => {
      deps.polled(outcome);
      if (!outcome.ok && !failing)
        deps.log.warn({ reason: outcome.reason, error: outcome.message, url: slurm.url }, 'slurmrestd poll failed');
      if (outcome.ok && failing) deps.log.info({ url: slurm.url }, 'slurmrestd answers again');
      failing = !outcome.ok;
    },
  });
}

/** The view the API and metrics read: poller status and snapshot, the last round's allocation. */
export function schedulerView(
  poller: () => SchedulerPoller | null,
  staleAfterMs: number,
  allocation: () => AllocationReport | null,
  tenants: () => TenancyView | null = () => null,
) {
  return (): SchedulerView | null => {
    const p = poller();
    return p && { status: p.status(), snapshot: p.latest(), allocation: allocation(), staleAfterMs, tenants: tenants() };
  };
}
