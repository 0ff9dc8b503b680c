import { describe, expect, it } from 'vitest';
import { readDashboards, type DashboardPanel } from './grafana-files.js';
import {
  dashboardQueries,
  FLEET_WIDE_BY_DESIGN,
  interpolateQuery,
  metricNamesIn,
  provisionedDatasourceUid,
  scrapedSeriesNames,
} from './metric-families.js';

/** House rules for the Grafana dashboards, checked over the JSON without Grafana. */
const dashboards = readDashboards();
const uid = provisionedDatasourceUid();
const panels = dashboards.flatMap((d) =>
  d.panels.filter((p) => p.type !== 'row').map((panel) => ({ d, panel, key: `${d.uid}/${panel.title}` })),
);
const exprsOf = (p: DashboardPanel) => (p.targets ?? []).map((t) => t.expr);

/** Grafana unit ids we use (grafana-data valueFormats/categories.ts); a typo such as "watts" renders unitless. */
const UNITS = new Set(['none', 'short', 'watt', 'currencyUSD', 's', 'percentunit', 'bytes', 'cps']);
/** The unit a metric's name promises (Prometheus base-unit suffixes), and the Grafana units that show it. */
const UNIT_OF_SUFFIX: Array<[RegExp, string[]]> = [
  [/_watts$/, ['watt']],
  [/_usd(_per_month)?$/, ['currencyUSD']],
  [/_bytes$/, ['bytes']],
  [/_seconds$/, ['s']],
  [/_ratio$/, ['percentunit']],
  [/_gpus$/, ['none', 'short']],
];
const groupsBySite = (expr: string) => /\bby\s*\([^)]*\bsite\b[^)]*\)/.test(expr);
const groupings = (expr: string) => [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].map((m) => m[1] ?? '');

describe('dashboard files', () => {
  it('are the four Headroom dashboards, with distinct uids', () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual(['Collector health', 'Contracts', 'Fleet overview', 'Sellable capacity & value']);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
  });

  it.each(dashboards)('$file uses the current JSON model (schemaVersion 39 or later)', (d) => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it.each(dashboards)('$file has the multi-select `site` variable over headroom_site_info, with All', (d) => {
    const site = d.templating.list.find((v) => v.name === 'site');
    expect(site).toMatchObject({ type: 'query', multi: true, includeAll: true, datasource: { type: 'prometheus', uid } });
    const query = typeof site?.query === 'string' ? site.query : site?.query?.query;
    expect(query?.replace(/\s+/g, '')).toBe('label_values(headroom_site_info,site)');
  });

  it.each(dashboards)('$file lays panels on the 24-column grid without overlap, ids unique', (d) => {
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const [i, a] of d.panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of d.panels.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });
});

