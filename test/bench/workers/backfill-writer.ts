/**
 * Benchmark 4's production-shaped backfill: ours (the backfill path into the rollup store) on a
 * worker thread with its own connection (backfill-target.ts: the start-up backfill's pragmas),
 * passing the write gate shared with the main thread, as headroom.ts runs the start-up backfill,
 * while the main thread keeps writing. Rows and the gate arrive as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { openBackfillConnection } from '../../../server/src/pipeline/store/backfill-target.js';
import { oursBackfill } from '../lib/rollup-workload.js';

const job = workerData as { file: string; gate: SharedArrayBuffer; fromS: number; steps: Array<[number, ScopeRollup[]]> };
const db = openBackfillConnection(job.file);
parentPort?.postMessage('started');
const result = await oursBackfill(db, { fromS: job.fromS, byTs: new Map(job.steps), count: 0 }, job.gate);
db.close();
parentPort?.postMessage(result);
