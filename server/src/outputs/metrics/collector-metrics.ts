import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RoundStats, TargetOutcome } from '../../domain/fleet/collection-stats.js';
import { PUSH_SOURCES, type IngestObserver } from '../../domain/fleet/ingest-sources.js';

/** The built-in simulator's 24,576 node targets are one target to Prometheus. */
export const SIMULATOR_TARGET = 'simulator';
/** Past this many HTTP targets, per-target series are summed into `other`: cardinality stays bounded. */
export const MAX_TARGET_SERIES = 100;
export const OTHER_TARGET = 'other';

// Node exporters answer in milliseconds; a slow one takes seconds before it times out.
const SCRAPE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Why a pushed batch is refused, from its HTTP status (400, 413, 503; any other 4xx is `other`). */
export const PUSH_REJECTIONS = ['invalid', 'too_large', 'unavailable'] as const;
const ROUND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30];

/** Counters and histograms of the collector itself, fed by ingest and collection events. */
export function collectorMetrics(registry: Registry, nowWallMs: () => number) {
  const registers = [registry];
  const samples = new Counter({
    name: 'headroom_ingested_samples_total',
    help: 'GPU samples applied to fleet state, by source.',
    labelNames: ['source'],
    registers,
  });
  const batches = new Counter({
    name: 'headroom_ingested_batches_total',
    help: 'Batches (one per scraped target or pushed request) applied, by source.',
    labelNames: ['source'],
    registers,
  });
  const rejected = new Counter({
    name: 'headroom_rejected_batches_total',
    help: 'Batches refused whole (nothing of them stored), by source and reason.',
    labelNames: ['source', 'reason'],
    registers,
  });
  const scrapeDuration = new Histogram({
    name: 'headroom_scrape_duration_seconds',
    help: 'Time to read, parse and apply one target, seconds.',
    labelNames: ['target'],
    buckets: SCRAPE_BUCKETS,
    registers,
  });
  const scrapeFailures = new Counter({
    name: 'headroom_scrape_failures_total',
    help: 'Target reads that failed (refused, timed out, unparsable).',
    labelNames: ['target'],
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'headroom_scrape_last_success_timestamp_seconds',
    help: 'Wall-clock time of the last successful read of the target, unix seconds.',
    labelNames: ['target'],
    registers,
  });
  const targets = new Gauge({
    name: 'headroom_scrape_targets',
    help: 'Targets by health in the last round (up: read and parsed).',
    labelNames: ['health'],
    registers,
  });
  const roundDuration = new Histogram({
    name: 'headroom_collection_round_duration_seconds',
    help: 'Time of one collection round over every target, seconds.',
    buckets: ROUND_BUCKETS,
    registers,
  });

  const httpTargets = new Set<string>();
  let roundUp = 0;
  let roundDown = 0;
  const labelOf = (targetId: string): { target: string; source: string } => {
    if (targetId.startsWith('sim:')) return { target: SIMULATOR_TARGET, source: SIMULATOR_TARGET };
    if (!httpTargets.has(targetId) && httpTargets.size < MAX_TARGET_SERIES) httpTargets.add(targetId);
    return { target: httpTargets.has(targetId) ? targetId : OTHER_TARGET, source: 'scrape' };
  };
  // Series exist at 0 before their first event, so rate() and rules over them see every source from start.
  for (const health of ['up', 'down']) targets.set({ health }, 0);
  for (const source of PUSH_SOURCES) for (const reason of PUSH_REJECTIONS) rejected.inc({ source, reason }, 0);

  const ingest: IngestObserver = {
    accepted(source, n) {
      samples.inc({ source }, n);
      batches.inc({ source });
    },
    rejected(source, reason) {
      rejected.inc({ source, reason });
    },
  };

  return {
    ingest,
    target(outcome: TargetOutcome): void {
      const { target, source } = labelOf(outcome.targetId);
      scrapeDuration.observe({ target }, outcome.durationMs / 1000);
      if (outcome.ok) {
        ingest.accepted(source, outcome.samples);
        lastSuccess.set({ target }, nowWallMs() / 1000);
        scrapeFailures.inc({ target }, 0);
        roundUp++;
      } else {
        scrapeFailures.inc({ target });
        ingest.rejected(source, 'scrape_failed');
        roundDown++;
      }
    },
    round(stats: RoundStats): void {
      roundDuration.observe(stats.durationMs / 1000);
      targets.set({ health: 'up' }, roundUp);
      targets.set({ health: 'down' }, roundDown);
      roundUp = 0;
      roundDown = 0;
    },
  };
}

export type CollectorMetrics = ReturnType<typeof collectorMetrics>;
