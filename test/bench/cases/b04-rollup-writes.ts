/**
 * Benchmark 4 — SQLite rollup writes against better-sqlite3's own ceiling on the same rows,
 * on a fresh database and on one whose pod table already holds ≥ 10M rows; the longest write
 * transaction; and the longest event-loop block.
 *
 * Rows: one simulated Colossus day at 5 minutes (13 site/hall + 768 pod rows a bucket). Ours
 * and the ceiling run in this process, one after the other (order alternating between
 * repetitions), each into its own fresh database, then both into one copy of the 10M-row
 * database, on two different days after its history. Ours runs as the server runs its start-up
 * backfill (rollup-workload.ts: its own connection and pragmas, the checkpoint worker beside it).
 * Transactions: ours' backfill transactions (BEGIN to COMMIT, not counting the wait at the write
 * gate), and live collector transactions at 10M rows — a 5-minute bucket (781 rows) and an hour's
 * per-GPU blobs (196,608 GPUs) in the slices the collector writes them in (HISTORY_WRITE_ROWS rows
 * or chunks each). Event loop: monitorEventLoopDelay on the main thread while ours backfills a
 * day on a worker thread (its own connection, passing the write gate, checkpoints PASSIVE only —
 * as headroom.ts runs the start-up backfill) and the main thread writes a live minute every
 * 50 ms through writeTransaction with the gate attached (each write waits at the gate for at
 * most the worker's transaction in progress).
 */
