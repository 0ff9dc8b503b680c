import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { CheckpointCommand, CheckpointJob, CheckpointMessage } from './checkpoint-protocol.js';
import type { Database } from './db.js';

export interface Checkpointer {
  /** The newest checkpoint's result (null before the first). */
  last(): Extract<CheckpointMessage, { type: 'checkpoint' }> | null;
  /**
   * PASSIVE checkpoints only (never holding the write lock) until called with false: while a
   * background writer that passes the write gate runs (checkpoint-worker.ts says why).
   */
  passiveOnly(on: boolean): void;
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the main thread (checkpoint-worker.ts says why): turns the main
 * connection's automatic checkpoints off and starts the worker; `stop` turns them back on.
 */
export function startCheckpointer(db: Database, intervalMs: number, log: { error(obj: object, msg: string): void }): Checkpointer {
  const job: CheckpointJob = { dbFile: db.name, intervalMs };
  const worker = new Worker(new URL('../../workers/checkpoint-worker.mjs', import.meta.url), { workerData: job });
  db.pragma('wal_autocheckpoint = 0');
  let last: Extract<CheckpointMessage, { type: 'checkpoint' }> | null = null;
  let failing = false;
  worker.on('message', (message: CheckpointMessage) => {
    if (message.type === 'checkpoint') {
      last = message;
      failing = false;
    } else if (!failing) {
      // Once per failing spell: a locked or full disk would otherwise log every interval.
      failing = true;
      log.error({ error: message.message }, 'WAL checkpoint failed (the WAL grows until one succeeds)');
    }
  });
  worker.on('error', (error) => log.error({ err: error }, 'checkpoint worker failed'));
  return {
    last: () => last,
    passiveOnly: (on) => worker.postMessage({ passiveOnly: on } satisfies CheckpointCommand),
    async stop() {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
      const exited = once(worker, 'exit');
      worker.postMessage('stop' satisfies CheckpointCommand);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      await worker.terminate();
    },
  };
}
