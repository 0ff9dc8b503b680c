/**
 * Our JSON push format → IngestBatch. The zod schema is exported so an OpenAPI document
 * can be generated from it; parseJsonPush adds the limits and the error shape.
 */
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import { labelTooLong, longerThan } from './label-length.js';

const MAX_ID_CHARS = 256;
const MAX_REASON_CHARS = 1024;
const POWER_MAX_WATTS = 5000;

const id = z.string().min(1).max(MAX_ID_CHARS);

export const jsonPushGpuSchema = z.strictObject({
  uuid: id.describe('GPU UUID as nvidia-smi/DCGM print it, e.g. GPU-81d79b08-…'),
  host: id.describe('Node host name'),
  index: z.number().int().min(0).max(65535).optional().describe('GPU index on the host'),
  model: z.string().max(MAX_ID_CHARS).optional().describe('Model name, e.g. NVIDIA H100 80GB HBM3'),
  utilizationPercent: z.number().min(0).max(100).nullable().optional(),
  powerWatts: z.number().min(0).max(POWER_MAX_WATTS).nullable().optional().describe('Board power draw, W'),
  powerLimitWatts: z
    .number()
    .min(0)
    .max(POWER_MAX_WATTS)
    .nullable()
    .optional()
    .describe(
      'Power limit the board enforces now, W (nvidia-smi enforced.power.limit); scales the power share of a capped GPU and gives an unknown model its power scale',
    ),
  memoryUsedMiB: z.number().min(0).nullable().optional(),
  memoryTotalMiB: z.number().min(0).nullable().optional(),
  xid: z.number().int().min(0).nullable().optional().describe('Last XID error code (0 = none)'),
});

export const jsonPushNodeSchema = z.strictObject({
  host: id,
  drained: z.boolean(),
  reason: z.string().max(MAX_REASON_CHARS).optional(),
});

export const jsonPushMeterSchema = z.strictObject({
  id,
  scope: z
    .string()
    .max(MAX_ID_CHARS)
    .regex(/^(?:site|hall:[A-Za-z0-9][A-Za-z0-9._-]*)$/, { error: 'must be "site" or "hall:<id>"' })
    .describe('"site" or "hall:<hallId>"'),
  // The upper bound needs the site's feed: validateBatch (domain/fleet/apply-batch.ts) checks it.
  watts: z.number().min(0).describe('Facility-side power, W; at most 2 × the site feed'),
});

type Keyed = { path: Array<string | number>; value: string };

function reportDuplicates(ctx: z.RefinementCtx, items: Keyed[], what: string): void {
  const first = new Map<string, Array<string | number>>();
  for (const item of items) {
    const earlier = first.get(item.value);
    if (earlier === undefined) {
      first.set(item.value, item.path);
    } else {
      ctx.addIssue({ code: 'custom', path: item.path, message: `duplicate ${what} "${item.value}" (first at ${formatPath(earlier)})` });
    }
  }
}

export const jsonPushSchema = z
  .strictObject({
    gpus: z.array(jsonPushGpuSchema).optional(),
    nodes: z.array(jsonPushNodeSchema).optional(),
    meters: z.array(jsonPushMeterSchema).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.gpus?.length ?? 0) + (body.nodes?.length ?? 0) + (body.meters?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must hold at least one of gpus, nodes, meters' });
    }
    reportDuplicates(
      ctx,
      (body.gpus ?? []).map((g, i) => ({ path: ['gpus', i, 'uuid'], value: g.uuid })),
      'uuid',
    );
    reportDuplicates(
      ctx,
      (body.nodes ?? []).map((n, i) => ({ path: ['nodes', i, 'host'], value: n.host })),
      'host',
    );
    reportDuplicates(
      ctx,
      (body.meters ?? []).map((m, i) => ({ path: ['meters', i, 'id'], value: m.id })),
      'meter id',
    );
  });

export type JsonPushBody = z.infer<typeof jsonPushSchema>;

export interface JsonPushOptions {
  /** Most entries accepted in any one array (code `too_large`). No limit when omitted. */
  maxSamples?: number;
  /** Most characters in any string field of an entry (uuid, host, model, …; code `too_large`). No limit when omitted. */
  maxLabelLength?: number;
}

/**
 * Validates a push body (already JSON-decoded) and maps it to an IngestBatch (offsetMs 0,
 * absent readings → null, index → -1 when absent). Throws DomainError('invalid',
 * '<path>: <problem>', { path }) for the first problem, e.g. `gpus[3].powerWatts: must be
 * ≤ 5000`; 'too_large' when an array holds more than maxSamples entries or a string field of
 * an entry more than maxLabelLength characters (both checked before validating, so a huge body
 * is not walked and a too-long field is answered 413 whatever else is wrong with it).
 */
