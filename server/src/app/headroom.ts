import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { builtClient, ensureClientBuilt } from '../cli/client-build.js';
import type { Config } from '../config.js';
import { buildSite } from '../domain/fleet/site-topology.js';
import type { TelemetrySource } from '../domain/fleet/telemetry-source.js';
import { createApp } from '../outputs/http/app.js';
import { liveAccess } from '../outputs/live/live-access.js';
import { createLiveServer } from '../outputs/live/live-server.js';
import { createMetrics } from '../outputs/metrics/metrics.js';
import { createCollector } from '../pipeline/collector/fleet-collector.js';
import { createHttpScrapeSource } from '../pipeline/ingest/http-scrape-source.js';
import { closeDatabase } from '../pipeline/store/db.js';
import { createAlerting } from '../services/alerts/alerting.js';
import { createTokenService } from '../services/auth/token-service.js';
import { createSimSource } from '../sim/sim-source.js';
import { announceSignIn } from './announce.js';
import { soldPodsOf, startBackfill } from './backfill-runner.js';
import { ingestParsers } from './ingest-parsers.js';
import { listen, startLifecycle, type Status } from './lifecycle.js';
import { simulatedSite } from './sim-site.js';
import { alertFigureSources, alertingOptions } from './alerting-parts.js';
import { createServices } from './services.js';
import { httpSettings, liveAccessSettings } from './http-settings.js';
import { presetName, siteOverride, siteSource, type StartOptions } from './start-options.js';
import { openStorage } from './storage.js';
import { afterFirstRound, schedulerView, slurmSource } from './scheduler-source.js';
import { tenancyOf, tenantsOf } from './tenancy-parts.js';

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The composition root: builds every part from the config and wires them; lifecycle.ts runs them. */
export type { StartOptions };