describe('every panel', () => {
  it.each(panels)('$key has a known unit and thresholds', ({ panel }) => {
    const defaults = panel.fieldConfig?.defaults;
    expect(UNITS).toContain(defaults?.unit);
    expect(defaults?.thresholds?.steps[0]?.value).toBeNull();
    for (const o of panel.fieldConfig?.overrides ?? []) {
      for (const p of o.properties.filter((p) => p.id === 'unit')) expect(UNITS).toContain(p.value);
    }
  });

  it.each(panels)('$key shows money with decimals, so 80.3M rather than 80M', ({ panel }) => {
    const defaults = panel.fieldConfig?.defaults;
    if (defaults?.unit === 'currencyUSD') expect(defaults.decimals).toBeTypeOf('number');
    for (const o of panel.fieldConfig?.overrides ?? []) {
      if (o.properties.some((p) => p.id === 'unit' && p.value === 'currencyUSD'))
        expect(o.properties.some((p) => p.id === 'decimals') || defaults?.decimals !== undefined).toBe(true);
    }
  });

  it.each(panels)('$key uses the unit its metrics name', ({ panel }) => {
    // Only plain reads: a ratio (`/`), a counter rate or a histogram quantile has its own unit.
    const plain = exprsOf(panel).filter((e) => !e.includes('/') && !/_total\b|_bucket\b/.test(e));
    const units = new Set(plain.flatMap(metricNamesIn).map((n) => UNIT_OF_SUFFIX.find(([re]) => re.test(n))?.[1].join('|') ?? '?'));
    if (units.size !== 1 || units.has('?') || panel.type === 'table') return;
    expect([...units][0]?.split('|')).toContain(panel.fieldConfig?.defaults.unit);
  });

  it.each(panels)('$key queries the provisioned datasource', ({ panel }) => {
    expect(panel.datasource).toEqual({ type: 'prometheus', uid });
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const t of panel.targets ?? []) expect(t.datasource, t.refId).toEqual({ type: 'prometheus', uid });
  });

  it.each(panels)('$key selects the chosen sites in every query', ({ panel, key }) => {
    if (key in FLEET_WIDE_BY_DESIGN) return;
    for (const expr of exprsOf(panel)) {
      const selectors = expr.match(/\b[a-z_:]+\{[^}]*\}/g) ?? [];
      expect(selectors.length, expr).toBeGreaterThan(0);
      for (const s of selectors) expect(s, expr).toContain('site=~"$site"');
    }
  });

  it.each(panels)('$key shows each site and the selected sites together', ({ panel, key }) => {
    if (key in FLEET_WIDE_BY_DESIGN) return;
    const exprs = exprsOf(panel);
    expect(exprs.some(groupsBySite), 'a query grouped by site').toBe(true);
    // Across sites: a query with an aggregation that drops `site` (a bare `sum(`, or a `by (…)`
    // without site; we write by-clauses before the parentheses), or a table footer summing rows.
    const across = exprs.some((e) => /\b(?:sum|min|max|avg|count)\s*\(/.test(e) || groupings(e).some((g) => !/\bsite\b/.test(g)));
    const footer = panel.type === 'table' && (panel.fieldConfig?.defaults.custom?.footer?.reducers?.length ?? 0) > 0;
    expect(across || footer, 'a query across the selected sites').toBe(true);
  });
});

describe('dashboard queries', () => {
  const known = scrapedSeriesNames();

  it('read only series the spec lists, or `up`, so they work without our recording rules', () => {
    const unknown = dashboardQueries().flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${q.file} / ${q.panelTitle}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('read every Headroom family the spec marks as the sellable and risk story', () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricNamesIn(q.expr)));
    for (const name of [
      'headroom_sellable_value_usd_per_month',
      'headroom_sellable_watts',
      'headroom_oversold',
      'headroom_oversold_lead_seconds',
      'headroom_contract_revenue_usd_per_month',
      'headroom_telemetry_age_seconds',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it('interpolate $site as Grafana does for one site, several and All', () => {
    const expr = 'sum by (site) (rate(headroom_ingested_samples_total{site=~"$site"}[$__rate_interval]))';
    expect(interpolateQuery(expr, { sites: ['alpha'] })).toBe('sum by (site) (rate(headroom_ingested_samples_total{site=~"alpha"}[1m]))');
    expect(interpolateQuery(expr, { sites: ['alpha', 'beta'], rateInterval: '2m' })).toBe(
      'sum by (site) (rate(headroom_ingested_samples_total{site=~"(alpha|beta)"}[2m]))',
    );
    expect(interpolateQuery(expr, { sites: 'all' })).toContain('site=~".+"');
    expect(interpolateQuery('x{site=~"$site"}', { sites: ['eu.1'] })).toBe('x{site=~"eu\\\\.1"}');
    expect(() => interpolateQuery('x{hall=~"$hall"}', { sites: 'all' })).toThrow(/\$hall/);
  });
});

describe('thresholds mark the danger zones', () => {
  const byTitle = (title: string) => panels.find((p) => p.panel.title === title)?.panel.fieldConfig?.defaults.thresholds?.steps ?? [];

  it('turns an oversold site red', () => {
    expect(byTitle('Oversold')).toContainEqual({ color: 'red', value: 1 });
  });

  it('turns negative power headroom red', () => {
    expect(byTitle('Power headroom').slice(0, 2)).toEqual([
      { color: 'red', value: null },
      { color: 'orange', value: 0 },
    ]);
  });

  it('turns a shortfall under 7 days red and under 14 days orange', () => {
    for (const title of ['Time to forecast shortfall', 'Time to shortfall risk (high band)']) {
      expect(byTitle(title)).toEqual([
        { color: 'red', value: null },
        { color: 'orange', value: 7 * 86_400 },
        { color: 'green', value: 14 * 86_400 },
      ]);
    }
  });

  it('turns telemetry older than the 60 s alert red', () => {
    expect(byTitle('Oldest telemetry')).toContainEqual({ color: 'red', value: 60 });
  });
});
