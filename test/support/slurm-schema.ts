import { readFileSync } from 'node:fs';

/**
 * Checks a value against a schema of slurmrestd's v0.0.38 OpenAPI document
 * (test/fixtures/slurm/openapi-v0.0.38.json): types, enums, arrays and $refs, and — stricter
 * than the spec, which allows any property — no property the schema does not declare, so a
 * misspelt field name fails. Returns the problems found, with their paths ([] when valid).
 */
interface Schema {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

const spec = JSON.parse(readFileSync(new URL('../fixtures/slurm/openapi-v0.0.38.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};

export function slurmSchema(name: string): Schema {
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`no schema ${name} in the v0.0.38 spec`);
  return schema;
}

export function checkSlurm(value: unknown, schema: Schema, path = '$', problems: string[] = []): string[] {
  if (schema.$ref) return checkSlurm(value, slurmSchema(schema.$ref.replace('#/components/schemas/', '')), path, problems);
  const type = schema.type;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const ok =
    type === undefined || (type === 'integer' ? Number.isInteger(value) : type === 'number' ? typeof value === 'number' : type === actual);
  if (!ok) problems.push(`${path}: expected ${type}, got ${actual}`);
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => checkSlurm(item, schema.items ?? {}, `${path}[${i}]`, problems));
  if (actual === 'object' && schema.properties) {
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const declared = schema.properties[key];
      if (!declared) problems.push(`${path}.${key}: not a property of the schema`);
      else checkSlurm(field, declared, `${path}.${key}`, problems);
    }
  }
  return problems;
}

/** The response schema of each endpoint the simulator serves. */
export const RESPONSE_SCHEMAS = {
  ping: 'v0.0.38_pings',
  nodes: 'v0.0.38_nodes_response',
  jobs: 'v0.0.38_jobs_response',
  reservations: 'v0.0.38_reservations_response',
} as const;
