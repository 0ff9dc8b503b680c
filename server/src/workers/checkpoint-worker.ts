import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointCommand, CheckpointJob, CheckpointMessage } from '../pipeline/store/checkpoint-protocol.js';

/**
 * WAL checkpoints on the second core: the main connection runs with wal_autocheckpoint=0, so no
 * request or collection round ever pays for copying the WAL into the database file (30–40 ms at
 * Colossus scale, measured); this thread's own connection does it every `intervalMs`. PASSIVE
 * never waits for readers or writers, so it cannot stall them either; the WAL is reset (and
 * shrunk to journal_size_limit) by the next writer once a checkpoint got through to its end.
 * Under steady writes a PASSIVE checkpoint seldom gets to the end (frames keep arriving while
 * it copies), so once the WAL holds more than RESTART_ABOVE_FRAMES a RESTART checkpoint follows:
 * it holds writers off only while it copies what arrived since the PASSIVE one, then the next
 * writer starts the WAL over. Measured without it: 24 MB of WAL and growing under 5 ms writes.
 * While the start-up backfill writes, the server asks for PASSIVE only (`{ passiveOnly: true }`):
 * a RESTART would hold the write lock, and the server's writes would wait for it in SQLite's busy
 * handler, on the event loop — the backfill passes a write gate, a checkpoint does not. The WAL
 * grows meanwhile — 170–270 MB over a 14-day Colossus backfill, measured (57 MB with RESTARTs;
 * PASSIVE checkpoints run alongside but never catch up with a writer that does not pause) — and
 * is reset, and cut back to journal_size_limit, by the first write after the backfill.
 */
const RESTART_ABOVE_FRAMES = 2048;
const job = workerData as CheckpointJob;
const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs as a worker thread');
const db = new BetterSqlite3(job.dbFile);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
let passiveOnly = false;
const timer = setInterval(() => {
  const started = performance.now();
  try {
    let [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (row && row.log > RESTART_ABOVE_FRAMES && !passiveOnly) [row] = db.pragma('wal_checkpoint(RESTART)') as (typeof row)[];
    port.postMessage({
      type: 'checkpoint',
      busy: row?.busy ?? 0,
      log: row?.log ?? 0,
      checkpointed: row?.checkpointed ?? 0,
      ms: performance.now() - started,
    } satisfies CheckpointMessage);
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies CheckpointMessage);
  }
}, job.intervalMs);

port.on('message', (message: CheckpointCommand) => {
  if (typeof message === 'object') {
    passiveOnly = message.passiveOnly;
    return;
  }
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
