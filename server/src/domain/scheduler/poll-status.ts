/**
 * Why a scheduler poll failed: a bounded label set (metrics) and the health reason's first word.
 * `worker`: the thread that reads and parses the answers died mid-poll (it is restarted).
 */
export const POLL_ERROR_REASONS = ['unreachable', 'timeout', 'auth', 'http', 'version', 'malformed', 'slurm_error', 'worker'] as const;
export type PollErrorReason = (typeof POLL_ERROR_REASONS)[number];

export interface SchedulerPollStatus {
  polls: number;
  /** Collection-clock ms of the last good poll. */
  lastOkAtMs: number | null;
  lastError: { reason: PollErrorReason; message: string; atMs: number } | null;
  consecutiveFailures: number;
}
