import { readDashboards } from './grafana-files.js';

export interface PanelQuery {
  /** Dashboard file name, e.g. `fleet-overview.json`. */
  file: string;
  dashboardUid: string;
  dashboard: string;
  panelId: number;
  panelTitle: string;
  panelType: string;
  refId: string;
  /** As written in the dashboard, with Grafana variables (`$site`, `$__rate_interval`). */
  expr: string;
  legendFormat: string;
  /** Grafana runs it as an instant query (tables); otherwise as a range query. */
  instant: boolean;
}

/**
 * Panels whose queries do not select `$site`, and why. Everything else must.
 * Keyed `<dashboard uid>/<panel title>`.
 */
export const FLEET_WIDE_BY_DESIGN: Readonly<Record<string, string>> = {
  'headroom-collector-health/Headroom processes up':
    'reads `up`, which Prometheus writes per target: a Headroom process that is down cannot report its site, so the panel lists every target of the job.',
};

/** Every (dashboard, panel, query) in grafana/dashboards, in file and panel order. */
export function dashboardQueries(): PanelQuery[] {
  return readDashboards().flatMap((d) =>
    d.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({
        file: d.file,
        dashboardUid: d.uid,
        dashboard: d.title,
        panelId: p.id,
        panelTitle: p.title,
        panelType: p.type,
        refId: t.refId,
        expr: t.expr,
        legendFormat: t.legendFormat ?? '',
        instant: t.instant === true,
      })),
    ),
  );
}

export interface Interpolation {
  /** Selected sites, or `all` for the variable's All option (its allValue `.+`). */
  sites: readonly string[] | 'all';
  /** What Grafana would put for `$__rate_interval`; 4 × the 15 s scrape interval by default. */
  rateInterval?: string;
}

/**
 * An expression as Grafana's Prometheus datasource sends it: `$site` (a multi-value variable
 * with All) becomes one regex-escaped site, `(a|b)` for several, or `.+` for All;
 * `$__rate_interval` the given range. Throws on any other variable, so a new one is noticed.
 */
export function interpolateQuery(expr: string, { sites, rateInterval = '1m' }: Interpolation): string {
  if (sites !== 'all' && sites.length === 0) throw new Error('select at least one site');
  const escaped = sites === 'all' ? [] : sites.map((s) => s.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&'));
  const site = sites === 'all' ? '.+' : escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
  const out = expr.replaceAll('$__rate_interval', rateInterval).replace(/\$site\b|\$\{site\}/g, () => site);
  const left = /\$\{?[A-Za-z_]\w*/.exec(out);
  if (left) throw new Error(`unknown Grafana variable ${left[0]} in ${expr}`);
  return out;
}
