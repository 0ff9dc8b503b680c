/**
 * Benchmark 2's collector process: Headroom's collector composed as headroom.ts composes it —
 * configuration read by loadConfig (targets from SCRAPE_TARGETS_FILE, the interval, timeout,
 * concurrency and connection cap), HTTP scrape source (kept-alive scrape client),
 * parseDcgmText, collector (apply, classify, rollups, identity) on a real SQLite file, the
 * collection loop on the wall clock — without the HTTP API, alerts and capacity engine, which
 * are not collection work.
 *
 *   SCRAPE_TARGETS_FILE=urls.txt DATA_DIR=dir SCRAPE_INTERVAL_MS=5000 node --import tsx test/bench/servers/collector-process.ts
 *
 * Prints one JSON line per round ({ round: RoundStats }).
 */
import { join } from 'node:path';
import { startCollectionLoop } from '../../../server/src/pipeline/collector/collection-loop.js';
import { loadConfig } from '../../../server/src/config.js';
import { createCollector } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { createHttpScrapeSource } from '../../../server/src/pipeline/ingest/http-scrape-source.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { writeTransaction } from '../../../server/src/pipeline/store/write-transaction.js';
import { benchTopology, type BenchTopology } from '../lib/topologies.js';

const config = loadConfig();
const urls = config.scrape.targets;
const intervalMs = config.scrape.intervalMs;
const db = openDatabase(join(config.dataDir, 'headroom.db'));
const stores = createStores(db);
const collector = createCollector({
  topology: benchTopology((process.env.BENCH_TOPOLOGY ?? 'hall') as BenchTopology),
  ports: { ...stores, transaction: (work) => writeTransaction(db, work)() },
  staleAfterMs: config.staleAfterMs,
});
collector.restore();
const loop = startCollectionLoop({
  collector,
  // The same options headroom.ts passes.
  sources: [
    createHttpScrapeSource(urls, {
      timeoutMs: config.scrape.timeoutMs,
      maxConnections: config.scrape.maxConnections,
      concurrency: config.scrape.concurrency,
    }),
  ],
  parse: (text, host) =>
    parseDcgmText(text, {
      defaultHost: host ?? undefined,
      maxLines: config.limits.maxLinesPerBatch,
      maxSeries: config.limits.maxSeriesPerBatch,
      maxLabelLength: config.limits.maxLabelLength,
    }),
  concurrency: config.scrape.concurrency,
  elapsedMs: () => performance.now(),
  now: Date.now,
  intervalMs,
  speed: 1,
  onRound: (stats) => console.log(JSON.stringify({ round: stats })),
  onError: (error) => console.error(error),
});
console.log(JSON.stringify({ ready: true, targets: urls.length, maxConnections: config.scrape.maxConnections }));

const stop = async (): Promise<void> => {
  await loop.stop();
  collector.flushHistory();
  closeDatabase(db);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
