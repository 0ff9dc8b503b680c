import type { PollErrorReason } from '../../domain/scheduler/poll-status.js';
import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';

/** Messages between the Slurm read thread (slurm-read-thread.ts) and its worker (workers/slurm-read-worker.ts). */
export type SlurmAnswerTexts = { nodes: string; jobs: string; reservations: string };

/** What to read: a slurmrestd over HTTP, or the answers' text at hand (the simulated scheduler's). */
export type SlurmReadSource =
  { kind: 'rest'; url: string; user: string; token: string; timeoutMs: number } | { kind: 'texts'; texts: SlurmAnswerTexts };

export interface SlurmReadRequest {
  id: number;
  readAtMs: number;
  source: SlurmReadSource;
}

export type SlurmReadReply =
  { id: number; ok: true; snapshot: SchedulerSnapshot } | { id: number; ok: false; reason: PollErrorReason; message: string };
