import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';
import type { PollErrorReason, SchedulerPollStatus } from '../../domain/scheduler/poll-status.js';
import { SchedulerPollError } from './slurmrestd-client.js';

/**
 * Polls a scheduler on its own interval (not the collection round's) and keeps the last good
 * snapshot: a failed poll keeps it, so allocation turns stale by age (domain/scheduler/allocation.ts)
 * rather than vanishing. Never throws; each failure goes to `onError` with its reason.
 */
export function createSchedulerPoller(opts: {
  read: (readAtMs: number) => Promise<SchedulerSnapshot>;
  intervalMs: number;
  now: () => number;
  onPoll?: (outcome: { ok: true; snapshot: SchedulerSnapshot } | { ok: false; reason: PollErrorReason; message: string }) => void;
}) {
  let latest: SchedulerSnapshot | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const status: SchedulerPollStatus = { polls: 0, lastOkAtMs: null, lastError: null, consecutiveFailures: 0 };

  async function poll(): Promise<void> {
    const atMs = opts.now();
    status.polls++;
    try {
      latest = await opts.read(atMs);
      status.lastOkAtMs = atMs;
      status.consecutiveFailures = 0;
      opts.onPoll?.({ ok: true, snapshot: latest });
    } catch (error) {
      const reason: PollErrorReason = error instanceof SchedulerPollError ? error.reason : 'malformed';
      const message = error instanceof Error ? error.message : String(error);
      status.lastError = { reason, message, atMs };
      status.consecutiveFailures++;
      opts.onPoll?.({ ok: false, reason, message });
    }
  }

  /** One poll now (a poll already under way is joined, not doubled). */
  function pollNow(): Promise<void> {
    running ??= poll().finally(() => (running = null));
    return running;
  }

  return {
    pollNow,
    latest: (): SchedulerSnapshot | null => latest,
    status: (): SchedulerPollStatus => ({ ...status }),
    start(): void {
      const loop = (): void => {
        void pollNow().finally(() => {
          if (timer !== null) timer = setTimeout(loop, opts.intervalMs);
        });
      };
      timer = setTimeout(loop, 0);
    },
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}

export type SchedulerPoller = ReturnType<typeof createSchedulerPoller>;
