import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { RoundStats } from '../domain/fleet/collection-stats.js';
import { createConnectionDrain } from '../outputs/http/connection-drain.js';
import { warnOfExposure } from './exposure-warnings.js';
import { startCollectionLoop } from '../pipeline/collector/collection-loop.js';
import { collectRound, type RoundOptions } from '../pipeline/collector/collection-round.js';
import { pruneHistory } from '../pipeline/store/retention.js';

const HOUR_MS = 3_600_000;

/** Read by /readyz and the drain: set here, read by the app's closures. */
export interface Status {
  ready: boolean;
  draining: boolean;
}

export interface LifecycleDeps {
  config: Config;
  log: Logger;
  status: Status;
  startedAt: number;
  autoCollect: boolean;
  /** When the fleet state restored at start was taken (null: none). */
  restoredAtMs: number | null;
  drainGraceMs: number;
  round: RoundOptions;
  clock: { now(): number; speed: number };
  collector: { snapshot(tMs: number): void; flushHistory(): void };
  /** Counts a round (metrics). */
  recordRound: (stats: RoundStats) => void;
  /** Tells the live view a round was collected (rounds run here, not the loop's: those via afterRound). */
  notifyRound: () => void;
  /** After each loop round, each in an event-loop turn of its own (forecast, alerts, live). */
  afterRound: ReadonlyArray<() => void | Promise<void>>;
  /** Resolves to the start-up backfill's error, or null. */
  backfillDone: Promise<unknown>;
  /** Once ready: first evaluation, delivery, first live figures. */
  onReady: () => void;
  /** Hourly, with history retention. */
  prune: {
    journal: { pruneIdempotencyKeys(beforeMs: number): void };
    alerting: { prune(): void };
    history: Parameters<typeof pruneHistory>[0];
  };
  saveClock: () => void;
  /** In stop order, each awaited: the parts that must finish before the database closes. */
  stopParts: {
    drain: { close(graceMs: number): Promise<void> };
    scrapeSource: { close(): void } | null;
    alerting: { stop(): Promise<void> };
    live: { close(): void };
    checkpointer: { stop(): Promise<void> };
    closeDatabase: () => void;
  };
}

/**
 * From listening to ready and back: two first rounds, the backfill awaited, ready; then the
 * collection loop, the snapshot and pruning timers; `stop` drains in the order that loses
 * nothing (HTTP first, the database last).
 */
export async function startLifecycle(deps: LifecycleDeps) {
  const { config, log, clock, status } = deps;
  const observedRound = async (tMs: number): Promise<RoundStats> => {
    const stats = await collectRound(deps.round, tMs);
    deps.recordRound(stats);
    deps.notifyRound();
    return stats;
  };
  // Two rounds one interval apart, so every GPU has the two samples a verdict needs from the start;
  // after a restart the restored state stands in for the first when it is newer (collecting before
  // it would show live clients an older fleet than they saw before the restart).
  const firstT = Math.floor(clock.now() / config.scrape.intervalMs) * config.scrape.intervalMs;
  const warmUpT = firstT - config.scrape.intervalMs;
  if (deps.round.sources.length && (deps.restoredAtMs ?? -Infinity) < warmUpT) await observedRound(warmUpT);
  const first = await observedRound(firstT);
  const backfillError = await deps.backfillDone;
  if (backfillError) throw backfillError;
  deps.onReady();
  log.info({ ...first, startupMs: Date.now() - deps.startedAt }, 'ready');

  const loop = deps.autoCollect
    ? startCollectionLoop({
        ...deps.round,
        now: clock.now,
        intervalMs: config.scrape.intervalMs,
        speed: clock.speed,
        onRound: (stats) => {
          deps.recordRound(stats);
          // Every round, so after a kill -9 the simulated clock resumes no earlier than the last
          // round; from the snapshot timer alone SIM_START ran it back by minutes (issue 25).
          deps.saveClock();
          log.debug(stats, 'round');
          // Once per round here, so a scrape or a page never waits for the forecast; alerts read it.
          // Each task (and each step of the forecast) in its own event-loop turn: requests that
          // arrived meanwhile run in between.
          afterRound(deps.afterRound).catch((error: unknown) => log.error({ err: error }, 'work after a round failed'));
        },
        onError: (error) => log.error({ err: error }, 'collection round failed'),
      })
    : null;

  const snapshotTimer = setInterval(() => {
    deps.collector.snapshot(clock.now());
    deps.saveClock();
  }, config.snapshotIntervalMs);
  let pruning: Promise<unknown> = Promise.resolve();
  const prune = (): void => {
    const nowMs = clock.now();
    // Idempotency keys outlive their journal entries by a day: long enough for any client retry.
    deps.prune.journal.pruneIdempotencyKeys(nowMs - 86_400_000);
    deps.prune.alerting.prune();
    pruning = pruneHistory(deps.prune.history, {
      nowS: Math.floor(nowMs / 1000),
      retentionDays: config.retentionDays,
      gpuRetentionDays: config.gpuRetentionDays,
    }).catch((error: unknown) => log.error({ err: error }, 'pruning history failed'));
  };
  prune();
  const pruneTimer = setInterval(prune, HOUR_MS);

  let stopping: Promise<void> | null = null;
  const parts = deps.stopParts;
  /** Drains: readyz turns 503, requests in flight finish, history and state are flushed to disk. */
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      status.draining = true;
      // At once: no new connections, and every answer from now on closes its connection.
      const httpClosed = parts.drain.close(deps.drainGraceMs);
      clearInterval(snapshotTimer);
      clearInterval(pruneTimer);
      await loop?.stop();
      parts.scrapeSource?.close();
      await parts.alerting.stop();
      await pruning;
      // socket.io holds its connections open: the drain would wait for them forever.
      parts.live.close();
      await httpClosed;
      deps.collector.flushHistory();
      deps.collector.snapshot(clock.now());
      deps.saveClock();
      await parts.checkpointer.stop();
      parts.closeDatabase();
    })());

  return { collectAt: observedRound, stop };
}

/** Listens on HOST:PORT (port 0: any); `url` is how people reach it (for links and the sign-in banner). */
export async function listen(app: { listen(port: number, host: string): Server }, config: Config, log: Logger) {
  const server: Server = app.listen(config.port, config.host);
  // Past the cap node closes a new connection as it arrives: a flood of idle sockets cannot use up the file descriptors.
  server.maxConnections = config.http.maxConnections;
  await once(server, 'listening');
  const drain = createConnectionDrain(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  log.info({ url: `${url}/` }, 'serving (readyz turns 200 once history and state are loaded)');
  warnOfExposure(config, log);
  return { server, drain, port, url };
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs each task in an event-loop turn of its own, in order (the next once the previous one is done). */
async function afterRound(tasks: ReadonlyArray<() => void | Promise<void>>): Promise<void> {
  for (const task of tasks) {
    await nextTurn();
    await task();
  }
}
