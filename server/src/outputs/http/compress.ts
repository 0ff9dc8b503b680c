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
    // Quality 4 (the package's default, said here so it stays): at 11 the 130 KB capacity report
    // takes tens of ms of CPU per request for a few percent fewer bytes.
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
}
