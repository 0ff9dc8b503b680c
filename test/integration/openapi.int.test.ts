import { Validator } from '@seriousme/openapi-schema-validator';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodType } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { demandPlanBodySchema } from '../../server/src/domain/capacity/demand-plan-terms.js';
import { contractBodySchema } from '../../server/src/domain/contracts/contract.js';
import { priceBookSchema } from '../../server/src/domain/contracts/price-book.js';
import { apiPaths, createApiDocument, type ApiParts } from '../../server/src/outputs/http/openapi.js';
import { whatIfSchema } from '../../server/src/outputs/http/routes/capacity.js';
import { jsonPushSchema } from '../../server/src/pipeline/ingest/json-push.js';
import { mountedOperations } from './helpers/express-routes.js';
import { fixture, startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  maximum?: number;
  enum?: unknown[];
  additionalProperties?: unknown;
}
interface Operation {
  operationId?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A one-pod contract; valid on the small site whatever the date. */
const CONTRACT = {
  customer: 'OpenAPI Labs',
  capacity: { pods: 1 },
  start: '2026-06-01',
  end: '2027-05-31',
  monthlyPriceUsd: 100_000,
  noticeDays: 30,
};

/** A plan well under the small site's 384 GPUs, with no end. */
const DEMAND_PLAN = { name: 'OpenAPI training run', gpus: 64, start: '2026-06-01' };

/** A receiver on a closed loopback port: test notifications queue and retry, harmlessly. */
const WEBHOOK = { name: 'openapi receiver', url: 'http://127.0.0.1:9/hook', groupWaitS: 0 };

interface Sample {
  query?: string;
  type?: string;
  body?: string;
}
const json = (value: unknown): Sample => ({ type: 'application/json', body: JSON.stringify(value) });

let h: TestHeadroom;
let doc: OpenApiDocument;
/** What app.ts mounts with the harness's config: every optional part. */
let parts: ApiParts;
let today = '';

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function send(method: string, path: string, sample: Sample = {}, server: TestHeadroom = h): Promise<Answer> {
  const response = await authedFetch(`${server.url}${path}${sample.query ? `?${sample.query}` : ''}`, {
    method,
    headers: sample.type ? { 'content-type': sample.type } : {},
    body: sample.body,
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

beforeAll(async () => {
  h = await startTestHeadroom();
  parts = {
    ingestJsonSchema: jsonPushSchema,
    contracts: true,
    capacity: true,
    demandPlans: true,
    alerts: true,
    sim: true,
    metrics: h.config.metricsAuth,
  };
  today = new Date(h.clock.now()).toISOString().slice(0, 10);
  const served = await send('GET', '/api/v1/openapi.json');
  expect(served.status).toBe(200);
  expect(served.type).toMatch(/^application\/json/);
  doc = JSON.parse(served.text) as OpenApiDocument;
});
afterAll(async () => {
  await h.stop();
});

/** `GET /api/v1/contracts/{id}` for every operation of the document, sorted. */
function documentedOperations(d: OpenApiDocument): string[] {
  return Object.entries(d.paths)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

/** Every `$ref` string anywhere under `node`. */
function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : refsIn(value)));
}

/** Follows a local JSON pointer (`#/components/schemas/Error`); undefined when it leads nowhere. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined),
      root,
    );
}

function zodOperation(paths: ZodOpenApiPathsObject, path: string, method: string): ZodOpenApiOperationObject | undefined {
  return (paths[path] as Record<string, ZodOpenApiOperationObject | undefined> | undefined)?.[method];
}

const essence = (mediaType: string) => mediaType.split(';')[0]?.trim();

/** What is wrong with a real answer to an operation, by the served document and its zod schemas. */
function problemsWith(answer: Answer, method: string, path: string, paths: ZodOpenApiPathsObject): string[] {
  const documented = doc.paths[path]?.[method]?.responses?.[String(answer.status)];
  if (answer.status < 200 || answer.status > 299 || !documented) {
    return [`${answer.status} ${documented ? '' : '(not listed) '}${answer.text.slice(0, 200)}`];
  }
  const problems: string[] = [];
  const mediaTypes = Object.keys(documented.content ?? {});
  if (mediaTypes.length ? !mediaTypes.some((t) => essence(t) === essence(answer.type)) : answer.text !== '') {
    problems.push(`${answer.type || 'no body'}, the document lists ${mediaTypes.join(', ') || 'no body'}`);
  }
  // Where the document has a zod schema for the answer, the real answer must parse with it.
  const response = zodOperation(paths, path, method)?.responses[String(answer.status) as `2${string}`];
  const schema = response && 'content' in response ? response.content?.['application/json']?.schema : undefined;
  if (schema instanceof ZodType) {
    const parsed = schema.safeParse(JSON.parse(answer.text));
    if (!parsed.success) problems.push(`body does not match its schema: ${parsed.error.message}`);
  }
  return problems;
}

describe('the OpenAPI document at /api/v1/openapi.json', () => {
  it('validates against the OpenAPI 3.1 schema (an independent validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // And it can say no: a parameter must say where it goes.
    const broken = structuredClone(doc) as unknown as Record<string, unknown> & {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string }> }>>;
    };
    const parameter = broken.paths['/api/v1/contracts/{id}']?.get?.parameters?.[0];
    if (!parameter) throw new Error('GET /api/v1/contracts/{id} has no parameter to break');
    parameter.in = 'nowhere';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  // Rules beyond the JSON schema of the format, which tools trip on first.
  it('is structurally valid OpenAPI 3.1: versioned, every operation answered, path parameters declared, every $ref resolving', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Headroom', version: VERSION });
    expect(doc.servers).toEqual([{ url: '/' }]);
    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      for (const method of METHODS.filter((m) => item[m] !== undefined)) {
        const op = item[method] ?? {};
        const where = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(op.responses ?? {}), where).not.toHaveLength(0);
        for (const answer of Object.values(op.responses ?? {})) expect(typeof answer.description, where).toBe('string');
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort(), where).toEqual(templated);
        expect(
          declared.every((p) => p.required === true),
          where,
        ).toBe(true);
        if (op.operationId) operationIds.push(op.operationId);
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolvePointer(doc, ref) === undefined)).toEqual([]);
  });

  it('is the document the route modules describe, rendered from their zod schemas', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(createApiDocument(VERSION, parts))));
  });

  it('lists exactly the routes the express app mounts, no more and no fewer', () => {
    const mounted = mountedOperations(h.app);
    expect(mounted).toContain('GET /api/v1/contracts/{id}');
    expect(documentedOperations(doc)).toEqual(mounted);
  });

  it('publishes the very schema objects that parse the request bodies', () => {
    const paths = apiPaths(parts);
    const bodyOf = (path: string, method: string) => zodOperation(paths, path, method)?.requestBody?.content['application/json']?.schema;
    expect(bodyOf('/api/v1/contracts', 'post')).toBe(contractBodySchema);
    expect(bodyOf('/api/v1/contracts/{id}', 'put')).toBe(contractBodySchema);
    expect(bodyOf('/api/v1/pricebook', 'put')).toBe(priceBookSchema);
    expect(bodyOf('/api/v1/what-if', 'post')).toBe(whatIfSchema);
    expect(bodyOf('/api/v1/demand-plans', 'post')).toBe(demandPlanBodySchema);
    expect(bodyOf('/api/v1/demand-plans/{id}', 'put')).toBe(demandPlanBodySchema);
    expect(bodyOf('/api/v1/ingest/json', 'post')).toBe(jsonPushSchema);
  });

  it('describes every 2xx JSON answer of every operation by a schema, not in words only', () => {
    const wordsOnly: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m] !== undefined)) {
        for (const [status, answer] of Object.entries(item[method]?.responses ?? {})) {
          const media = answer.content?.['application/json'] as { schema?: object } | undefined;
          if (!status.startsWith('2') || media === undefined) continue;
          if (!media.schema || Object.keys(media.schema).length === 0) wordsOnly.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(wordsOnly).toEqual([]);
  });

  it('describes bodies the server refuses, naming the field, as the document forbids them', async () => {
    const schemas = doc.components.schemas;
    const monthsMax = schemas.WhatIf?.properties?.months?.maximum;
    expect(monthsMax).toBeTypeOf('number');
    const tooLong = await send('POST', '/api/v1/what-if', json({ pods: 1, start: today, months: (monthsMax ?? 0) + 1 }));
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.text)).toMatchObject({ error: expect.stringMatching(/^months: /), detail: { path: 'months' } });

    expect(schemas.ContractTerms?.additionalProperties).toBe(false);
    const extra = await send('POST', '/api/v1/contracts', json({ ...CONTRACT, colour: 'teal' }));
    expect(extra.status).toBe(400);
    expect(JSON.parse(extra.text)).toMatchObject({ error: expect.stringMatching(/^colour: /) });

    expect(schemas.PriceBook?.properties?.basis?.enum).not.toContain('per-token');
    const book = await send('GET', '/api/v1/pricebook');
    const badBasis = await send('PUT', '/api/v1/pricebook', json({ ...(JSON.parse(book.text) as object), basis: 'per-token' }));
    expect(badBasis.status).toBe(400);
    expect(JSON.parse(badBasis.text)).toMatchObject({ error: expect.stringMatching(/^basis: /) });
  });

  it('has every operation answer a real request with a 2xx it lists, in a media type it lists, matching its zod schema', async () => {
    const dcgm = fixture('dcgm-exporter/h100-node-sampled.txt');
    const book = (await send('GET', '/api/v1/pricebook')).text;
    // Requests for operations that need input; any other is sent bare.
    const samples: Record<string, Sample> = {
      'GET /api/v1/history': { query: 'scope=site&metric=utilization&step=1h' },
      'POST /api/v1/ingest/dcgm': { type: 'text/plain', body: dcgm },
      'POST /api/v1/ingest/nvidia-smi': { query: 'host=openapi-smi', type: 'text/csv', body: fixture('nvidia-smi/h100-query-nounits.csv') },
      'POST /api/v1/ingest/json': json({
        gpus: [{ uuid: 'GPU-openapi-0', host: 'openapi-json', utilizationPercent: 40, powerWatts: 310 }],
      }),
      'POST /api/v1/contracts': json(CONTRACT),
      'PUT /api/v1/contracts/{id}': json({ ...CONTRACT, customer: 'OpenAPI Labs (renamed)' }),
      'PUT /api/v1/pricebook': { type: 'application/json', body: book },
      'POST /api/v1/what-if': json({ pods: 1, start: today, months: 12 }),
      'POST /api/v1/demand-plans': json(DEMAND_PLAN),
      'PUT /api/v1/demand-plans/{id}': json({ ...DEMAND_PLAN, end: '2026-12-31', note: 'renamed' }),
      'PUT /api/v1/alerts/rules': { type: 'application/json', body: (await send('GET', '/api/v1/alerts/rules')).text },
      'POST /api/v1/webhooks': json(WEBHOOK),
      'PUT /api/v1/webhooks/{id}': json({ ...WEBHOOK, name: 'openapi receiver (renamed)' }),
      'POST /api/v1/tokens': json({ name: 'openapi reader', role: 'viewer' }),
    };
    // Path parameters: a fresh contract per operation (DELETE takes one), a GPU and a node that exist.
    const pathValue: Record<string, (template: string) => Promise<string | undefined>> = {
      id: async (template) => {
        const [collection, body] = template.startsWith('/api/v1/webhooks')
          ? ['/api/v1/webhooks', WEBHOOK]
          : template.startsWith('/api/v1/tokens')
            ? ['/api/v1/tokens', { name: 'openapi revoked', role: 'viewer' }]
            : template.startsWith('/api/v1/demand-plans')
              ? ['/api/v1/demand-plans', DEMAND_PLAN]
              : ['/api/v1/contracts', CONTRACT];
        const id = (JSON.parse((await send('POST', collection, json(body))).text) as { id?: string | number }).id;
        return id === undefined ? undefined : String(id);
      },
      uuid: async () => [...h.collector.state.slotByUuid.keys()][0],
      host: async () => h.sim?.topology.nodes[0]?.host,
    };
    // One contract from the start, so the list's schema is checked against a non-empty list.
    expect((await send('POST', '/api/v1/contracts', json(CONTRACT))).status).toBe(201);
    expect((await send('POST', '/api/v1/demand-plans', json(DEMAND_PLAN))).status).toBe(201);
    const paths = apiPaths(parts);
    const failures: string[] = [];
    for (const operation of documentedOperations(doc)) {
      const [method = '', template = ''] = operation.split(' ');
      let path = template;
      for (const [, name = ''] of template.matchAll(/\{(\w+)\}/g)) {
        const value = await pathValue[name]?.(template);
        if (value === undefined) throw new Error(`${operation}: no value for path parameter ${name}`);
        path = path.replace(`{${name}}`, encodeURIComponent(value));
      }
      const answer = await send(method, path, samples[operation]);
      failures.push(...problemsWith(answer, method.toLowerCase(), template, paths).map((p) => `${operation} → ${p}`));
    }
    expect(failures).toEqual([]);
  });
});

describe('the document of a server without the simulator, with /metrics behind a token', () => {
  let bare: TestHeadroom;
  beforeAll(async () => {
    bare = await startTestHeadroom({ SIM: 'off', METRICS_BEARER_TOKEN: 'openapi-test-token-0123456789' });
  });
  afterAll(async () => {
    await bare.stop();
  });

  it('lists what that app mounts, and the token /metrics asks for', async () => {
    const bareDoc = JSON.parse((await send('GET', '/api/v1/openapi.json', {}, bare)).text) as OpenApiDocument;
    expect(documentedOperations(bareDoc)).toEqual(mountedOperations(bare.app));
    expect(bareDoc.paths['/sim/nodes/{host}/metrics']).toBeUndefined();
    expect(bareDoc.components.securitySchemes).toEqual({
      apiToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      metricsBearer: { type: 'http', scheme: 'bearer' },
    });
    const refused = await send('GET', '/metrics', {}, bare);
    expect(refused.status).toBe(401);
    expect(bareDoc.paths['/metrics']?.get?.responses?.['401']).toBeDefined();
  });
});
