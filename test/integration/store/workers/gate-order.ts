/**
 * The background side of write-gate.int.test.ts's ordering test: a first transaction that stays
 * open until the main thread is waiting at the gate, then a second one that records whether the
 * main thread's write was done when it began.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { backgroundWriter, writeGateCounts } from '../../../../server/src/pipeline/store/write-gate.js';

const { gate, control } = workerData as { gate: SharedArrayBuffer; control: SharedArrayBuffer };
const mainDone = new Int32Array(control);
const port = parentPort;
if (!port) throw new Error('gate-order.ts runs as a worker thread');
const writer = backgroundWriter(gate);
const log: string[] = [];
writer.run(() => {
  port.postMessage('first began');
  // Polls (no deadline) until the main thread has said it wants to write.
  while (writeGateCounts(gate).mainWanting === 0) Atomics.wait(mainDone, 1, 0, 5);
  log.push('first ended with the main thread waiting');
});
writer.run(() => {
  log.push(Atomics.load(mainDone, 0) === 1 ? 'second began after the main write' : 'second began during the main write');
});
port.postMessage(log);
