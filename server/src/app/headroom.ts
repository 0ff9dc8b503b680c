import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Worker } from 'node:worker_threads';
import type { BackfillJob, BackfillMessage } from '../workers/backfill-worker.js';
import { BACKFILL_RESUME_KEY, backfillRange } from '../pipeline/collector/backfill.js';
import { createCollectionClock } from '../pipeline/collector/collection-clock.js';
import { startCollectionLoop } from '../pipeline/collector/collection-loop.js';
import { collectRound, type RoundOptions } from '../pipeline/collector/collection-round.js';
import { createCollector } from '../pipeline/collector/fleet-collector.js';
import type { Config } from '../config.js';
import { contractSiteOf, rankPodsByInternalUse } from '../services/contracts/contract-site.js';
import { createContractService } from '../services/contracts/contract-service.js';
import { buildPreset } from '../domain/fleet/presets.js';
import type { TelemetrySource } from '../domain/fleet/telemetry-source.js';
import { DomainError } from '../domain/errors.js';
import { createApp } from '../outputs/http/app.js';
import { createConnectionDrain } from '../outputs/http/connection-drain.js';
import { builtClient, ensureClientBuilt } from '../cli/client-build.js';
import { createAlerting } from '../services/alerts/alerting.js';
import { createTokenService } from '../services/auth/token-service.js';
import { createAuditStore } from '../pipeline/store/audit-store.js';
import { createTokenStore } from '../pipeline/store/token-store.js';
import { liveAccess } from '../outputs/live/live-access.js';
import { createLiveServer } from '../outputs/live/live-server.js';
import { createMetrics } from '../outputs/metrics/metrics.js';
import { parseDcgmText } from '../pipeline/ingest/dcgm-text.js';
import { createHttpScrapeSource } from '../pipeline/ingest/http-scrape-source.js';
import { jsonPushSchema, parseJsonPush } from '../pipeline/ingest/json-push.js';
import { parseNvidiaSmiCsv } from '../pipeline/ingest/nvidia-smi-csv.js';
import { createSimSource } from '../sim/sim-source.js';
import { createSimulator } from '../sim/simulator.js';
import { startCheckpointer, type Checkpointer } from '../pipeline/store/checkpointer.js';
import { closeDatabase, openDatabase, type Database } from '../pipeline/store/db.js';
import { pruneHistory } from '../pipeline/store/retention.js';
import { createCapacityService } from '../services/capacity/capacity-service.js';
import { createDemandPlanService } from '../services/capacity/demand-plans.js';
import { demoContracts } from '../sim/demo-contracts.js';
import { demoPlans } from '../sim/demo-plans.js';
import { createStores } from '../pipeline/store/stores.js';
import { createWriteGateBuffer, priorityWriter } from '../pipeline/store/write-gate.js';
import { attachWriteGate, writeTransaction } from '../pipeline/store/write-transaction.js';

const SIM_CLOCK_KEY = 'sim_clock_ms';
/** Set once the demo contract book was written, so deleting it does not bring it back. */
const DEMO_CONTRACTS_KEY = 'demo_contracts_seeded';
/** The same for the demo plans (only `rebound` has one: the owner's comeback). */
const DEMO_PLANS_KEY = 'demo_plans_seeded';
const BACKFILL_STEP_S = 300;
const HOUR_MS = 3_600_000;
/** The WAL grows by at most about this much writing between checkpoints (a few MB at Colossus scale). */
const CHECKPOINT_INTERVAL_MS = 1_000;

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface StartOptions {
  /** Run collection rounds on a timer (off in tests that drive rounds themselves). */
  autoCollect?: boolean;
  log?: Logger;
  /** Build the dashboard first when its build is missing or stale (npm start); else serve it if built. */
  buildClient?: boolean;
  /** At stop, how long the server still answers new requests (with Connection: close) before it stops accepting (npm start: main.ts). */
  drainGraceMs?: number;
  /** Where the admin token made at first start is shown (stdout by default: it must not depend on LOG_LEVEL). */
  announce?: (text: string) => void;
}

