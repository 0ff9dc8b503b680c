import type { DataQuery, Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type { Options as GaugeOptions } from '@grafana/schema/dist/esm/raw/composable/gauge/panelcfg/x/GaugePanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  FieldConfig as TableFieldConfig,
  Options as TableOptions,
} from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/**
 * The dashboard schema types Grafana publishes in `@grafana/schema`, shaped for checking JSON
 * files with `satisfies` (see dashboard-schema.int.test.ts).
 *
 * Grafana's types use TS enums (ThresholdsMode, FieldColorModeId, BigValueColorMode…); a JSON
 * file holds their values ("absolute", "thresholds"), which a string enum does not accept.
 * `Json<T>` turns every string enum into the union of its values and leaves the rest alone, so
 * `satisfies Json<Dashboard>` checks exactly Grafana's shape as JSON can write it.
 */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T // numeric enums (VariableRefresh, DashboardCursorSync…) accept their number literals as is
    : T extends ReadonlyArray<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** The classic dashboard JSON model (schemaVersion 42 in @grafana/schema 13), as Grafana types it. */
export type GrafanaDashboardJson = Json<Dashboard>;

/**
 * Grafana's Prometheus query model. @grafana/schema does not ship it (a panel's `targets` are
 * `Record<string, unknown>[]` there); this mirrors `Prometheus extends common.DataQuery` of
 * packages/grafana-prometheus/src/dataquery.ts in the Grafana repository.
 */
export interface PrometheusQuery extends Omit<DataQuery, 'datasource'> {
  datasource: { type: 'prometheus'; uid: string };
  editorMode?: 'builder' | 'code';
  exemplar?: boolean;
  expr: string;
  format?: 'time_series' | 'table' | 'heatmap';
  instant?: boolean;
  /** Deprecated upstream, still read. */
  intervalFactor?: number;
  legendFormat?: string;
  range?: boolean;
}

/** `custom` field config of a panel plugin; `never` for plugins without one (stat, gauge, bargauge). */
interface FieldConfigSourceOf<TCustom> extends Omit<FieldConfigSource, 'defaults'> {
  defaults: Omit<FieldConfig, 'custom'> & { custom?: TCustom };
}

/**
 * A panel whose `options` and `fieldConfig.defaults.custom` are checked against that plugin's
 * published panelcfg types (the base `Panel` leaves both as `Record<string, unknown>`).
 */
type PanelOf<TType extends string, TOptions, TCustom = never> = Omit<
  Panel,
  'type' | 'options' | 'fieldConfig' | 'targets' | 'datasource'
> & {
  type: TType;
  datasource: PrometheusQuery['datasource'];
  options: TOptions;
  fieldConfig: FieldConfigSourceOf<TCustom>;
  targets: PrometheusQuery[];
};

export type HeadroomPanel =
  | PanelOf<'stat', StatOptions>
  | PanelOf<'gauge', GaugeOptions>
  | PanelOf<'bargauge', BarGaugeOptions>
  | PanelOf<'timeseries', TimeSeriesOptions, TimeSeriesFieldConfig>
  | PanelOf<'table', TableOptions, TableFieldConfig>
  | RowPanel;

/** Grafana's Dashboard with every panel narrowed to a plugin Headroom uses and its options type. */
export interface HeadroomDashboard extends Omit<Dashboard, 'panels'> {
  panels: HeadroomPanel[];
}

export type HeadroomDashboardJson = Json<HeadroomDashboard>;
