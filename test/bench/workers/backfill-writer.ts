/**
 * Benchmark 4's production-shaped backfill: ours (the backfill path into the rollup store) on a
 * worker thread with its own connection, as headroom.ts runs the start-up backfill, while the
 * main thread keeps writing. Rows arrive as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { closeDatabase, openDatabase } from '../../../server/src/store/db.js';
import { oursBackfill } from '../lib/rollup-workload.js';

const job = workerData as { file: string; fromS: number; steps: Array<[number, ScopeRollup[]]> };
const db = openDatabase(job.file);
parentPort?.postMessage('started');
const result = await oursBackfill(db, { fromS: job.fromS, byTs: new Map(job.steps), count: 0 });
closeDatabase(db);
parentPort?.postMessage(result);
