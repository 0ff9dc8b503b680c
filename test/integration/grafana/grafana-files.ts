import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where the Prometheus and Grafana files of issue #4 live, as absolute paths. */
const ROOT = new URL('../../../', import.meta.url).pathname;
export const GRAFANA_DIR = join(ROOT, 'grafana');
export const DASHBOARDS_DIR = join(GRAFANA_DIR, 'dashboards');
export const DATASOURCE_FILE = join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yaml');
export const DASHBOARD_PROVIDER_FILE = join(GRAFANA_DIR, 'provisioning/dashboards/headroom.yaml');
export const PROMETHEUS_CONFIG = join(GRAFANA_DIR, 'prometheus/prometheus.yml');
/** The rule files prometheus.yml loads; pass them as `rule_files` to a test Prometheus. */
export const RULE_FILES = {
  recording: join(GRAFANA_DIR, 'prometheus/recording-rules.yml'),
  alerting: join(GRAFANA_DIR, 'prometheus/alerting-rules.yml'),
} as const;

/** The datasource uid the provisioning file gives Grafana; every dashboard must point at it. */
export function provisionedDatasourceUid(): string {
  const uids = [...readFileSync(DATASOURCE_FILE, 'utf8').matchAll(/^\s+uid:\s*(\S+)\s*$/gm)].map((m) => m[1]);
  if (uids.length !== 1 || uids[0] === undefined)
    throw new Error(`expected one datasource uid in ${DATASOURCE_FILE}, found ${uids.length}`);
  return uids[0];
}

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  format?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  fieldConfig?: {
    defaults: {
      unit?: string;
      decimals?: number;
      thresholds?: { steps: Array<{ color: string; value: number | null }> };
      custom?: { footer?: { reducers?: string[] } };
    };
    overrides: Array<{ matcher: { id: string; options?: unknown }; properties: Array<{ id: string; value?: unknown }> }>;
  };
  targets?: DashboardTarget[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  datasource?: { type?: string; uid?: string } | null;
}

/** The parts of a dashboard JSON these checks read; the full shape is the schema test's job. */
export interface DashboardFile {
  file: string;
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one dashboard file, checking only what the narrowing to `DashboardFile` relies on. */
export function parseDashboard(text: string, file: string): DashboardFile {
  const json: unknown = JSON.parse(text);
  if (!isRecord(json) || typeof json.uid !== 'string' || typeof json.title !== 'string' || typeof json.schemaVersion !== 'number') {
    throw new Error(`${file}: not a dashboard (uid, title, schemaVersion)`);
  }
  if (!Array.isArray(json.panels) || !json.panels.every(isRecord)) throw new Error(`${file}: panels is not a list of objects`);
  if (!isRecord(json.templating) || !Array.isArray(json.templating.list)) throw new Error(`${file}: templating.list missing`);
  return { ...(json as unknown as Omit<DashboardFile, 'file'>), file };
}

/** Every grafana/dashboards/*.json, sorted by file name. */
export function readDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseDashboard(readFileSync(join(DASHBOARDS_DIR, f), 'utf8'), f));
}
