import { describe, expect, it } from 'vitest';
import { metricNamesIn, recordedSeriesNames, ruleExpressions, scrapedSeriesNames } from './metric-families.js';
import { parseRuleFile } from './rule-files.js';

/** House rules for the recording and alerting rules, checked without Prometheus. */
const rules = ruleExpressions();
const recording = rules.filter((r) => r.kind === 'record');
const alerts = rules.filter((r) => r.kind === 'alert');

describe('recording rules', () => {
  it.each(recording)('$name is named level:metric:operations after what it reads and keeps', (r) => {
    const m = /^([a-z_]*):([a-z_]+):([a-z0-9_]+)$/.exec(r.name);
    expect(m, r.name).not.toBeNull();
    const [, level = '', metric = '', operation = ''] = m ?? [];
    // The metric part is the family read, without `_total` once a counter is rated.
    expect(metricNamesIn(r.expr).map((n) => n.replace(/_total$|_bucket$/, ''))).toContain(metric);
    // The level lists the labels kept, in order; empty when the result is fleet-wide.
    const kept =
      /\bby\s*\(([^)]*)\)/
        .exec(r.expr)?.[1]
        ?.split(',')
        .map((l) => l.trim())
        .filter((l) => l !== 'le') ?? [];
    expect(level).toBe(kept.join('_'));
    expect(operation).toMatch(/^(sum|max|weighted_mean|rate5m|p95_rate5m)$/);
  });

  it('are unique', () => {
    expect(new Set(recording.map((r) => r.name)).size).toBe(recording.length);
  });
});

describe('alerting rules', () => {
  it('include the alerts issue #4 asks for', () => {
    expect(alerts.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'HeadroomSellableCapacityIdle',
        'HeadroomOversold',
        'HeadroomOversoldRiskSoon',
        'HeadroomTelemetryStale',
        'HeadroomScrapeFailing',
        'HeadroomDown',
      ]),
    );
  });

  it.each(alerts)('$name has a severity, a summary and a description', (a) => {
    expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
    expect(a.annotations.summary?.length).toBeGreaterThan(10);
    expect(a.annotations.description?.length).toBeGreaterThan(30);
    expect(a.for, 'a `for` so one bad scrape does not page').toMatch(/^\d+[smh]$/);
  });

  it.each(alerts)('$name keeps the site label, for one Prometheus watching many sites', (a) => {
    // Either the expression groups by site, or the series it reads carry site (up gets it from the target label).
    const keeps = /\bby\s*\([^)]*\bsite\b/.test(a.expr) || /^up\{/.test(a.expr);
    expect(keeps, a.expr).toBe(true);
    expect(`${a.annotations.summary ?? ''}${a.annotations.description ?? ''}`).toContain('$labels.site');
  });

  it('formats the sellable value with humanize, and waits 6 h before calling it idle', () => {
    const idle = alerts.find((a) => a.name === 'HeadroomSellableCapacityIdle');
    expect(idle?.for).toBe('6h');
    expect(idle?.annotations.description).toMatch(/\$value \| humanize/);
    expect(idle?.annotations.description).toContain('headroom_sellable_value_usd_per_month');
  });

  it('fires on telemetry older than 60 s for 2 min, and on Headroom down', () => {
    expect(alerts.find((a) => a.name === 'HeadroomTelemetryStale')).toMatchObject({ for: '2m', expr: expect.stringContaining('> 60') });
    expect(alerts.find((a) => a.name === 'HeadroomDown')?.expr).toBe('up{job="headroom"} == 0');
  });
});

describe('every rule expression', () => {
  it('reads only series the spec lists, recording rules, or `up`', () => {
    const known = new Set([...scrapedSeriesNames(), ...recordedSeriesNames()]);
    // Annotation templates query too: `query "sum(x{…})"`.
    const templateQueries = (r: (typeof rules)[number]) =>
      [
        ...Object.values(r.annotations)
          .join(' ')
          .matchAll(/printf "([^"]+)"/g),
      ].map((m) => m[1] ?? '');
    const unknown = rules.flatMap((r) =>
      [r.expr, ...templateQueries(r)]
        .flatMap(metricNamesIn)
        .filter((n) => !known.has(n))
        .map((n) => `${r.name}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('the rule file reader', () => {
  it('reads record and alert rules with their labels and annotations', () => {
    const text = [
      'groups:',
      '  - name: g',
      '    rules:',
      '      - record: a:b:sum',
      '        expr: |',
      '          sum by (a) (',
      '            b',
      '          )',
      '      - alert: X # trailing comment',
      '        expr: b > 1',
      '        for: 5m',
      '        labels:',
      '          severity: warning',
      '        annotations:',
      '          summary: "{{ $labels.a }}: b is high"',
      '          description: >-',
      '            b is {{ $value }}',
      "            and that's bad",
    ].join('\n');
    expect(parseRuleFile(text, 'x.yml')).toEqual([
      { file: 'x.yml', group: 'g', kind: 'record', name: 'a:b:sum', expr: 'sum by (a) (\n  b\n)', labels: {}, annotations: {} },
      {
        file: 'x.yml',
        group: 'g',
        kind: 'alert',
        name: 'X',
        expr: 'b > 1',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: { summary: '{{ $labels.a }}: b is high', description: "b is {{ $value }} and that's bad" },
      },
    ]);
  });

  it('refuses a rule it cannot read rather than skip it', () => {
    expect(() => parseRuleFile('groups:\n  - name: g\n    rules:\n      - [oops]\n', 'x.yml')).toThrow(/x.yml: groups.0.rules.0/);
  });
});

describe('the metric-name tokenizer', () => {
  it.each([
    ['sum by (site, state) (headroom_gpus{site=~"$site", state="idle"})', ['headroom_gpus']],
    [
      'histogram_quantile(0.95, sum by (le) (rate(headroom_scrape_duration_seconds_bucket[5m])))',
      ['headroom_scrape_duration_seconds_bucket'],
    ],
    ['a * on (site, hall) group_left (x) b offset 1h > bool 2e3', ['a', 'b']],
    ['min(x{band="high"}) < 14 * 86400 unless on (site) y == 1', ['x', 'y']],
    ['clamp_max(x, +Inf) or vector(0) and time() - z', ['x', 'z']],
    ['label_replace(x, "dst", "$1", "src", "(.*)")', ['x']],
  ])('reads %s', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });
});
