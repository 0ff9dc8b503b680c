import { figuresVisibleFrom, FIGURE_SCOPE, type FigureName, type FigureScope } from './figures.js';
import { formatCount, formatDuration, formatNumber, formatPercent, formatPower, formatUsd, formatUsdPerMonth } from './format.js';
import type { Labels } from './labels.js';

/**
 * Annotation templates: `{{ value | power }} sellable for the last {{ active | duration }}`.
 * A deliberately small language (a variable and an optional formatter), checked when a rule is
 * saved, so a typo is a 400 on PUT and never an empty annotation at 3 a.m. A leading `$` is
 * accepted (`{{ $value }}`, `{{ $labels.hall }}`) for people used to Prometheus rules.
 *
 * Variables: `value` (the rule's figure), `threshold`, `for` (the rule's `for`, seconds),
 * `active` (seconds since the condition started holding), `labels.<name>` (the alert's labels;
 * a missing one is empty, as Go templates' missingkey=zero), `figures.<figure>` (any figure of
 * the instance or its site). Formatters: see {@link FORMATTERS}; without one, a number prints to
 * three significant digits.
 */

export const FORMATTERS: Readonly<Record<string, (n: number) => string>> = {
  usd: formatUsd,
  usd_month: formatUsdPerMonth,
  power: formatPower,
  mw: formatPower,
  count: formatCount,
  number: formatNumber,
  percent: formatPercent,
  duration: formatDuration,
};

export interface TemplateContext {
  value: number | null;
  threshold: number | null;
  forSeconds: number;
  activeSeconds: number;
  labels: Labels;
  figures: Partial<Record<FigureName, number>>;
}

const PLACEHOLDER = /\{\{(.*?)\}\}/g;
const EXPRESSION = /^\s*\$?(value|threshold|for|active|labels\.([A-Za-z_][A-Za-z0-9_]*)|figures\.([a-z_]+))\s*(?:\|\s*([a-z_]+)\s*)?$/;

interface Expression {
  variable: 'value' | 'threshold' | 'for' | 'active' | 'label' | 'figure';
  name: string;
  formatter: string | null;
}

function parseExpression(text: string): Expression | null {
  const m = EXPRESSION.exec(text);
  if (!m || !m[1]) return null;
  const formatter = m[4] ?? null;
  if (m[2] !== undefined) return { variable: 'label', name: m[2], formatter };
  if (m[3] !== undefined) return { variable: 'figure', name: m[3], formatter };
  return { variable: m[1] as Expression['variable'], name: m[1], formatter };
}

/** What is wrong with a template for a rule of `scope`; empty when it is fine. */
export function templateErrors(template: string, scope: FigureScope): string[] {
  const errors: string[] = [];
  const visible = new Set<string>(figuresVisibleFrom(scope));
  for (const [whole, inner = ''] of template.matchAll(PLACEHOLDER)) {
    const expr = parseExpression(inner);
    if (!expr)
      errors.push(
        `${whole}: expected {{ value }}, {{ threshold }}, {{ for }}, {{ active }}, {{ labels.<name> }} or {{ figures.<figure> }}, optionally "| formatter"`,
      );
    else if (expr.formatter !== null && !Object.hasOwn(FORMATTERS, expr.formatter)) {
      errors.push(`${whole}: unknown formatter "${expr.formatter}"; one of ${Object.keys(FORMATTERS).join(', ')}`);
    } else if (expr.variable === 'figure' && !visible.has(expr.name)) {
      errors.push(
        Object.hasOwn(FIGURE_SCOPE, expr.name)
          ? `${whole}: figure "${expr.name}" is per ${FIGURE_SCOPE[expr.name as FigureName]}, not readable from a ${scope} rule`
          : `${whole}: unknown figure "${expr.name}"`,
      );
    } else if (expr.variable === 'label' && expr.formatter !== null) errors.push(`${whole}: labels are text and take no formatter`);
  }
  return errors;
}

function numberOf(expr: Expression, ctx: TemplateContext): number | null {
  switch (expr.variable) {
    case 'value':
      return ctx.value;
    case 'threshold':
      return ctx.threshold;
    case 'for':
      return ctx.forSeconds;
    case 'active':
      return ctx.activeSeconds;
    default:
      return ctx.figures[expr.name as FigureName] ?? null;
  }
}

/** Fills a template. An expression that does not parse renders empty (templates are checked on save). */
export function renderTemplate(template: string, ctx: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_whole, inner: string) => {
    const expr = parseExpression(inner);
    if (!expr) return '';
    if (expr.variable === 'label') return Object.hasOwn(ctx.labels, expr.name) ? (ctx.labels[expr.name] ?? '') : '';
    const n = numberOf(expr, ctx);
    if (n === null) return 'n/a';
    const format = (expr.formatter !== null ? FORMATTERS[expr.formatter] : undefined) ?? formatNumber;
    return format(n);
  });
}
