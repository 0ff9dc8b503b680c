import { parentPort, workerData } from 'node:worker_threads';
import { backfillTarget, openBackfillConnection } from '../pipeline/store/backfill-target.js';
import { backfillHistory } from '../pipeline/collector/backfill.js';
import type { PresetName } from '../domain/fleet/presets.js';
import type { SiteLayout } from '../domain/fleet/site-layout.js';
import { buildSite } from '../domain/fleet/site-topology.js';
import type { Topology } from '../domain/fleet/topology.js';
import { createSimulator, type ScenarioName } from '../sim/simulator.js';
import { isoDateOfMs } from '../domain/contracts/calendar.js';

/**
 * Start-up backfill on the second core: its own simulator (same seed, so the same site) and its
 * own connection to the database, while the main thread runs the first collection rounds. Its
 * transactions are short and pass a write gate shared with the main thread (pipeline/store/write-gate.ts),
 * so the main thread's writes never wait in SQLite's busy handler for it.
 */
export interface BackfillJob {
  dbFile: string;
  /** The write gate's shared state (createWriteGateBuffer); the main thread attaches the other side. */
  gate: SharedArrayBuffer;
  preset: PresetName;
  /** SITE_FILE's layout, which replaces the preset (plain data: it crosses to the worker by structured clone). */
  layout?: SiteLayout;
  scenario: ScenarioName;
  seed: number;
  fromS: number;
  toS: number;
  stepS: number;
  podEvery: number;
  /** Contracts' pods and terms, so the simulated past shows what was sold. */
  sold: Array<{ pods: number[]; start: string; end: string; status: string }>;
  /** In place of the preset's (structured-cloned into the worker). */
  topology?: Topology;
}

export type BackfillMessage = { type: 'progress'; done: number; total: number } | { type: 'done'; rows: number };

const job = workerData as BackfillJob;
const port = parentPort;
if (!port) throw new Error('backfill-worker.ts runs as a worker thread');
const db = openBackfillConnection(job.dbFile);
const target = backfillTarget(db, job.gate);
let soldMemo: { tMs: number; pods: Set<number> } | null = null;
/** Pods sold on the day of tMs; asked per pod, so worked out once per moment. */
function soldAt(tMs: number): Set<number> {
  if (soldMemo?.tMs === tMs) return soldMemo.pods;
  const day = isoDateOfMs(tMs);
  const pods = new Set(job.sold.filter((c) => c.status === 'active' && c.start <= day && day <= c.end).flatMap((c) => c.pods));
  soldMemo = { tMs, pods };
  return pods;
}
const sim = createSimulator({
  topology: job.topology ?? buildSite(job.layout ? { layout: job.layout } : { preset: job.preset }),
  scenario: job.scenario,
  seed: job.seed,
  soldPod: (pod, tMs) => soldAt(tMs).has(pod),
});
const rows = await backfillHistory({
  ...target,
  aggregateAt: (tMs) => sim.aggregateAt(tMs),
  fromS: job.fromS,
  toS: job.toS,
  stepS: job.stepS,
  podEvery: job.podEvery,
  onProgress: (done, total) => port.postMessage({ type: 'progress', done, total } satisfies BackfillMessage),
});
db.close();
port.postMessage({ type: 'done', rows } satisfies BackfillMessage);
