import { invalidBody } from '../invalid-input.js';
import { z } from 'zod';
import { durationSeconds } from '../duration.js';
import { FIGURE_NAMES, FIGURE_SCOPE, INSTANCE_LABELS, type FigureName } from './figures.js';
import { LABEL_NAME } from './labels.js';
import { templateErrors } from './template.js';

/**
 * Alert rules: a condition over one of Headroom's figures, held for a `for` duration. They come
 * from a file and from PUT /api/v1/alerts/rules; both go through {@link parseAlertRules}.
 */

export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Labels the engine sets itself: a rule setting one would break fingerprints or routing. */
export const RESERVED_LABELS: readonly string[] = ['alertname', 'severity', ...new Set(Object.values(INSTANCE_LABELS).flat())];

const labelName = z.string().regex(LABEL_NAME, 'a label name: letters, digits and _, not starting with a digit').max(100);
const figure = z.enum(FIGURE_NAMES);

const conditionShape = {
  figure,
  op: z.enum(COMPARISON_OPS),
  /** A number, or another figure of the same instance (e.g. `{ figure: 'notice_period_seconds' }`). */
  threshold: z.union([z.number(), z.strictObject({ figure })]),
};
const conditionSchema = z.strictObject(conditionShape);
export type AlertCondition = z.output<typeof conditionSchema>;

export const alertRuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(LABEL_NAME, 'an alert name: letters, digits and _, not starting with a digit')
      .max(100)
      .describe('The alertname label'),
    ...conditionShape,
    or: z.array(conditionSchema).max(8).default([]).describe('Further conditions; the alert is active when any one holds'),
    for: durationSeconds(0).default(0).describe('How long the condition must hold before the alert fires: seconds, or like "6h"'),
    severity: z.enum(SEVERITIES),
    labels: z.record(labelName, z.string().max(500)).default({}),
    annotations: z.record(labelName, z.string().max(2_000)).default({}).describe('Templates, e.g. summary and description'),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const scope = FIGURE_SCOPE[rule.figure];
    const readable = (f: FigureName) => FIGURE_SCOPE[f] === scope || FIGURE_SCOPE[f] === 'site';
    const conditions: Array<[AlertCondition, PropertyKey[]]> = [
      [rule, []],
      ...rule.or.map((c, i): [AlertCondition, PropertyKey[]] => [c, ['or', i]]),
    ];
    for (const [c, at] of conditions) {
      if (!readable(c.figure))
        ctx.addIssue({
          code: 'custom',
          path: [...at, 'figure'],
          message: `"${c.figure}" is per ${FIGURE_SCOPE[c.figure]}; this rule is per ${scope}`,
        });
      if (typeof c.threshold !== 'number' && !readable(c.threshold.figure)) {
        ctx.addIssue({
          code: 'custom',
          path: [...at, 'threshold', 'figure'],
          message: `"${c.threshold.figure}" is per ${FIGURE_SCOPE[c.threshold.figure]}; this rule is per ${scope}`,
        });
      }
    }
    for (const name of Object.keys(rule.labels)) {
      if (RESERVED_LABELS.includes(name))
        ctx.addIssue({ code: 'custom', path: ['labels', name], message: `"${name}" is set by the engine` });
    }
    for (const [name, template] of Object.entries(rule.annotations)) {
      for (const message of templateErrors(template, scope)) ctx.addIssue({ code: 'custom', path: ['annotations', name], message });
    }
  });

export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;

/** The body of PUT /api/v1/alerts/rules and the rules file: the whole list, names unique. */
export const alertRulesSchema = z
  .array(alertRuleSchema)
  .max(200)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name "${rule.name}"` });
      seen.add(rule.name);
    });
  });

/**
 * Parses a list of rules (the PUT body or the rules file).
 * @returns the rules with defaults filled in and `for` in seconds.
 * @throws DomainError('invalid', "<path>: <message>", { path }) at the first problem, `path`
 *   dotted like zod's (`2.annotations.summary`).
 */
export function parseAlertRules(body: unknown): AlertRule[] {
  const parsed = alertRulesSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  return invalidBody(parsed.error, 'invalid alert rules');
}

/** Whether `value op threshold` holds. NaN never holds (it is "unknown", see figures.ts). */
export function compare(value: number, op: ComparisonOp, threshold: number): boolean {
  if (Number.isNaN(value) || Number.isNaN(threshold)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}
