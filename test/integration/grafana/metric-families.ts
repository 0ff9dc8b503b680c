import { RULE_FILES } from './grafana-files.js';
import { readRuleFile, type RuleDefinition } from './rule-files.js';

/**
 * The /metrics families of the Headroom contract (docs/prometheus-grafana.md, "Metrics"), the
 * one list dashboards, rules and the end-to-end Prometheus test check names against. Every
 * family also carries `site`; Prometheus adds `job` and `instance`.
 */
export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  /** Labels besides `site`. */
  labels: readonly string[];
  /** Series exist only once this is so (a family with a label per receiver has none without receivers). */
  onlyWhen?: string;
}

const gauge = (name: string, ...labels: string[]): MetricFamily => ({ name, type: 'gauge', labels });
const counter = (name: string, ...labels: string[]): MetricFamily => ({ name, type: 'counter', labels });
const histogram = (name: string, ...labels: string[]): MetricFamily => ({ name, type: 'histogram', labels });

export const HEADROOM_FAMILIES: readonly MetricFamily[] = [
  // Fleet
  gauge('headroom_site_info', 'name', 'preset', 'version', 'simulated'),
  gauge('headroom_gpus', 'hall', 'state'),
  gauge('headroom_gpu_utilization_ratio', 'hall'),
  gauge('headroom_power_feed_watts'),
  gauge('headroom_power_it_draw_watts', 'hall'),
  gauge('headroom_power_facility_draw_watts', 'hall'),
  gauge('headroom_power_headroom_watts'),
  gauge('headroom_power_stranded_watts'),
  gauge('headroom_stranded_gpus'),
  gauge('headroom_telemetry_age_seconds', 'hall'),
  { ...gauge('headroom_unknown_model_gpus', 'model_name'), onlyWhen: 'a GPU reports a model the table lacks' },
  gauge('headroom_gpu_model_mismatch_gpus'),
  gauge('headroom_model_gpus', 'model', 'state'),
  gauge('headroom_model_facility_watts', 'model'),
  // Capacity
  gauge('headroom_capacity_gpus', 'class'),
  gauge('headroom_model_capacity_gpus', 'model', 'class'),
  gauge('headroom_model_sellable_value_usd_per_month', 'model'),
  gauge('headroom_model_oversold_shortfall_gpus', 'model'),
  gauge('headroom_sellable_gpus', 'hall'),
  gauge('headroom_sellable_watts', 'hall'),
  gauge('headroom_sellable_blocks', 'hall'),
  gauge('headroom_sellable_value_usd_per_month', 'hall'),
  gauge('headroom_forecast_peak_internal_gpus', 'band'),
  gauge('headroom_capacity_horizon_seconds'),
  gauge('headroom_planned_internal_gpus', 'when'),
  // Money
  gauge('headroom_contract_revenue_usd_per_month', 'customer'),
  gauge('headroom_contracted_gpus', 'customer'),
  gauge('headroom_contracted_watts', 'customer'),
  gauge('headroom_contract_value_usd', 'customer', 'measure'),
  gauge('headroom_contracts', 'status'),
  // Risk
  gauge('headroom_oversold'),
  gauge('headroom_oversold_shortfall_gpus'),
  gauge('headroom_oversold_lead_seconds', 'band'),
  // Collector
  counter('headroom_ingested_samples_total', 'source'),
  counter('headroom_ingested_batches_total', 'source'),
  counter('headroom_rejected_batches_total', 'source', 'reason'),
  histogram('headroom_scrape_duration_seconds', 'target'),
  counter('headroom_scrape_failures_total', 'target'),
  gauge('headroom_scrape_last_success_timestamp_seconds', 'target'),
  gauge('headroom_scrape_targets', 'health'),
  histogram('headroom_collection_round_duration_seconds'),
  gauge('headroom_rollup_lag_seconds'),
  gauge('headroom_sqlite_size_bytes', 'file'),
  // Alert delivery (issue 5).
  gauge('headroom_webhook_queue_depth'),
  gauge('headroom_webhook_oldest_pending_age_seconds'),
  { ...counter('headroom_webhook_notifications_sent_total', 'receiver'), onlyWhen: 'a webhook receiver got a notification' },
  { ...counter('headroom_webhook_delivery_failures_total', 'receiver'), onlyWhen: 'a delivery failed' },
  { ...counter('headroom_webhook_notifications_retried_total', 'receiver'), onlyWhen: 'a delivery was retried' },
  { ...counter('headroom_webhook_notifications_dead_lettered_total', 'receiver'), onlyWhen: 'a notification was dead-lettered' },
  { ...histogram('headroom_webhook_delivery_duration_seconds', 'receiver'), onlyWhen: 'a webhook receiver got a notification' },
  { ...counter('headroom_alertmanager_forwards_total', 'outcome'), onlyWhen: 'ALERTMANAGER_URLS is set and alerts were forwarded' },
  // Live dashboard (issue 6).
  gauge('headroom_live_clients'),
  counter('headroom_live_bytes_sent_total'),
  // Scheduler truth (issue 18; docs/scheduler.md): registered on every site, read from Slurm when SLURM_REST_URL is set.
  gauge('headroom_gpus_told_by', 'source'),
  counter('headroom_scheduler_polls_total'),
  { ...counter('headroom_scheduler_poll_errors_total', 'reason'), onlyWhen: 'a scheduler poll failed' },
  gauge('headroom_scheduler_up'),
  gauge('headroom_scheduler_allocation_age_seconds'),
  gauge('headroom_scheduler_pending_gpus'),
  gauge('headroom_scheduler_maintenance_nodes'),
  gauge('headroom_scheduler_jobs_on_unknown_nodes'),
  // Tenants (docs/scheduler.md#tenants): series once a scheduler covers a node.
  { ...gauge('headroom_gpus_by_tenant', 'class', 'state'), onlyWhen: 'a scheduler covers a node' },
  { ...gauge('headroom_team_gpus', 'team', 'state'), onlyWhen: 'a scheduler covers a node' },
  { ...gauge('headroom_team_held_value_usd_per_month', 'team'), onlyWhen: 'a scheduler covers a node with a team holding priced GPUs' },
  { ...gauge('headroom_internal_on_sold_gpus'), onlyWhen: 'a scheduler covers a node' },
  { ...gauge('headroom_customer_on_unsold_gpus'), onlyWhen: 'a scheduler covers a node' },
];

