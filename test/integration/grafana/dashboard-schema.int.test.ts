import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS_DIR, readDashboards } from './grafana-files.js';
import { typeCheck } from './type-check.js';

/**
 * Each dashboard JSON, pasted into a TypeScript module as an object literal, must satisfy the
 * dashboard types Grafana publishes in @grafana/schema (see dashboard-schema.ts):
 * - `GrafanaDashboardJson`: `Dashboard` exactly as published (string enums read as their values);
 * - `HeadroomDashboardJson`: the same with each panel's `options` and `fieldConfig.defaults.custom`
 *   checked against its plugin's published panelcfg types, and targets against Grafana's
 *   Prometheus query model, which the base `Panel` leaves as `Record<string, unknown>`.
 * `satisfies` on a fresh literal reports excess (misspelled) properties as well as wrong types.
 *
 * Known gaps of the published types, so left out of our files:
 * - Grafana writes `definition` (the query as text) on query variables; `VariableModel` lacks it.
 * - The built-in annotation's `target` is `AnnotationTarget` ({limit, matchAny, tags, type}) in
 *   the raw types but `DataQuery` (needs `refId`) in the veneer `AnnotationQuery`; Grafana's own
 *   built-in annotation only satisfies the first.
 */
const files = readDashboards().map((d) => d.file);
const literal = (file: string) => readFileSync(join(DASHBOARDS_DIR, file), 'utf8').trim();
// `satisfies` must follow the literal on the same line, hence trim() above.
const module = (json: string, type: 'GrafanaDashboardJson' | 'HeadroomDashboardJson') =>
  `import type { ${type} } from './dashboard-schema.js';\nexport const dashboard = ${json} satisfies ${type};\n`;

/** Deliberate breakage of fleet-overview.json: which type must reject it, and the message. */
const BROKEN: Array<{ name: string; from: string; to: string; grafana: boolean; message: RegExp }> = [
  {
    name: 'a misspelled dashboard field',
    from: '"schemaVersion"',
    to: '"schemaVerison"',
    grafana: true,
    message: /'"schemaVerison"' does not exist/,
  },
  { name: 'a misspelled field option', from: '"unit": "none"', to: '"unti": "none"', grafana: true, message: /'"unti"' does not exist/ },
  {
    name: 'a threshold mode Grafana does not know',
    from: '"mode": "absolute"',
    to: '"mode": "absolut"',
    grafana: true,
    message: /"absolut"/,
  },
  { name: 'a grid position as a string', from: '"h": 5', to: '"h": "5"', grafana: true, message: /not assignable to type 'number'/ },
  {
    name: 'a schemaVersion of the wrong type',
    from: '"schemaVersion": 42',
    to: '"schemaVersion": "42"',
    grafana: true,
    message: /not assignable to type 'number'/,
  },
  {
    name: 'a misspelled stat option',
    from: '"colorMode": "value"',
    to: '"colourMode": "value"',
    grafana: false,
    message: /'"colourMode"' does not exist/,
  },
  {
    name: 'a stat graph mode Grafana does not know',
    from: '"graphMode": "area"',
    to: '"graphMode": "sparkline"',
    grafana: false,
    message: /"sparkline"/,
  },
  { name: 'a misspelled Prometheus query field', from: '"expr":', to: '"exrp":', grafana: false, message: /'"exrp"' does not exist/ },
  {
    name: 'a misspelled time-series line option',
    from: '"lineWidth": 1',
    to: '"linewidth": 1',
    grafana: false,
    message: /'"linewidth"' does not exist/,
  },
];

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  // One program for every module: loading @grafana/schema's types once takes most of the time.
  const sources: Record<string, string> = {};
  for (const file of files) {
    sources[`${file}.grafana.ts`] = module(literal(file), 'GrafanaDashboardJson');
    sources[`${file}.headroom.ts`] = module(literal(file), 'HeadroomDashboardJson');
  }
  const base = literal('fleet-overview.json');
  for (const [i, b] of BROKEN.entries()) {
    if (!base.includes(b.from)) throw new Error(`fleet-overview.json no longer contains ${b.from}`);
    const broken = base.replace(b.from, b.to);
    sources[`broken-${i}.grafana.ts`] = module(broken, 'GrafanaDashboardJson');
    sources[`broken-${i}.headroom.ts`] = module(broken, 'HeadroomDashboardJson');
  }
  diagnostics = typeCheck(sources);
}, 60_000);

describe('dashboards against the @grafana/schema types', () => {
  it('finds the four dashboards', () => {
    expect(files).toEqual(
      expect.arrayContaining(['collector-health.json', 'contracts.json', 'fleet-overview.json', 'sellable-capacity.json']),
    );
  });

  it.each(files)('%s satisfies Grafana’s Dashboard type', (file) => {
    expect(diagnostics.get(`${file}.grafana.ts`)).toEqual([]);
  });

  it.each(files)('%s satisfies the panel-plugin and Prometheus query types', (file) => {
    expect(diagnostics.get(`${file}.headroom.ts`)).toEqual([]);
  });
});

describe('the schema check fails broken dashboards', () => {
  it.each(BROKEN.map((b, i) => ({ ...b, i })))('rejects $name', ({ i, grafana, message }) => {
    const strict = diagnostics.get(`broken-${i}.headroom.ts`) ?? [];
    expect(strict.join('\n')).toMatch(message);
    // Grafana's base Panel types options and targets as open records: only our narrowing sees those.
    const base = diagnostics.get(`broken-${i}.grafana.ts`) ?? [];
    if (grafana) expect(base.join('\n')).toMatch(message);
    else expect(base).toEqual([]);
  });
});
