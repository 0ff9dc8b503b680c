/**
 * Headroom as `npm start` runs it (startHeadroom with the environment's config), with one
 * addition for benchmark 3: BENCH_TARGETS_FILE, a file of scrape URLs (one a line) that
 * replaces SCRAPE_TARGETS. 24,576 URLs (≈ 0.9 MB) cannot travel in an environment variable —
 * Linux caps one at 128 KiB (MAX_ARG_STRLEN) — and config.ts has no file-based list yet, so the
 * list is put into the parsed Config here; everything after loadConfig is the product's code.
 * The dashboard is served if built but never built here.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../server/src/config.js';
import { startHeadroom } from '../../../server/src/headroom.js';

const config = loadConfig();
const file = process.env.BENCH_TARGETS_FILE;
if (file) config.scrape.targets = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const headroom = await startHeadroom(config, { buildClient: false });
const stop = (): void => {
  headroom.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
