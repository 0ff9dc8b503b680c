import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { eventLoopDelayGauges } from './event-loop-delay.js';
import { DomainError } from '../../domain/errors.js';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { CapacityView } from '../../services/capacity/capacity-service.js';
import { capacityGauges, contractGauges, type ContractsView } from './capacity-gauges.js';
import { alertmanagerMetrics } from './alertmanager-metrics.js';
import { collectorMetrics } from './collector-metrics.js';
import { deliveryMetrics, type DeliveryMetricsSource } from './delivery-metrics.js';
import { fleetGauges } from './fleet-gauges.js';
import { liveMetrics, type LiveStats } from './live-metrics.js';
import { isoDateOfMs } from '../../domain/contracts/calendar.js';
import type { SchedulerView } from '../../domain/scheduler/scheduler-report.js';
import { schedulerMetrics } from './scheduler-metrics.js';
import { tenantMetrics } from './tenant-metrics.js';
import { unknownModelGauges } from './unknown-model-gauges.js';

export interface MetricsDeps {
  info: { siteId: string; siteName: string; preset: string; version: string; simulated: boolean };
  fleet: { state: FleetState; latest(): FleetSummary | null };
  /** Throws while history is still loading; the capacity families are then empty. */
  capacity: (() => CapacityView) | null;
  contracts: ContractsView | null;
  /** Money series (revenue, contract value, sellable value) on /metrics; true when not given (METRICS_MONEY). */
  money?: boolean;
  /** Newest 1-minute rollup bucket written, unix seconds, or null. */
  rollupLatestS: () => number | null;
  /** Bytes of the SQLite main file and of its WAL. */
  storageBytes: () => { main: number; wal: number };
  /** Collection time (the simulator's clock when it runs), ms. */
  now: () => number;
  wallNow: () => number;
  /** The webhook outbox's pending entries, read at scrape time. */
  outbox: Pick<DeliveryMetricsSource, 'pendingStats'>;
  /** The live view's own counts; null until it runs. */
  live: () => LiveStats | null;
  /** The scheduler source's view; absent when none is configured. */
  scheduler?: () => SchedulerView | null;
}

/**
 * One prom-client Registry per app instance (tests run several in one process). Gauges are
 * set from the latest fleet summary and capacity report when Prometheus scrapes, so a scrape
 * costs a walk over halls, never over GPUs; counters are fed by collector, delivery and
 * Alertmanager events. Every metric of the process is defined under outputs/metrics/.
 */
export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry();
  // A `site` label on every series, process metrics included: one Prometheus scrapes many sites.
  registry.setDefaultLabels({ site: deps.info.siteId });
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `_total`, which `promtool check metrics` rightly flags; the
  // per-type families (nodejs_active_handles{type}, …) carry the same figures.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
  eventLoopDelayGauges(registry);

  const info = new Gauge({
    name: 'headroom_site_info',
    help: 'The site this process watches (value 1); name, preset, version and whether it is simulated as labels.',
    labelNames: ['name', 'preset', 'version', 'simulated'],
    registers: [registry],
  });
  info.set({ name: deps.info.siteName, preset: deps.info.preset, version: deps.info.version, simulated: String(deps.info.simulated) }, 1);
  const fleet = fleetGauges(registry);
  unknownModelGauges(registry, deps.fleet);
  const capacity = capacityGauges(registry, deps.money ?? true);
  const contracts = contractGauges(registry, deps.money ?? true);
  const collector = collectorMetrics(registry, deps.wallNow);
  const delivery = deliveryMetrics(registry, { pendingStats: () => deps.outbox.pendingStats(), nowMs: deps.wallNow });
  const alertmanager = alertmanagerMetrics(registry);
  liveMetrics(registry, deps.live);
  const scheduler = schedulerMetrics(registry, {
    configured: deps.scheduler !== undefined,
    view: deps.scheduler ?? (() => null),
    toldBy: () => toldBy(deps.fleet.latest()),
    nowMs: deps.now,
  });
  tenantMetrics(registry, { view: deps.scheduler ?? (() => null), money: deps.money ?? true });
  const rollupLag = new Gauge({
    name: 'headroom_rollup_lag_seconds',
    help: 'Collection time less the newest 1-minute rollup written, seconds.',
    registers: [registry],
  });
  const sqliteSize = new Gauge({
    name: 'headroom_sqlite_size_bytes',
    help: 'Size of the SQLite database files, bytes.',
    labelNames: ['file'],
    registers: [registry],
  });

  // The summary and report the gauges were last set from: a scrape between rounds sets nothing again.
  let shownSummary: FleetSummary | null = null;
  let shownReport: CapacityView | null = null;

  function update(): void {
    const nowMs = deps.now();
    const summary = deps.fleet.latest();
    if (summary && summary !== shownSummary) {
      fleet.update(deps.fleet.state, summary);
      shownSummary = summary;
    }
    if (deps.capacity) {
      try {
        const report = deps.capacity();
        if (report !== shownReport) capacity.update(report);
        shownReport = report;
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'unavailable')) throw error;
        capacity.clear();
        shownReport = null;
      }
    }
    if (deps.contracts) contracts.update(deps.contracts, isoDateOfMs(nowMs));
    const latestS = deps.rollupLatestS();
    rollupLag.reset();
    if (latestS !== null) rollupLag.set(Math.max(0, nowMs / 1000 - latestS));
    const bytes = deps.storageBytes();
    sqliteSize.set({ file: 'main' }, bytes.main);
    sqliteSize.set({ file: 'wal' }, bytes.wal);
  }

  return {
    registry,
    collector,
    delivery,
    alertmanager,
    scheduler,
    contentType: registry.contentType,
    /** The exposition text, as of now. */
    async render(): Promise<string> {
      update();
      return registry.metrics();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The site's GPUs by how their state was told, from the latest summary. */
function toldBy(summary: FleetSummary | null): { scheduler: number; telemetry: number } | null {
  if (!summary) return null;
  let total = 0;
  for (const c of summary.site.counts) total += c;
  return { scheduler: summary.site.schedulerTold, telemetry: total - summary.site.schedulerTold };
}
