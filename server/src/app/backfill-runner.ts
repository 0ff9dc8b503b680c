import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Topology } from '../domain/fleet/topology.js';
import { BACKFILL_RESUME_KEY, backfillRange } from '../pipeline/collector/backfill.js';
import type { Checkpointer } from '../pipeline/store/checkpointer.js';
import type { Database } from '../pipeline/store/db.js';
import { createWriteGateBuffer, priorityWriter } from '../pipeline/store/write-gate.js';
import { attachWriteGate } from '../pipeline/store/write-transaction.js';
import type { BackfillJob, BackfillMessage } from '../workers/backfill-worker.js';

const BACKFILL_STEP_S = 300;

export interface BackfillDeps {
  config: Config;
  db: Database;
  dbFile: string;
  checkpointer: Checkpointer;
  /** Newest 5-minute bucket stored. */
  latestS: number | null;
  /** Where an interrupted backfill left its resume mark. */
  meta: { get(key: string): string | null };
  nowMs: number;
  /** Contracts' pods (as indexes) and terms, so the simulated past shows what was sold. */
  sold: BackfillJob['sold'];
  /** A site of its own in place of the preset's (StartOptions.topology). */
  topology?: Topology;
  log: Logger;
  onProgress: (p: { done: number; total: number } | null) => void;
}

/**
 * History the simulator knows, written on the second core while the first rounds run here;
 * this thread's writes pass the gate first (pipeline/store/write-gate.ts). Resolves to the
 * backfill's error, or null: it is awaited after the first rounds, and caught now so a failure
 * is not an unhandled rejection meanwhile.
 */
export function startBackfill(deps: BackfillDeps): Promise<unknown> {
  const { config } = deps;
  if (!config.sim.enabled || config.backfillDays <= 0) return Promise.resolve(null);
  const job: BackfillJob = {
    dbFile: deps.dbFile,
    gate: createWriteGateBuffer(),
    preset: config.preset,
    ...(config.siteFile ? { layout: config.siteFile.layout } : {}),
    scenario: config.sim.scenario,
    seed: config.sim.seed,
    ...backfillRange({
      latestS: deps.latestS,
      resumeMark: deps.meta.get(BACKFILL_RESUME_KEY),
      nowS: Math.floor(deps.nowMs / 1000),
      days: config.backfillDays,
      stepS: BACKFILL_STEP_S,
    }),
    stepS: BACKFILL_STEP_S,
    podEvery: 3,
    sold: deps.sold,
    ...(deps.topology ? { topology: deps.topology } : {}),
  };
  return runBackfill(deps, job).then(
    () => null,
    (error: unknown) => error,
  );
}

/**
 * Runs the backfill worker; until it is done, `db`'s write transactions pass the write gate
 * (write-gate.ts) and the checkpointer holds no write lock (PASSIVE only), so nothing but the
 * worker's short transactions stands between this thread's writes and the lock.
 * `onProgress` hears each progress message, then null when done.
 */
function runBackfill(deps: BackfillDeps, job: BackfillJob): Promise<void> {
  const { log, onProgress } = deps;
  const started = Date.now();
  const detachGate = attachWriteGate(deps.db, priorityWriter(job.gate));
  deps.checkpointer.passiveOnly(true);
  let settled = false;
  const backfillOver = (): void => {
    if (settled) return;
    settled = true;
    detachGate();
    deps.checkpointer.passiveOnly(false);
  };
  const worker = new Worker(new URL('../workers/backfill-worker.mjs', import.meta.url), { workerData: job });
  worker.once('exit', backfillOver);
  let lastReported = -1;
  return new Promise((resolve, reject) => {
    worker.on('message', (message: BackfillMessage) => {
      if (message.type === 'done') {
        backfillOver();
        log.info({ rows: message.rows, days: ((job.toS - job.fromS) / 86_400).toFixed(1), ms: Date.now() - started }, 'backfill done');
        onProgress(null);
        resolve();
        return;
      }
      onProgress({ done: message.done, total: message.total });
      const pct = Math.floor((message.done / message.total) * 10) * 10;
      if (pct !== lastReported) log.info({ done: message.done, total: message.total }, `backfilling simulated history: ${pct}%`);
      lastReported = pct;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`backfill worker exited with code ${code}`));
    });
  });
}

/** Contracts' pods as the simulator's pod indexes, with their terms (the backfill job's `sold`). */
export function soldPodsOf(
  topology: Topology,
  contracts: ReadonlyArray<{ pods: readonly string[]; start: string; end: string; status: string }>,
): BackfillJob['sold'] {
  const podIndexById = new Map(topology.pods.map((p, i) => [p.id, i]));
  return contracts.map((c) => ({ pods: c.pods.map((id) => podIndexById.get(id) ?? -1), start: c.start, end: c.end, status: c.status }));
}
