import { constants } from 'node:zlib';
import compression from 'compression';
import type { RequestHandler } from 'express';

/**
 * Below this a body goes as it is: gzip's header and trailer (18 bytes) and a zlib context per
 * response cost more than they save on an error body or a health answer of a few hundred bytes.
 */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Compresses answers whose type compresses (JSON, JS, CSS, HTML, CSV, Prometheus text) with
 * brotli when the client accepts it, else gzip, else not at all (docs/performance.md has the
 * bytes a dashboard screen saves). socket.io answers its own path before express sees the
 * request, so its long-polls and websocket are not touched here.
 */
export function compressAnswers(): RequestHandler {
  return compression({
    threshold: COMPRESS_THRESHOLD_BYTES,
    // The fastest levels: these answers are compressed per request on the event loop, and under
    // the 10× ingest flood (faults/load.int) brotli 4 doubled /metrics' and the capacity report's
    // p50 (45 → 85–94 ms, p99 90 → 160–240 ms). Level 1 keeps most of the saving: JSON and
    // exposition text are repetitive.
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1 }, chunkSize: 512 * 1024 },
    level: 1,
    // One zlib round trip per answer, not one per 16 KB: each trip to the thread pool waits behind
    // the event loop's other work, which under a push flood multiplied a 130 KB answer's latency.
    chunkSize: 512 * 1024,
  });
}
