import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';

export interface RuleDefinition {
  /** File name, e.g. `alerting-rules.yml`. */
  file: string;
  group: string;
  kind: 'record' | 'alert';
  /** The recorded series name or the alert name. */
  name: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

// The layout of a Prometheus rule file (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/).
const ruleSchema = z.union([
  z.object({ record: z.string(), expr: z.string(), labels: z.record(z.string(), z.string()).optional() }).strict(),
  z
    .object({
      alert: z.string(),
      expr: z.string(),
      for: z.string().optional(),
      keep_firing_for: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
]);
const ruleFileSchema = z.object({
  groups: z.array(
    z.object({ name: z.string(), interval: z.string().optional(), limit: z.number().optional(), rules: z.array(ruleSchema) }).strict(),
  ),
});

/** Reads a Prometheus rule file with the `yaml` package; throws naming the file and path of what does not fit. */
export function parseRuleFile(text: string, file: string): RuleDefinition[] {
  const parsed = ruleFileSchema.safeParse(YAML.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not a rule file'}`);
  }
  return parsed.data.groups.flatMap((group) =>
    group.rules.map((rule): RuleDefinition => {
      const common = { file: basename(file), group: group.name, expr: rule.expr.trim(), labels: rule.labels ?? {} };
      if ('record' in rule) return { ...common, kind: 'record', name: rule.record, annotations: {} };
      return { ...common, kind: 'alert', name: rule.alert, ...(rule.for ? { for: rule.for } : {}), annotations: rule.annotations ?? {} };
    }),
  );
}

export function readRuleFile(path: string): RuleDefinition[] {
  return parseRuleFile(readFileSync(path, 'utf8'), path);
}
