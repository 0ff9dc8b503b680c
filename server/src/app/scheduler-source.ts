import type { Config } from '../config.js';
import type { SchedulerView, TenancyView } from '../domain/scheduler/scheduler-report.js';
import { createSchedulerPoller, type SchedulerPoller } from '../pipeline/scheduler/scheduler-poller.js';
import { createSlurmJwt } from '../pipeline/scheduler/slurm-jwt.js';
import type { SlurmAnswerTexts } from '../pipeline/scheduler/slurm-read-protocol.js';
import { createSlurmReadThread } from '../pipeline/scheduler/slurm-read-thread.js';
import { SchedulerPollError } from '../pipeline/scheduler/slurmrestd-client.js';
import type { AllocationReport } from '../domain/scheduler/allocation.js';
import type { PollErrorReason } from '../domain/scheduler/poll-status.js';

export type { SchedulerPoller };

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The Slurm poller (null when config.slurm is): slurmrestd at SLURM_REST_URL, else the
 * simulator's scheduler, its slurmrestd answers (`simTexts`) read by the same adapter. Either is
 * read on a worker thread (slurm-read-thread.ts), on its own interval; each outcome is counted and
 * a change of health logged once, not every poll.
 */
export function slurmSource(
  config: Config,
  deps: {
    now: () => number;
    log: Log;
    polled: (o: { ok: true } | { ok: false; reason: PollErrorReason }) => void;
    /** The simulated scheduler's answers at the last round (null before the first). */
    simTexts?: () => Promise<SlurmAnswerTexts | null>;
  },
): (SchedulerPoller & { close(): Promise<void> }) | null {
  const slurm = config.slurm;
  if (!slurm) return null;
  // The socket and parse get the timeout; a read thread silent for long past it is stuck.
  const thread = createSlurmReadThread({ deadlineMs: 3 * slurm.timeoutMs + 60_000 });
  let read: (readAtMs: number) => ReturnType<typeof thread.read>;
  let where: string;
  if (slurm.source === 'rest') {
    where = slurm.url;
    const jwt = createSlurmJwt(slurm.tokenFile ? { file: slurm.tokenFile } : { token: slurm.token ?? '' });
    const once = async (readAtMs: number) => {
      const token = await jwt.current().catch((error: Error) => {
        throw new SchedulerPollError('auth', `SLURM_JWT_FILE: ${error.message}`);
      });
      return thread.read({ kind: 'rest', url: slurm.url, user: slurm.user, token, timeoutMs: slurm.timeoutMs }, readAtMs);
    };
    // A refused token may have been rotated since it was read: read the file again and retry once.
    read = (readAtMs) =>
      once(readAtMs).catch((error: unknown) => {
        if (!(error instanceof SchedulerPollError) || error.reason !== 'auth' || !slurm.tokenFile) throw error;
        jwt.refused();
        return once(readAtMs);
      });
  } else {
    where = 'simulated scheduler';
    read = async (readAtMs) => {
      const texts = await deps.simTexts?.();
      if (!texts) throw new SchedulerPollError('unreachable', 'the simulated scheduler has no round yet');
      return thread.read({ kind: 'texts', texts }, readAtMs);
    };
  }
  let failing = false;
  const poller = createSchedulerPoller({
    read,
    intervalMs: slurm.pollMs,
    now: deps.now,
    onPoll: (outcome) => {
      deps.polled(outcome);
      if (!outcome.ok && !failing) deps.log.warn({ reason: outcome.reason, error: outcome.message, source: where }, 'Slurm poll failed');
      if (outcome.ok && failing) deps.log.info({ source: where }, 'Slurm answers again');
      failing = !outcome.ok;
    },
  });
  return { ...poller, close: () => poller.stop().then(thread.close) };
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
