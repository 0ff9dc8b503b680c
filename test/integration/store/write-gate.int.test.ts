import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createWriteGateBuffer, priorityWriter, writeGateCounts } from '../../../server/src/store/write-gate.js';

const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
});

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
});
