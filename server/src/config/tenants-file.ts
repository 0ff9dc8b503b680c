import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { tenantsProblems, type Tenants } from '../domain/scheduler/tenants.js';

/**
 * TENANTS_FILE: who owns the scheduler's allocations. JSON:
 *
 *   { "internal": [{ "team": "pretrain", "accounts": ["pretrain"], "partitions": [], "namespaces": [] }],
 *     "customers": [{ "customer": "Aurora Labs", "accounts": ["aurora-labs"] }],
 *     "unmatched": { "team": "other" } }          // or null: an unnamed owner is reported unknown
 *
 * `customer` is the contract book's customer name. Lists default to empty; a team or customer
 * must name at least one account, partition or namespace, and no name may go to two tenants.
 */

const names = z.array(z.string().min(1).max(200)).max(10_000).default([]);
const owners = { accounts: names, partitions: names, namespaces: names };
const tenantsFileSchema = z.strictObject({
  internal: z.array(z.strictObject({ team: z.string().min(1).max(100), ...owners })).default([]),
  customers: z.array(z.strictObject({ customer: z.string().min(1).max(200), ...owners })).default([]),
  unmatched: z
    .strictObject({ team: z.string().min(1).max(100) })
    .nullable()
    .default(null),
});

export class TenantsFileError extends Error {
  constructor(file: string, problem: string) {
    super(`TENANTS_FILE ${file}: ${problem}`);
    this.name = 'TenantsFileError';
  }
}

/** Parses a tenants file's text; throws TenantsFileError naming the file and the first problem. */
export function parseTenants(text: string, file: string): Tenants {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TenantsFileError(file, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = tenantsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TenantsFileError(file, `${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const { internal, customers, unmatched } = parsed.data;
  const tenants: Tenants = {
    rules: [
      ...internal.map(({ team, ...rest }) => ({ tenant: { kind: 'internal' as const, team }, ...rest })),
      ...customers.map(({ customer, ...rest }) => ({ tenant: { kind: 'customer' as const, customer }, ...rest })),
    ],
    unmatched: unmatched ? { kind: 'internal', team: unmatched.team } : null,
  };
  const problems = tenantsProblems(tenants);
  if (problems.length > 0) throw new TenantsFileError(file, problems[0] ?? 'invalid');
  return tenants;
}

export function readTenantsFile(file: string): Tenants {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TenantsFileError(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseTenants(text, file);
}

/** TENANTS_FILE read and checked at start (config.ts): a bad file stops the start, naming the file and the problem. */
export function tenantsFromFile(file: string): Tenants {
  try {
    return readTenantsFile(file);
  } catch (error) {
    throw new Error(`invalid configuration: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
