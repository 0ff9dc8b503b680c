import { Worker } from 'node:worker_threads';
import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';
import type { SlurmReadReply, SlurmReadRequest, SlurmReadSource } from './slurm-read-protocol.js';
import { SchedulerPollError } from './slurmrestd-client.js';

export interface SlurmReadThreadOptions {
  /** The worker's entry (default workers/slurm-read-worker.mjs). */
  workerUrl?: URL;
  /**
   * The worker's heap bound: an answer too big to parse in it kills the worker, not the process.
   * A Colossus poll peaks near 400 MB (docs/performance.md).
   */
  maxHeapMb?: number;
  /** A read with no reply by then fails as `timeout` and the worker is replaced (a parse that never ends). */
  deadlineMs: number;
}

/**
 * Reads Slurm on a worker thread (workers/slurm-read-worker.ts says why): one worker, started on
 * the first read and again after it dies. A worker that dies — out of memory, an uncaught error,
 * past the deadline — fails the reads under way with reason `worker` (or `timeout`); the next read
 * starts a new one. Only SchedulerPollError comes out of `read`.
 */
export function createSlurmReadThread(opts: SlurmReadThreadOptions) {
  const url = opts.workerUrl ?? new URL('../../workers/slurm-read-worker.mjs', import.meta.url);
  let worker: Worker | null = null;
  let nextId = 0;
  let starts = 0;
  const waiting = new Map<number, { resolve: (s: SchedulerSnapshot) => void; reject: (e: SchedulerPollError) => void }>();

  function failAll(from: Worker, error: SchedulerPollError): Promise<unknown> {
    if (worker !== from) return Promise.resolve();
    worker = null;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    return from.terminate();
  }

  function started(): Worker {
    if (worker) return worker;
    const w = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 1024 } });
    w.on('message', (reply: SlurmReadReply) => {
      const entry = waiting.get(reply.id);
      if (!entry) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) w.unref();
      if (reply.ok) entry.resolve(reply.snapshot);
      else entry.reject(new SchedulerPollError(reply.reason, reply.message));
    });
    w.on('error', (error) => void failAll(w, new SchedulerPollError('worker', `Slurm read thread died: ${error.message}`)));
    w.on('exit', (code) => void failAll(w, new SchedulerPollError('worker', `Slurm read thread exited (code ${code})`)));
    starts++;
    worker = w;
    return w;
  }

  return {
    /** The snapshot of `source` read at `readAtMs`; rejects with a SchedulerPollError only. */
    read(source: SlurmReadSource, readAtMs: number): Promise<SchedulerSnapshot> {
      const w = started();
      const id = ++nextId;
      return new Promise<SchedulerSnapshot>((resolve, reject) => {
        const deadline = setTimeout(
          () => void failAll(w, new SchedulerPollError('timeout', `Slurm read thread gave no answer in ${opts.deadlineMs} ms`)),
          opts.deadlineMs,
        );
        deadline.unref();
        const done =
          <T>(f: (v: T) => void) =>
          (v: T) => {
            clearTimeout(deadline);
            f(v);
          };
        waiting.set(id, { resolve: done(resolve), reject: done(reject) });
        w.ref();
        w.postMessage({ id, readAtMs, source } satisfies SlurmReadRequest);
      });
    },
    /** Workers started after the first (each one after a death). */
    restarts: (): number => Math.max(0, starts - 1),
    async close(): Promise<void> {
      if (worker) await failAll(worker, new SchedulerPollError('worker', 'Slurm read thread closed'));
    },
  };
}

export type SlurmReadThread = ReturnType<typeof createSlurmReadThread>;
