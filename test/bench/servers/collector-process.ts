/**
 * Benchmark 2's collector process: Headroom's collector composed as headroom.ts composes it —
 * HTTP scrape source (Node fetch, keep-alive), parseDcgmText, collector (apply, classify,
 * rollups, identity) on a real SQLite file, the collection loop on the wall clock — without
 * the HTTP API, alerts and capacity engine, which are not collection work.
 *
 *   BENCH_TARGETS_FILE=urls.txt DATA_DIR=dir SCRAPE_INTERVAL_MS=5000 node --import tsx test/bench/servers/collector-process.ts
 *
 * Prints one JSON line per round ({ round: RoundStats }).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCollectionLoop } from '../../../server/src/collector/collection-loop.js';
import { createCollector } from '../../../server/src/collector/fleet-collector.js';
import { parseDcgmText } from '../../../server/src/ingest/dcgm-text.js';
import { createHttpScrapeSource } from '../../../server/src/ingest/http-scrape-source.js';
import { closeDatabase, openDatabase } from '../../../server/src/store/db.js';
import { createStores } from '../../../server/src/store/stores.js';
import { writeTransaction } from '../../../server/src/store/write-transaction.js';
import { benchTopology, type BenchTopology } from '../lib/topologies.js';

const urls = readFileSync(process.env.BENCH_TARGETS_FILE ?? '', 'utf8').split('\n').filter(Boolean);
const intervalMs = Number(process.env.SCRAPE_INTERVAL_MS ?? 10_000);
const db = openDatabase(join(process.env.DATA_DIR ?? '.', 'headroom.db'));
const stores = createStores(db);
const collector = createCollector({
  topology: benchTopology((process.env.BENCH_TOPOLOGY ?? 'hall') as BenchTopology),
  ports: { ...stores, transaction: (work) => writeTransaction(db, work)() },
  staleAfterMs: 3 * intervalMs,
});
collector.restore();
const loop = startCollectionLoop({
  collector,
  sources: [createHttpScrapeSource(urls, 5_000)],
  // The same options headroom.ts passes (its limits at their defaults).
  parse: (text, host) => parseDcgmText(text, { defaultHost: host ?? undefined, maxLines: 1_000_000, maxSeries: 500_000 }),
  concurrency: 256,
  elapsedMs: () => performance.now(),
  now: Date.now,
  intervalMs,
  speed: 1,
  onRound: (stats) => console.log(JSON.stringify({ round: stats })),
  onError: (error) => console.error(error),
});
console.log(JSON.stringify({ ready: true, targets: urls.length }));

const stop = async (): Promise<void> => {
  await loop.stop();
  collector.flushHistory();
  closeDatabase(db);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