/** The prom-client default families the spec names (it lists more with "…"; add them here when used). */
export const PROCESS_FAMILIES: readonly MetricFamily[] = [
  counter('process_cpu_seconds_total'),
  gauge('process_resident_memory_bytes'),
  gauge('nodejs_eventloop_lag_seconds'),
  gauge('nodejs_heap_size_used_bytes'),
];

/** Series Prometheus writes itself for every target. */
export const PROMETHEUS_SERIES: readonly string[] = ['up'];

/** Series names a family exposes: a histogram's `_bucket`, `_sum` and `_count`, never its bare name. */
export function seriesNamesOf(family: MetricFamily): string[] {
  return family.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => family.name + s) : [family.name];
}

/** Every series name a query may read from a scrape of Headroom (no recording rules). */
export function scrapedSeriesNames(): Set<string> {
  return new Set([...[...HEADROOM_FAMILIES, ...PROCESS_FAMILIES].flatMap(seriesNamesOf), ...PROMETHEUS_SERIES]);
}

/** Every rule of grafana/prometheus: recording rules first, then alerts, in file order. */
export function ruleExpressions(): RuleDefinition[] {
  return [...readRuleFile(RULE_FILES.recording), ...readRuleFile(RULE_FILES.alerting)];
}

/** Names the recording rules write. */
export function recordedSeriesNames(): Set<string> {
  return new Set(readRuleFile(RULE_FILES.recording).map((r) => r.name));
}

export { dashboardQueries, FLEET_WIDE_BY_DESIGN, interpolateQuery, type Interpolation, type PanelQuery } from './dashboard-queries.js';
export { DATASOURCE_FILE, PROMETHEUS_CONFIG, provisionedDatasourceUid, RULE_FILES } from './grafana-files.js';
export { metricNamesIn } from './promql-names.js';
export type { RuleDefinition } from './rule-files.js';