export async function startHeadroom(config: Config, options: StartOptions = {}) {
  const log = options.log ?? pino({ level: config.logLevel, base: { app: 'headroom' } });
  const startedAt = Date.now();
  const storage = openStorage(config.dataDir, log);
  const { db, stores } = storage;

  const topology = options.topology?.() ?? buildSite(siteSource(config), siteOverride(config));
  let scheduler: ReturnType<typeof slurmSource> = null;
  const tenants = tenantsOf(config, config.sim.enabled, () => contracts);
  const collector = createCollector({
    topology,
    ports: { ...stores, transaction: storage.transaction },
    staleAfterMs: config.staleAfterMs,
    soldPodsAt: (tMs) => soldPodsAt(tMs),
    tenants: () => tenants().tenants,
    ...(config.slurm ? { scheduler: { latest: () => scheduler?.latest() ?? null, staleAfterMs: config.slurm.staleAfterMs } } : {}),
  });
  const tenancy = tenancyOf({ config, topology, collector, tenants, book: () => contracts, soldPodsAt: (tMs) => soldPodsAt(tMs) });
  const schedulerNow = schedulerView(() => scheduler, config.slurm?.staleAfterMs ?? 0, collector.allocation, tenancy.latest);
  const restored = collector.restore();
  log.info({ ...restored, gpus: topology.slotNode.length }, 'fleet state restored');
  const site = simulatedSite(
    config,
    stores.meta,
    {
      soldPodsAt: (tMs) => soldPodsAt(tMs),
      podCustomerAt: (pod, tMs) => podCustomerAt(pod, tMs),
    },
    options.topology,
  );
  const { clock, sim } = site;
  const { targets, timeoutMs, maxConnections, concurrency } = config.scrape;
  const scrapeSource = targets.length ? createHttpScrapeSource(targets, { timeoutMs, maxConnections, concurrency }) : null;
  const sources: TelemetrySource[] = [...(sim ? [createSimSource(sim, sim.topology)] : []), ...(scrapeSource ? [scrapeSource] : [])];

  const schedulerLatest = () => scheduler?.latest() ?? null;
  const services = createServices(config, {
    ...{ stores, topology, collector, clock, sim, log, schedulerLatest },
    tenants: () => tenants().tenants,
  });
  const { contracts, soldPodsAt, podCustomerAt, demandPlans, capacity, warmCapacity } = services;

  const metrics = createMetrics({
    info: { siteId: topology.site.id, siteName: topology.site.name, preset: presetName(config), version, simulated: sim !== null },
    fleet: collector,
    // The report of the last round warmed: a scrape right after a round does not wait for the next one's forecast.
    capacity: () => capacity.lastComputed(),
    contracts,
    money: config.metricsMoney,
    rollupLatestS: () => stores.rollups.latestTs('1m'),
    storageBytes: storage.storageBytes,
    now: clock.now,
    wallNow: Date.now,
    outbox: stores.outbox,
    live: () => live.stats(),
    ...(config.slurm ? { scheduler: schedulerNow } : {}),
  });
  scheduler = slurmSource(config, { now: clock.now, log, polled: (o) => metrics.scheduler.polled(o), simTexts: site.slurmTexts });
  let listeningUrl = `http://${config.host}:${config.port}`;
  const alerting = createAlerting({
    stores,
    options: alertingOptions(config),
    figures: alertFigureSources({ topology, collector, capacity, contracts, tenancy }),
    nowMs: clock.now,
    externalUrl: () => config.externalUrl ?? listeningUrl,
    log,
    version,
    onDeliveryEvent: (event) => {
      metrics.delivery.onEvent(event);
      live.notifyAlerts();
    },
    onForwardResult: (result) => metrics.alertmanager.forwarded(result),
  });
  const { alerts, delivery } = alerting;
  const evaluateAlerts = (): void => {
    alerting.evaluate();
    live.notifyAlerts();
  };

  const tokens = createTokenService({ store: stores.tokens, envAdminToken: config.auth.adminToken, nowMs: Date.now });
  const firstAdminToken = tokens.bootstrapAdmin();
  const parsers = ingestParsers(config.limits);
  const status: Status = { ready: false, draining: false };
  const app = createApp({
    clientDist: options.buildClient ? await ensureClientBuilt(log) : builtClient(),
    fleet: collector,
    history: stores.rollups,
    gpuHistory: stores.gpuHistory,
    parsers,
    now: clock.now,
    scheduler: schedulerNow,
    kubernetes: collector.kubernetes,
    isReady: () => status.ready,
    isDraining: () => status.draining,
    simNodeText: site.nodeText,
    simSlurm: site.slurm,
    ...httpSettings(config, { version, simulated: sim !== null, auth: { tokens, audit: stores.audit } }),
    log,
    contracts,
    capacity,
    demandPlans,
    alerts,
    metrics: { endpoint: metrics, auth: config.metricsAuth },
    ingestObserver: metrics.collector.ingest,
  });
  const { server, drain, port, url } = await listen(app, config, log);
  listeningUrl = url;
  announceSignIn(config, log, firstAdminToken, listeningUrl, { announce: options.announce });
  // The live view (socket.io on the same port). Capacity waits for readiness: a report computed
  // on half-backfilled history would be cached for its round.
  const live = createLiveServer(server, {
    fleet: collector,
    capacity: () => (status.ready ? capacity.capacity() : null),
    contractedAt: (day) => contracts.contractedAt(day),
    plans: () => ({ count: demandPlans.inForce().length, revision: demandPlans.revision() }),
    alerts,
    delivery: alerting.deliveryStats,
    wallNow: Date.now,
    log,
    access: liveAccess(liveAccessSettings(config, tokens)),
    connectTimeoutMs: config.live.connectTimeoutMs,
    revocations: tokens,
  });
  tokens.onRevoke((tokenId) => live.disconnectToken(tokenId));

  const backfillDone = startBackfill({
    ...storage,
    config,
    latestS: stores.rollups.latestTs('5m'),
    meta: stores.meta,
    nowMs: clock.now(),
    sold: soldPodsOf(topology, contracts.list()),
    ...(options.topology ? { topology: options.topology() } : {}),
    log,
    onProgress: (p) => live.notifyProgress(p && { phase: 'backfill', ...p }),
  });

  // A first poll before the first round (bounded by SLURM_TIMEOUT_S): allocation decides from the
  // start. The simulated scheduler has answers only after a round: its first poll follows the first.
  if (config.slurm?.source === 'rest') await scheduler?.pollNow();
  const firstSimPoll = afterFirstRound(config.slurm?.source === 'sim' ? scheduler : null);
  const lifecycle = await startLifecycle({
    config,
    log,
    status,
    startedAt,
    autoCollect: options.autoCollect !== false,
    restoredAtMs: restored.snapshotAtMs,
    drainGraceMs: options.drainGraceMs ?? 0,
    round: {
      collector,
      sources,
      parse: parsers.dcgm,
      concurrency: config.scrape.concurrency,
      elapsedMs: () => performance.now(),
      onTarget: (o) => {
        metrics.collector.target(o);
        if (!o.ok) log.warn({ target: o.targetId, error: o.error }, 'scrape failed');
      },
    },
    clock,
    collector,
    recordRound: (stats) => {
      if (config.slurm || collector.kubernetes()) tenancy.update(stats.tMs);
      metrics.collector.round(stats);
      firstSimPoll.roundDone();
    },
    notifyRound: () => live.notifyRound(),
    afterRound: [warmCapacity, evaluateAlerts, () => live.notifyRound()],
    backfillDone: firstSimPoll.beforeReady(backfillDone),
    onReady: () => {
      alerting.start();
      status.ready = true;
      // Capacity is available now: clients get it without waiting for the next round.
      live.notifyRound();
      live.notifyAlerts();
    },
    prune: { journal: stores.journal, alerting, history: { rollups: stores.rollups, gpuHistory: stores.gpuHistory } },
    saveClock: site.saveClock,
    stopParts: { drain, scrapeSource, alerting, live, checkpointer: storage.checkpointer, closeDatabase: () => closeDatabase(db) },
  });
  if (options.autoCollect !== false) scheduler?.start();

  return {
    url: `http://127.0.0.1:${port}`,
    ...{ port, config, collector, contracts, sim, clock, alerts, delivery },
    // For tests: the database (storage faults), the express app (routes against the OpenAPI
    // document), the live view (client and byte counts), rounds, alert evaluation and scheduler polls on demand.
    ...{ db, app, live, collectAt: lifecycle.collectAt, evaluateAlerts, scheduler },
    startupMs: Date.now() - startedAt,
    stop: () => (scheduler?.close() ?? Promise.resolve()).then(lifecycle.stop),
  };
}

export type Headroom = Awaited<ReturnType<typeof startHeadroom>>;
