import { parentPort } from 'node:worker_threads';
import type { SlurmReadReply, SlurmReadRequest } from '../pipeline/scheduler/slurm-read-protocol.js';
import { SchedulerPollError, createSlurmrestdClient, snapshotOfTexts } from '../pipeline/scheduler/slurmrestd-client.js';

/**
 * Reads and parses Slurm's answers off the main thread: at Colossus scale (24,576 nodes, 7,000
 * jobs) JSON.parse and the zod reader take about a second, which on the main thread would stall
 * every request and round for that long each poll (docs/performance.md). The main thread gets
 * the plain snapshot back (structured clone, ≈ 40 ms there) or the failure's reason.
 */
const port = parentPort;
if (!port) throw new Error('slurm-read-worker.ts runs as a worker thread');

port.on('message', (request: SlurmReadRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer({ id, readAtMs, source }: SlurmReadRequest): Promise<SlurmReadReply> {
  try {
    const snapshot = source.kind === 'rest' ? await createSlurmrestdClient(source).read(readAtMs) : snapshotOfTexts(source.texts, readAtMs);
    return { id, ok: true, snapshot };
  } catch (error) {
    if (error instanceof SchedulerPollError) return { id, ok: false, reason: error.reason, message: error.message };
    return { id, ok: false, reason: 'malformed', message: error instanceof Error ? error.message : String(error) };
  }
}