/** The composition root: builds every part from the config and wires them. */
export async function startHeadroom(config: Config, options: StartOptions = {}) {
  const log = options.log ?? pino({ level: config.logLevel, base: { app: 'headroom' } });
  const startedAt = Date.now();
  const dbFile = join(config.dataDir, 'headroom.db');
  const db = openDatabase(dbFile);
  const checkpointer = startCheckpointer(db, CHECKPOINT_INTERVAL_MS, log);
  const stores = createStores(db);
  const { meta, rollups, gpuHistory, journal } = stores;
  const transaction = <T>(work: () => T): T => writeTransaction(db, work)();

  const topology = buildPreset(config.preset, siteOverride(config));
  const collector = createCollector({
    topology,
    ports: { ...stores, transaction },
    staleAfterMs: config.staleAfterMs,
    soldPodsAt: (tMs) => soldPodsAt(tMs),
  });
  const restored = collector.restore();
  log.info({ ...restored, gpus: topology.slotNode.length }, 'fleet state restored');

  const stored = meta.get(SIM_CLOCK_KEY);
  const clock = config.sim.enabled
    ? createCollectionClock({ speed: config.sim.speed, resumeFromMs: stored ? Number(stored) : null, wallNow: Date.now })
    : createCollectionClock({ speed: 1, resumeFromMs: null, wallNow: Date.now });

  // The simulator gets a topology of its own: it simulates the preset's nodes, never the
  // unplaced ones that real pushes add to the collector's.
  const sim = config.sim.enabled
    ? createSimulator({
        topology: buildPreset(config.preset),
        scenario: config.sim.scenario,
        seed: config.sim.seed,
        // Sold pods run the customer's work, and internal work keeps off them.
        soldPod: (pod, tMs) => soldPodsAt(tMs).has(pod),
      })
    : null;
  const sources: TelemetrySource[] = [];
  if (sim) sources.push(createSimSource(sim, sim.topology));
  const scrapeSource = config.scrape.targets.length
    ? createHttpScrapeSource(config.scrape.targets, {
        timeoutMs: config.scrape.timeoutMs,
        maxConnections: config.scrape.maxConnections,
        concurrency: config.scrape.concurrency,
      })
    : null;
  if (scrapeSource) sources.push(scrapeSource);

  const contractSite = contractSiteOf(topology);
  const podIndexById = new Map(topology.pods.map((p, i) => [p.id, i]));
  const contracts = createContractService({
    contracts: stores.contracts,
    priceBooks: stores.priceBooks,
    site: () => contractSite,
    rankPodsForSale: () => rankPodsByInternalUse(contractSite.pods, collector.latest()),
    today: () => isoDay(clock.now()),
    nowMs: clock.now,
  });
  // Asked per pod and per round: one lookup per moment.
  let soldMemo: { tMs: number; pods: ReadonlySet<number> } | null = null;
  function soldPodsAt(tMs: number): ReadonlySet<number> {
    if (soldMemo?.tMs !== tMs) soldMemo = { tMs, pods: contracts.soldPodsAt(isoDay(tMs)) };
    return soldMemo.pods;
  }
  if (sim && config.sim.contracts === 'demo' && meta.get(DEMO_CONTRACTS_KEY) === null) {
    for (const terms of demoContracts(contractSite, isoDay(clock.now()))) contracts.create(terms);
    meta.set(DEMO_CONTRACTS_KEY, isoDay(clock.now()));
  }
  const demandPlans = createDemandPlanService({ store: stores.demandPlans, siteGpus: () => contractSite.gpus, nowMs: clock.now });
  if (sim && config.sim.plans === 'demo' && meta.get(DEMO_PLANS_KEY) === null) {
    for (const plan of demoPlans(config.sim.scenario, sim.params, contractSite.gpus)) demandPlans.create(plan);
    meta.set(DEMO_PLANS_KEY, isoDay(clock.now()));
  }
  const capacity = createCapacityService({
    fleet: collector,
    history: rollups,
    contracts,
    // Its revision changes with every plan change: the next request for capacity sees it.
    plans: demandPlans,
    now: clock.now,
    policy: config.capacity,
  });

  const metrics = createMetrics({
    info: { siteId: topology.site.id, siteName: topology.site.name, preset: config.preset, version, simulated: sim !== null },
    fleet: collector,
    // The report of the last round warmed: a scrape right after a round does not wait for the next one's forecast.
    capacity: () => capacity.lastComputed(),
    contracts,
    rollupLatestS: () => rollups.latestTs('1m'),
    storageBytes: () => ({ main: fileBytes(dbFile), wal: fileBytes(`${dbFile}-wal`) }),
    now: clock.now,
    wallNow: Date.now,
  });

  const warmCapacity = async (): Promise<void> => {
    try {
      await capacity.warm(nextTurn);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'unavailable')) log.error({ err: error }, 'capacity computation failed');
    }
  };

  let listeningUrl = `http://${config.host}:${config.port}`;
  const alerting = createAlerting({
    db,
    config,
    registry: metrics.registry,
    figures: {
      topology,
      latest: () => collector.latest(),
      capacity: () => capacity.capacity(),
      contracts: () => contracts.list(),
      contractedGpus: (id) => {
        const v = contracts.valuation(id);
        return v.phase === 'in-term' ? v.gpus : 0;
      },
    },
    nowMs: clock.now,
    externalUrl: () => config.externalUrl ?? listeningUrl,
    log,
    version,
    onDeliveryEvent: () => live.notifyAlerts(),
  });
  const { alerts, delivery } = alerting;
  // `live` is created once the server listens, before the first round or delivery.
  const evaluateAlerts = (): void => {
    alerting.evaluate();
    live.notifyAlerts();
  };

  const tokens = createTokenService({ store: createTokenStore(db), envAdminToken: config.auth.adminToken, nowMs: Date.now });
  const audit = createAuditStore(db);
  const firstAdminToken = tokens.bootstrapAdmin();

  const parseDcgm = (text: string, host: string | null) =>
    parseDcgmText(text, {
      defaultHost: host ?? undefined,
      maxLines: config.limits.maxLinesPerBatch,
      maxSeries: config.limits.maxSeriesPerBatch,
      maxLabelLength: config.limits.maxLabelLength,
    });
  let ready = false;
  let draining = false;
  const clientDist = options.buildClient ? await ensureClientBuilt(log) : builtClient();
  const app = createApp({
    clientDist,
    fleet: collector,
    history: rollups,
    gpuHistory,
    parsers: {
      dcgm: parseDcgm,
      nvidiaSmi: (text, host, fields) => parseNvidiaSmiCsv(text, { host, fields, maxLines: config.limits.maxLinesPerBatch, maxLabelLength: config.limits.maxLabelLength }),
      json: (body) => parseJsonPush(body, { maxSamples: config.limits.maxSeriesPerBatch, maxLabelLength: config.limits.maxLabelLength }),
      jsonSchema: jsonPushSchema,
    },
    now: clock.now,
    isReady: () => ready,
    isDraining: () => draining,
    simNodeText: sim ? (host) => simNodeText(sim, host) : undefined,
    limits: { maxBodyBytes: config.limits.maxBodyBytes },
    info: { version, simulated: sim !== null, scenario: sim ? config.sim.scenario : null, preset: config.preset },
    log,
    contracts,
    capacity,
    demandPlans,
    alerts,
    metrics: { endpoint: metrics, auth: config.metricsAuth },
    ingestObserver: metrics.collector.ingest,
    auth: { tokens, audit, publicRead: config.auth.publicRead, corsOrigins: config.auth.corsOrigins, rateLimits: config.rateLimits, wallNow: Date.now },
  });
  const server: Server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const drain = createConnectionDrain(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  listeningUrl = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  log.info({ url: `${listeningUrl}/` }, 'serving (readyz turns 200 once history and state are loaded)');
  if (firstAdminToken) {
    (options.announce ?? ((text) => process.stdout.write(text)))(adminTokenBanner(firstAdminToken, config.externalUrl ?? listeningUrl));
  } else if (config.auth.adminToken === null) {
    log.info('sign in with an API token (the admin token was shown at first start; a new one: npm run token -- --role admin --name <who>)');
  }
  // The live view (socket.io on the same port). Capacity waits for readiness: a report computed
  // on half-backfilled history would be cached for its round.
  const live = createLiveServer(server, {
    fleet: collector,
    capacity: () => (ready ? capacity.capacity() : null),
    contractedAt: (day) => contracts.contractedAt(day),
    plans: () => ({ count: demandPlans.inForce().length, revision: demandPlans.revision() }),
    alerts,
    delivery: alerting.deliveryStats,
    wallNow: Date.now,
    registry: metrics.registry,
    log,
    access: (clientsCount) =>
      liveAccess({ authenticate: tokens.authenticate, publicRead: config.auth.publicRead, corsOrigins: config.auth.corsOrigins, ...config.live, clientsCount }),
  });

  tokens.onRevoke((tokenId) => live.disconnectToken(tokenId));

  // History the simulator knows, written on the second core while the first rounds run here;
  // this thread's writes pass the gate first (store/write-gate.ts).
  const backfill =
    sim && config.backfillDays > 0
      ? runBackfill(
          { db, checkpointer },
          {
            dbFile,
            gate: createWriteGateBuffer(),
            preset: config.preset,
            scenario: config.sim.scenario,
            seed: config.sim.seed,
            ...backfillRange({
              latestS: rollups.latestTs('5m'),
              resumeMark: meta.get(BACKFILL_RESUME_KEY),
              nowS: Math.floor(clock.now() / 1000),
              days: config.backfillDays,
              stepS: BACKFILL_STEP_S,
            }),
            stepS: BACKFILL_STEP_S,
            podEvery: 3,
            sold: contracts.list().map((c) => ({ pods: c.pods.map((id) => podIndexById.get(id) ?? -1), start: c.start, end: c.end, status: c.status })),
          },
          log,
          (p) => live.notifyProgress(p && { phase: 'backfill', ...p }),
        )
      : Promise.resolve();
  // Awaited after the first rounds; caught now so a failure is not an unhandled rejection meanwhile.
  const backfillDone = backfill.then(
    () => null,
    (error: unknown) => error,
  );

  const roundOptions: RoundOptions = {
    collector,
    sources,
    parse: parseDcgm,
    concurrency: config.scrape.concurrency,
    elapsedMs: () => performance.now(),
    onTarget: (o) => {
      metrics.collector.target(o);
      if (!o.ok) log.warn({ target: o.targetId, error: o.error }, 'scrape failed');
    },
  };
  const observedRound = async (tMs: number) => {
    const stats = await collectRound(roundOptions, tMs);
    metrics.collector.round(stats);
    live.notifyRound();
    return stats;
  };
  // Two rounds one interval apart, so every GPU has the two samples a verdict needs from the start.
  const firstT = Math.floor(clock.now() / config.scrape.intervalMs) * config.scrape.intervalMs;
  if (sources.length) await observedRound(firstT - config.scrape.intervalMs);
  const first = await observedRound(firstT);
  const backfillError = await backfillDone;
  if (backfillError) throw backfillError;
  alerting.start();
  ready = true;
  // Capacity is available now: clients get it without waiting for the next round.
  live.notifyRound();
  live.notifyAlerts();
  log.info({ ...first, startupMs: Date.now() - startedAt }, 'ready');

  const loop =
    options.autoCollect === false
      ? null
      : startCollectionLoop({
          ...roundOptions,
          now: clock.now,
          intervalMs: config.scrape.intervalMs,
          speed: clock.speed,
          onRound: (stats) => {
            metrics.collector.round(stats);
            log.debug(stats, 'round');
            // Once per round here, so a scrape or a page never waits for the forecast; alerts read it.
            // Each task (and each step of the forecast) in its own event-loop turn: requests that
            // arrived meanwhile run in between.
            afterRound([warmCapacity, evaluateAlerts, () => live.notifyRound()]).catch((error: unknown) =>
              log.error({ err: error }, 'work after a round failed'),
            );
          },
          onError: (error) => log.error({ err: error }, 'collection round failed'),
        });

  const saveSimClock = (): void => {
    if (sim) meta.set(SIM_CLOCK_KEY, String(clock.now()));
  };
  const snapshotTimer = setInterval(() => {
    collector.snapshot(clock.now());
    saveSimClock();
  }, config.snapshotIntervalMs);
  let pruning: Promise<unknown> = Promise.resolve();
  const prune = (): void => {
    const nowMs = clock.now();
    // Idempotency keys outlive their journal entries by a day: long enough for any client retry.
    journal.pruneIdempotencyKeys(nowMs - 86_400_000);
    alerting.prune();
    pruning = pruneHistory(
      { rollups, gpuHistory },
      { nowS: Math.floor(nowMs / 1000), retentionDays: config.retentionDays, gpuRetentionDays: config.gpuRetentionDays },
    ).catch((error: unknown) => log.error({ err: error }, 'pruning history failed'));
  };
  prune();
  const pruneTimer = setInterval(prune, HOUR_MS);

  let stopping: Promise<void> | null = null;
  /** Drains: readyz turns 503, requests in flight finish, history and state are flushed to disk. */
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      draining = true;
      // At once: no new connections, and every answer from now on closes its connection.
      const httpClosed = drain.close(options.drainGraceMs ?? 0);
      clearInterval(snapshotTimer);
      clearInterval(pruneTimer);
      await loop?.stop();
      scrapeSource?.close();
      await alerting.stop();
      await pruning;
      // socket.io holds its connections open: the drain would wait for them forever.
      live.close();
      await httpClosed;
      collector.flushHistory();
      collector.snapshot(clock.now());
      saveSimClock();
      await checkpointer.stop();
      closeDatabase(db);
    })());

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    collector,
    contracts,
    sim,
    clock,
    /** The database connection (tests: storage faults such as a full disk). */
    db,
    /** The express app (tests compare its mounted routes with the OpenAPI document). */
    app,
    startupMs: Date.now() - startedAt,
    /** Runs one collection round at tMs (tests drive time with this when autoCollect is off). */
    collectAt: observedRound,
    /** Evaluates the alert rules now (tests; the loop does it after every round). */
    evaluateAlerts,
    alerts,
    delivery,
    /** The live view (tests read its client and byte counts). */
    live,
    stop,
  };
}

