import { once } from 'node:events';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackfillJob, BackfillMessage } from '../../../server/src/workers/backfill-worker.js';
import { createCollector } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { IngestBatch } from '../../../server/src/domain/fleet/readings.js';
import { createAuditStore } from '../../../server/src/pipeline/store/audit-store.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { createTokenStore } from '../../../server/src/pipeline/store/token-store.js';
import { createWriteGateBuffer, priorityWriter, writeGateCounts } from '../../../server/src/pipeline/store/write-gate.js';
import { attachWriteGate, writeTransaction } from '../../../server/src/pipeline/store/write-transaction.js';
import { tempDir } from '../helpers/harness.js';

const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
});

/** A pushed batch of one GPU on a node of its own (a new host: an identity write too). */
function batch(i: number): IngestBatch {
  const sample = {
    uuid: `GPU-gate-${i}`,
    host: `pushed-${i}`,
    index: 0,
    modelName: null,
    utilPercent: 50,
    powerWatts: 300,
    memUsedMiB: 1_000,
    memTotalMiB: 80_000,
    xid: 0,
    offsetMs: 0,
  };
  return { samples: [sample], nodes: [], meters: [] };
}

describe('the write gate', () => {
  it('lets a main-thread write wait only for the worker transaction already running, and holds the next one back until it is done', async () => {
    const gate = createWriteGateBuffer();
    const control = new SharedArrayBuffer(8);
    const worker = new Worker(new URL('./workers/gate-order.mjs', import.meta.url), { workerData: { gate, control } });
    workers.push(worker);
    const [first] = (await once(worker, 'message')) as [string];
    expect(first).toBe('first began');
    const log = once(worker, 'message');
    const main = priorityWriter(gate);
    // Blocks this thread until the worker's first transaction has ended.
    main.enter();
    const inside = writeGateCounts(gate);
    Atomics.store(new Int32Array(control), 0, 1);
    main.leave();
    expect(((await log) as [string[]])[0]).toEqual(['first ended with the main thread waiting', 'second began after the main write']);
    // While the main thread wrote, the worker's second transaction had not begun.
    expect(inside).toMatchObject({ mainWanting: 1, mainWrites: 1, mainWaits: 1, workerWrites: 1 });
    expect(writeGateCounts(gate)).toMatchObject({ mainWanting: 0, mainTimeouts: 0, workerWrites: 2 });
  });

  it("keeps every main-thread write out of SQLite's busy handler while the start-up backfill writes on its worker", async () => {
    const file = join(tempDir(), 'gate.db');
    const db = openDatabase(file);
    // With no busy timeout, a write that found the worker holding the lock would throw SQLITE_BUSY
    // instead of waiting: every write below passing shows none of them waited for the lock.
    db.pragma('busy_timeout = 0');
    const stores = createStores(db);
    const tokens = createTokenStore(db);
    const audit = createAuditStore(db);
    const transaction = <T>(work: () => T): T => writeTransaction(db, work)();
    const collector = createCollector({ topology: buildPreset('small'), ports: { ...stores, transaction }, staleAfterMs: 60_000 });

    const gate = createWriteGateBuffer();
    const detach = attachWriteGate(db, priorityWriter(gate));
    const nowS = Math.floor(Date.parse('2026-11-27T12:00:00Z') / 1000);
    const job: BackfillJob = {
      dbFile: file,
      gate,
      preset: 'small',
      scenario: 'flat',
      seed: 7,
      fromS: nowS - 60 * 86_400,
      toS: nowS - 300,
      stepS: 300,
      podEvery: 3,
      sold: [],
    };
    const worker = new Worker(new URL('../../../server/src/workers/backfill-worker.mjs', import.meta.url), { workerData: job });
    workers.push(worker);
    let progress = 0;
    let rows: number | null = null;
    let failure: unknown = null;
    worker.on('message', (m: BackfillMessage) => {
      if (m.type === 'progress') progress++;
      else rows = m.rows;
    });
    worker.once('error', (error) => (failure = error));

    // The production writers of the start-up window, each in its own transaction, until the worker is done.
    let i = 0;
    let whileBackfilling = 0;
    let tMs = nowS * 1000;
    while (rows === null && failure === null) {
      const backfilling = progress > 0;
      await collector.push(batch(i), 'test', { key: `key-${i}`, scope: 'test', digest: String(i) }, tMs); // journal group commit + identity
      collector.tick(tMs); // history of the pushed GPUs (minute buckets close every 6th turn)
      await collector.writeHistory();
      tokens.insert({
        id: `t${i}`,
        name: `token ${i}`,
        role: 'viewer',
        hash: Buffer.alloc(32, i % 256),
        createdAtMs: tMs,
        createdBy: 'test',
      });
      tokens.touch(`t${i}`, tMs);
      audit.record({ atMs: tMs, actor: 'test', action: 'POST /api/v1/tokens', target: `/api/v1/tokens/t${i}`, status: 201, detail: null });
      if (backfilling && rows === null) whileBackfilling++;
      i++;
      tMs += 10_000;
      await nextTurn();
    }
    expect(failure).toBeNull();
    detach();
    const counts = writeGateCounts(gate);
    // Main-thread writes ran while the worker was writing, and all of them passed the gate.
    expect(whileBackfilling).toBeGreaterThan(0);
    expect(counts.mainWrites).toBeGreaterThanOrEqual(4 * i);
    expect(counts.mainTimeouts).toBe(0);
    expect(counts.mainWanting).toBe(0);
    expect(counts.workerWrites).toBeGreaterThanOrEqual(120);
    // Everything arrived: the backfill's rows and the main thread's.
    const stored = db.prepare<[], number>('SELECT (SELECT count(*) FROM rollup_1m) + (SELECT count(*) FROM rollup_5m)').pluck().get() ?? 0;
    expect(stored).toBeGreaterThanOrEqual(rows ?? Number.POSITIVE_INFINITY);
    expect(db.prepare('SELECT count(*) FROM api_tokens').pluck().get()).toBe(i);
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(i);
    closeDatabase(db);
  });
});
