/** Messages between the checkpointer (checkpointer.ts) and its worker thread (workers/checkpoint-worker.ts). */
export interface CheckpointJob {
  dbFile: string;
  intervalMs: number;
}

export type CheckpointMessage =
  { type: 'checkpoint'; busy: number; log: number; checkpointed: number; ms: number } | { type: 'error'; message: string };

/** 'stop', or whether to checkpoint PASSIVE only (workers/checkpoint-worker.ts says why). */
export type CheckpointCommand = 'stop' | { passiveOnly: boolean };
