// The real Slurm read worker, plus a fault: a read of a URL ending in /crash throws outside any
// handler, as a bug in the parser would, and the worker dies of it.
import { parentPort } from 'node:worker_threads';

await import('../../../../server/src/workers/slurm-read-worker.mjs');
parentPort?.on('message', (request) => {
  if (request.source.kind === 'rest' && request.source.url.endsWith('/crash')) throw new Error('parser bug');
});