import { benchPreset } from '../lib/topologies.js';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { HISTORY_WRITE_ROWS } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { startCheckpointer } from '../../../server/src/pipeline/store/checkpointer.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { GPU_CHUNK_SLOTS } from '../../../server/src/pipeline/store/gpu-history-store.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { createWriteGateBuffer, priorityWriter, writeGateCounts } from '../../../server/src/pipeline/store/write-gate.js';
import { attachWriteGate, writeTransaction } from '../../../server/src/pipeline/store/write-transaction.js';
import { benchMain, type ChildResult } from '../lib/child.js';
import { benchSimulator } from '../lib/ingest-workload.js';
import { BIG_END_TS, ceilingInsert, oursBackfillAsServer, simRows, STEP_S, type DayRows } from '../lib/rollup-workload.js';
import { sleep } from '../lib/processes.js';

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const dir = join(workDir, `b04-rep${rep}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sim = benchSimulator(buildPreset(benchPreset()));
  const days = quick ? 0.25 : 1;
  const dayA = simRows(sim, BIG_END_TS, days);
  const dayB = simRows(sim, BIG_END_TS + days * 86_400, days);
  const oursFirst = rep % 2 === 0;

  // Fresh databases.
  const fresh = async () => {
    const oursDb = openDatabase(join(dir, 'fresh-ours.db'));
    const ceilDb = openDatabase(join(dir, 'fresh-ceiling.db'));
    let ours: Awaited<ReturnType<typeof oursBackfillAsServer>>;
    let ceil: ReturnType<typeof ceilingInsert>;
    if (oursFirst) {
      ours = await oursBackfillAsServer(oursDb, dayA);
      ceil = ceilingInsert(ceilDb, dayA);
    } else {
      ceil = ceilingInsert(ceilDb, dayA);
      ours = await oursBackfillAsServer(oursDb, dayA);
    }
    closeDatabase(oursDb);
    closeDatabase(ceilDb);
    return { ours, ceil };
  };
  const f = await fresh();

  // The 10M-row database: ours writes one day, the ceiling the next (or the other way round).
  const bigFile = join(dir, 'big.db');
  copyFileSync(join(workDir, 'prep-10m', 'headroom.db'), bigFile);
  const big = openDatabase(bigFile);
  const tableRows = big.prepare<[], number>('SELECT count(*) FROM rollup_5m').pluck().get() ?? 0;
  let bigOurs: Awaited<ReturnType<typeof oursBackfillAsServer>>;
  let bigCeil: ReturnType<typeof ceilingInsert>;
  if (oursFirst) {
    bigOurs = await oursBackfillAsServer(big, dayA);
    bigCeil = ceilingInsert(big, dayB);
  } else {
    bigCeil = ceilingInsert(big, dayA);
    bigOurs = await oursBackfillAsServer(big, dayB);
  }

  // Live collector transactions at ≥ 10M rows, after both days, in the collector's shape: a closed
  // bucket and a closed hour in transactions of HISTORY_WRITE_ROWS rows / chunks, the WAL
  // checkpointed on a worker thread (as the server runs).
  const stores = createStores(big);
  const checkpointer = startCheckpointer(big, 1_000, { error: () => {} });
  const liveMs: number[] = [];
  const liveFrom = BIG_END_TS + 2 * days * 86_400;
  const template = dayA.byTs.values().next().value ?? [];
  for (let k = 0; k < 12; k++) {
    const ts = liveFrom + k * STEP_S;
    const rows = template.map((r) => ({ ...r, ts }));
    const pods = rows.filter((r) => r.scope.startsWith('pod:'));
    const slices: Array<['1m' | '5m', ScopeRollup[]]> = [['1m', rows.filter((r) => !r.scope.startsWith('pod:'))]];
    for (let i = 0; i < pods.length; i += HISTORY_WRITE_ROWS) slices.push(['5m', pods.slice(i, i + HISTORY_WRITE_ROWS)]);
    for (const [resolution, slice] of slices) {
      const t0 = performance.now();
      writeTransaction(big, () => stores.rollups.write(resolution, slice))();
      liveMs.push(performance.now() - t0);
      await sleep(0);
    }
  }
  const gpus = 196_608;
  const util = new Float32Array(gpus).map((_, i) => (i % 100) / 100);
  const power = new Float32Array(gpus).map((_, i) => 70 + (i % 600));
  const hourMs: number[] = [];
  for (let h = 0; h < 3; h++) {
    for (let from = 0; from < gpus; from += HISTORY_WRITE_ROWS * GPU_CHUNK_SLOTS) {
      const t0 = performance.now();
      writeTransaction(big, () =>
        stores.gpuHistory.writeHour(liveFrom + h * 3_600, util, power, Math.min(gpus, from + HISTORY_WRITE_ROWS * GPU_CHUNK_SLOTS), from),
      )();
      hourMs.push(performance.now() - t0);
      await sleep(0);
    }
  }
  await checkpointer.stop();
  closeDatabase(big);

  // Production shape: the backfill on a worker, live writes on the main thread, the loop watched.
  const loop = await workerBackfillWithLiveWrites(join(dir, 'worker.db'), dayA);

  const rate = (w: { rows: number; ms: number }): number => w.rows / (w.ms / 1000);
  return {
    metrics: {
      freshOursRowsPerS: rate(f.ours),
      freshCeilingRowsPerS: rate(f.ceil),
      freshRatio: rate(f.ours) / rate(f.ceil),
      bigOursRowsPerS: rate(bigOurs),
      bigCeilingRowsPerS: rate(bigCeil),
      bigRatio: rate(bigOurs) / rate(bigCeil),
      bigTableRows: tableRows,
      rowsPerWrite: f.ours.rows,
      backfillTxMaxMs: Math.max(...f.ours.transactionsMs, ...bigOurs.transactionsMs),
      backfillTxCount: bigOurs.transactionsMs.length,
      liveBucketTxMaxMs: Math.max(...liveMs),
      liveHourTxMaxMs: Math.max(...hourMs),
      loopMaxMs: loop.loopMaxMs,
      loopLiveWriteMaxMs: loop.liveWriteMaxMs,
      loopLiveWrites: loop.liveWrites,
      workerTxMaxMs: loop.workerTxMaxMs,
      loopLiveWaitedAtGate: loop.liveWaitedAtGate,
      loopWorkerYields: loop.workerYields,
      loopGateTimeouts: loop.gateTimeouts,
    },
    samples: { liveBucketTxMs: liveMs, liveHourTxMs: hourMs, backfillTxMs: bigOurs.transactionsMs },
  };
});

async function workerBackfillWithLiveWrites(
  file: string,
  rows: DayRows,
): Promise<{
  loopMaxMs: number;
  liveWriteMaxMs: number;
  liveWrites: number;
  workerTxMaxMs: number;
  liveWaitedAtGate: number;
  workerYields: number;
  gateTimeouts: number;
}> {
  const db = openDatabase(file);
  const stores = createStores(db);
  const checkpointer = startCheckpointer(db, 1_000, { error: () => {} });
  const steps: Array<[number, ScopeRollup[]]> = [...rows.byTs.entries()];
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  // As headroom.ts runs it: this thread's write transactions pass the gate the worker yields to.
  const gate = createWriteGateBuffer();
  const detachGate = attachWriteGate(db, priorityWriter(gate));
  checkpointer.passiveOnly(true);
  const worker = new Worker(new URL('../workers/backfill-writer.mjs', import.meta.url), {
    workerData: { file, gate, fromS: rows.fromS, steps },
  });
  // The worker posts 'started', then its result.
  const done = new Promise<{ transactionsMs: number[] }>((resolve, reject) => {
    worker.on('message', (m: unknown) => {
      if (m !== 'started') resolve(m as { transactionsMs: number[] });
    });
    worker.once('error', reject);
  });
  let finished = false;
  void done.finally(() => (finished = true));
  // Watch from the moment the worker starts writing (it says so) to the moment it is done.
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  histogram.enable();
  const coarse = (rows.byTs.values().next().value ?? []).filter((r) => !r.scope.startsWith('pod:'));
  let minute = rows.fromS - 86_400;
  let liveWriteMaxMs = 0;
  let liveWrites = 0;
  while (!finished) {
    const ts = (minute += 60);
    const t0 = performance.now();
    writeTransaction(db, () =>
      stores.rollups.write(
        '1m',
        coarse.map((r) => ({ ...r, ts })),
      ),
    )();
    liveWriteMaxMs = Math.max(liveWriteMaxMs, performance.now() - t0);
    liveWrites++;
    await sleep(50);
  }
  histogram.disable();
  const result = await done;
  await worker.terminate();
  detachGate();
  checkpointer.passiveOnly(false);
  const counts = writeGateCounts(gate);
  await checkpointer.stop();
  closeDatabase(db);
  return {
    loopMaxMs: histogram.max / 1e6,
    liveWriteMaxMs,
    liveWrites,
    workerTxMaxMs: Math.max(...result.transactionsMs),
    liveWaitedAtGate: counts.mainWaits,
    workerYields: counts.workerYields,
    gateTimeouts: counts.mainTimeouts,
  };
}