export function parseJsonPush(body: unknown, opts: JsonPushOptions = {}): IngestBatch {
  checkSizes(body, opts.maxSamples ?? Number.POSITIVE_INFINITY);
  if (opts.maxLabelLength !== undefined) checkLabelLengths(body, opts.maxLabelLength);
  const result = jsonPushSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue === undefined) throw new DomainError('invalid', 'body: invalid');
    const { path, message } = describeIssue(issue, body);
    throw new DomainError('invalid', `${path}: ${message}`, { path });
  }
  const data = result.data;
  return {
    samples: (data.gpus ?? []).map((g) => ({
      uuid: g.uuid,
      host: g.host,
      index: g.index ?? -1,
      modelName: g.model === undefined || g.model === '' ? null : g.model,
      utilPercent: g.utilizationPercent ?? null,
      powerWatts: g.powerWatts ?? null,
      powerLimitWatts: g.powerLimitWatts ?? null,
      memUsedMiB: g.memoryUsedMiB ?? null,
      memTotalMiB: g.memoryTotalMiB ?? null,
      xid: g.xid ?? null,
      offsetMs: 0,
    })),
    nodes: (data.nodes ?? []).map((n) => ({ host: n.host, drained: n.drained, reason: n.reason ?? null })),
    meters: (data.meters ?? []).map((m) => ({ id: m.id, scope: m.scope, watts: m.watts })),
  };
}

function checkSizes(body: unknown, maxSamples: number): void {
  if (typeof body !== 'object' || body === null) return;
  for (const key of ['gpus', 'nodes', 'meters'] as const) {
    const list: unknown = (body as Record<string, unknown>)[key];
    if (Array.isArray(list) && list.length > maxSamples) {
      throw new DomainError('too_large', `${key}: more than ${maxSamples} entries (${list.length}; MAX_SERIES_PER_BATCH)`, {
        path: key,
        maxSamples,
      });
    }
  }
}

/** The string fields of every entry of gpus, nodes and meters, however malformed the rest. */
function checkLabelLengths(body: unknown, max: number): void {
  if (typeof body !== 'object' || body === null) return;
  for (const key of ['gpus', 'nodes', 'meters'] as const) {
    const list: unknown = (body as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null) return;
      for (const [field, value] of Object.entries(entry)) {
        if (typeof value === 'string' && longerThan(value, max)) {
          const path = formatPath([key, i, field]);
          throw labelTooLong(path, 'value', max, { path });
        }
      }
    });
  }
}

/** `gpus[3].powerWatts`; the root is `body`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = 'body';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out === 'body' ? out : out.slice(5);
}

/** Whether `path` names a key that is present in `body` (zod does not echo inputs back). */
function lookup(body: unknown, path: ReadonlyArray<PropertyKey>): { present: boolean; value: unknown } {
  let value: unknown = body;
  for (const part of path) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, part))
      return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return { present: true, value };
}

function describeIssue(issue: z.core.$ZodIssue, body: unknown): { path: string; message: string } {
  switch (issue.code) {
    case 'unrecognized_keys':
      return { path: formatPath([...issue.path, issue.keys[0] ?? '?']), message: 'unknown key' };
    case 'too_big':
      return { path: formatPath(issue.path), message: bound('≤', '<', issue.maximum, issue.inclusive, issue.origin, 'at most') };
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return { path: formatPath(issue.path), message: 'must not be empty' };
      return { path: formatPath(issue.path), message: bound('≥', '>', issue.minimum, issue.inclusive, issue.origin, 'at least') };
    case 'invalid_type': {
      const found = lookup(body, issue.path);
      if (!found.present || found.value === undefined) return { path: formatPath(issue.path), message: 'is required' };
      return { path: formatPath(issue.path), message: `must be ${article(issue.expected)}${found.value === null ? ' (not null)' : ''}` };
    }
    default:
      return { path: formatPath(issue.path), message: issue.message };
  }
}

function bound(
  inclusiveOp: string,
  strictOp: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  origin: string,
  words: string,
): string {
  if (origin === 'string') return `must be ${words} ${String(limit)} characters`;
  if (origin === 'array') return `must have ${words} ${String(limit)} entries`;
  return `must be ${inclusive === false ? strictOp : inclusiveOp} ${String(limit)}`;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'object' || expected === 'array') return `an ${expected}`;
  return `a ${expected}`;
}
