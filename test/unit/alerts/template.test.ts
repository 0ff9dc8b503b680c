import { describe, expect, it } from 'vitest';
import { renderTemplate, templateErrors, type TemplateContext } from '../../../server/src/domain/alerts/template.js';

function ctx(over: Partial<TemplateContext> = {}): TemplateContext {
  return {
    value: 40_000_000,
    threshold: 0,
    forSeconds: 21_600,
    activeSeconds: 21_600,
    labels: { alertname: 'SellableCapacitySustained', site: 's1' },
    figures: { sellable_value_usd_per_month: 166_666_680, sellable_gpus: 25_600 },
    ...over,
  };
}

describe('renderTemplate', () => {
  it('fills variables through formatters', () => {
    expect(
      renderTemplate('{{ value | power }} for {{ for | duration }}, {{ figures.sellable_value_usd_per_month | usd_month }}', ctx()),
    ).toBe('40 MW for 6 hours, $167M/month');
  });

  it('accepts Prometheus-style $value and $labels, and no spaces', () => {
    expect(renderTemplate('{{$labels.site}}: {{ $value|mw }}', ctx())).toBe('s1: 40 MW');
  });

  it('prints a number with no formatter to three significant digits', () => {
    expect(renderTemplate('{{ value }}', ctx({ value: 40_213_000 }))).toBe('40,200,000');
  });

  it('renders a missing label empty (Go missingkey=zero) and an unknown number as n/a', () => {
    expect(renderTemplate('[{{ labels.hall }}]', ctx())).toBe('[]');
    expect(renderTemplate('{{ figures.sellable_watts | power }}', ctx())).toBe('n/a');
    expect(renderTemplate('{{ value | duration }}', ctx({ value: Infinity }))).toBe('never');
  });

  it('leaves text without placeholders alone', () => {
    expect(renderTemplate('telemetry stopped { not a template }', ctx())).toBe('telemetry stopped { not a template }');
  });
});

describe('templateErrors', () => {
  it('accepts every variable and formatter', () => {
    const t =
      '{{ value | usd }} {{ threshold | number }} {{ for | duration }} {{ active | duration }} {{ labels.site }} {{ figures.oversold | count }} {{ value | percent }} {{ value | mw }} {{ value | power }} {{ value | usd_month }}';
    expect(templateErrors(t, 'site')).toEqual([]);
  });

  it('refuses a formatter on a label: labels are text', () => {
    expect(templateErrors('{{ labels.site | usd }}', 'site')[0]).toMatch(/no formatter/);
  });

  it('lists every error, not just the first', () => {
    expect(templateErrors('{{ x }} {{ value | y }}', 'site')).toHaveLength(2);
  });

  it('lets a per-contract rule read contract and site figures, but not hall ones', () => {
    expect(templateErrors('{{ figures.contract_delivered_gpus }} {{ figures.sellable_gpus }}', 'contract')).toEqual([]);
    expect(templateErrors('{{ figures.telemetry_age_seconds }}', 'contract')).toHaveLength(1);
  });
});