export type Headroom = Awaited<ReturnType<typeof startHeadroom>>;

/** SITE_ID / SITE_NAME rename the preset's site: two processes of one preset are two sites. */
function siteOverride(config: Config): { id?: string; name?: string } {
  return { ...(config.site.id ? { id: config.site.id } : {}), ...(config.site.name ? { name: config.site.name } : {}) };
}

/** Shown once, like Jupyter's: the URL's fragment never reaches a server or a proxy log, and the dashboard keeps it. */
function adminTokenBanner(token: string, baseUrl: string): string {
  return [
    '',
    '  Headroom made an admin API token at first start. It is shown this once and stored only hashed:',
    `      ${token}`,
    '  Open the dashboard signed in as admin:',
    `      ${baseUrl}/#token=${token}`,
    '  Use it as `Authorization: Bearer <token>`; make tokens for people and collectors with POST /api/v1/tokens.',
    '',
    '',
  ].join('\n');
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no WAL between checkpoints
  }
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Runs the backfill worker; until it is done, `db`'s write transactions pass the write gate
 * (write-gate.ts) and the checkpointer holds no write lock (PASSIVE only), so nothing but the
 * worker's short transactions stands between this thread's writes and the lock.
 * `onProgress` hears each progress message, then null when done.
 */
function runBackfill(
  server: { db: Database; checkpointer: Checkpointer },
  job: BackfillJob,
  log: Logger,
  onProgress: (p: { done: number; total: number } | null) => void,
): Promise<void> {
  const started = Date.now();
  const detachGate = attachWriteGate(server.db, priorityWriter(job.gate));
  server.checkpointer.passiveOnly(true);
  let settled = false;
  const backfillOver = (): void => {
    if (settled) return;
    settled = true;
    detachGate();
    server.checkpointer.passiveOnly(false);
  };
  const worker = new Worker(new URL('../workers/backfill-worker.mjs', import.meta.url), { workerData: job });
  worker.once('exit', backfillOver);
  let lastReported = -1;
  return new Promise((resolve, reject) => {
    worker.on('message', (message: BackfillMessage) => {
      if (message.type === 'done') {
        backfillOver();
        log.info({ rows: message.rows, days: ((job.toS - job.fromS) / 86_400).toFixed(1), ms: Date.now() - started }, 'backfill done');
        onProgress(null);
        resolve();
        return;
      }
      onProgress({ done: message.done, total: message.total });
      const pct = Math.floor((message.done / message.total) * 10) * 10;
      if (pct !== lastReported) log.info({ done: message.done, total: message.total }, `backfilling simulated history: ${pct}%`);
      lastReported = pct;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`backfill worker exited with code ${code}`));
    });
  });
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs each task in an event-loop turn of its own, in order (the next once the previous one is done). */
async function afterRound(tasks: ReadonlyArray<() => void | Promise<void>>): Promise<void> {
  for (const task of tasks) {
    await nextTurn();
    await task();
  }
}

function simNodeText(sim: ReturnType<typeof createSimulator>, host: string): string | null {
  const index = sim.topology.nodeByHost.get(host);
  return index === undefined ? null : sim.renderNode(index);
}

