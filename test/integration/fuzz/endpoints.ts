/**
 * Every endpoint the fuzz drives, with the requests generated for it, grouped by the test file
 * that runs them (`<group>.int.test.ts`, one line; files run in parallel, one server each, so
 * keep the groups about equal). coverage.int.test.ts fails when the app mounts a POST, PUT or
 * PATCH route that is neither here nor in NOT_FUZZED: a new endpoint goes into a group below.
 */
import fc from 'fast-check';
import { fixture } from '../helpers/harness.js';
import {
  alertRulesBody,
  contractBody,
  demandPlanBody,
  jsonPushBody,
  mangled,
  priceBookBody,
  webhookBody,
  whatIfBody,
} from '../../unit/fuzz/arbitraries.js';

export interface FuzzIds {
  contractId: string;
  demandPlanId: string;
  webhookId: string;
}

/** One generated request; `query` includes its `?`. */
export interface FuzzCase {
  query?: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Sent with the fuzz server's operator token instead of the admin's (Idempotency-Keys are per token). */
  asOperator?: boolean;
}

export interface FuzzEndpoint {
  method: 'GET' | 'POST' | 'PUT';
  /** The route as the app mounts it (`/api/v1/contracts/{id}`), matched by the coverage test. */
  route: string;
  path: (ids: FuzzIds) => string;
  cases: fc.Arbitrary<FuzzCase>;
}

/** Junk and near-miss JSON text: any body a careless or hostile client might send. */
const junkBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).slice(0, -1)),
  fc.constantFrom(
    '',
    '{',
    '[]',
    'null',
    '{"__proto__": {"admin": true}}',
    '{"constructor": {"prototype": {"x": 1}}}',
    '"\\ud800"',
    '1e999',
    '{"a":'.repeat(200),
  ),
);

const jsonTypes = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '') },
);

/** A JSON endpoint's requests: mostly near-valid bodies of its own shape, else junk. */
const jsonCases = (near: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzCase> =>
  fc.record({
    body: fc.oneof({ weight: 3, arbitrary: near.map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: junkBody }),
    contentType: jsonTypes,
  });

/** Idempotency-Key: absent, reused (with other bodies, from either of two tokens), too long, or any visible ASCII. */
const idempotency = fc.option(
  fc.oneof(fc.constant('fuzz-key'), fc.stringMatching(/^[!-~]{1,250}$/)).map((key) => ({ 'idempotency-key': key })),
  { nil: undefined },
);
const caller = fc.option(fc.constant(true), { nil: undefined, freq: 2 });
const queryValue = fc.oneof(fc.constant('fuzz-node'), fc.string({ maxLength: 20 }).map(encodeURIComponent), fc.constant('a&host=b'));
const textBody = (real: string) =>
  fc.oneof({ weight: 3, arbitrary: mangled(real) }, { weight: 1, arbitrary: fc.string({ maxLength: 500 }) });

/** The real scrape's lines for two of its eight GPUs (every family, 2 KB): small requests, same syntax. */
const dcgmTwoGpus = `${fixture('dcgm-exporter/h100-node-sampled.txt')
  .split('\n')
  .filter((line) => /gpu="[01]"/.test(line))
  .join('\n')}\n`;

const dcgmCases: fc.Arbitrary<FuzzCase> = fc.record(
  {
    query: fc.option(
      queryValue.map((host) => `?host=${host}`),
      { nil: undefined },
    ),
    body: textBody(dcgmTwoGpus),
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constant('text/plain') },
      { weight: 1, arbitrary: fc.constantFrom('application/openmetrics-text', 'application/json', '') },
    ),
    headers: idempotency,
    asOperator: caller,
  },
  { requiredKeys: ['body', 'contentType'] },
);

const smiFields = fc.oneof(fc.constant('index,uuid,utilization.gpu,power.draw'), fc.string({ maxLength: 40 }).map(encodeURIComponent));
const smiCases: fc.Arbitrary<FuzzCase> = fc.record(
  {
    query: fc.oneof(
      { weight: 4, arbitrary: queryValue.map((host) => `?host=${host}`) },
      { weight: 1, arbitrary: fc.tuple(queryValue, smiFields).map(([host, fields]) => `?host=${host}&fields=${fields}`) },
      { weight: 1, arbitrary: fc.constant('') },
    ),
    body: textBody(
      `${fixture('nvidia-smi/h100-query-nounits.csv')}${fixture('nvidia-smi/h100-query-nounits.csv').replace('GPU-02', 'GPU-03')}`,
    ),
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('text/csv', 'text/plain') },
      { weight: 1, arbitrary: fc.constantFrom('application/json', '') },
    ),
    headers: idempotency,
    asOperator: caller,
  },
  { requiredKeys: ['body', 'contentType'] },
);

const jsonIngestCases: fc.Arbitrary<FuzzCase> = fc
  .tuple(jsonCases(jsonPushBody()), idempotency, caller)
  .map(([c, headers, asOperator]) => ({ ...c, ...(headers ? { headers } : {}), ...(asOperator ? { asOperator } : {}) }));

/**
 * POST /tokens: a valid name and role now and then (each valid pair makes a token; the token
 * list, re-read after every write, grows with them).
 */
const tokenBody = fc.record(
  {
    name: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom('fuzz collector', 'ops') },
      { weight: 2, arbitrary: fc.string({ maxLength: 120 }) },
    ),
    role: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom('viewer', 'operator', 'admin') },
      { weight: 3, arbitrary: fc.constantFrom('root', 'Admin', '', 'viewer ') },
    ),
  },
  { requiredKeys: [] },
);

/** GET /audit: its paging parameters right (mostly small pages), wrong and repeated. */
const auditParam = fc.oneof(
  fc.integer({ min: 1, max: 20 }).map(String),
  fc.constantFrom('0', '-1', '1000', '1001', '1e3', '0x10', '', 'NaN', '9007199254740993'),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const auditQueries: fc.Arbitrary<FuzzCase> = fc
  .array(fc.tuple(fc.constantFrom('limit', 'before', 'x'), auditParam), { minLength: 1, maxLength: 3 })
  .map((pairs) => ({ query: `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` }));

export type FuzzGroup = 'ingest' | 'contracts' | 'pricing' | 'alerts' | 'admin';

export interface FuzzGroupSpec {
  /** GETs showing what the group's endpoints could change (compared to catch a change in memory only). */
  view: string[];
  endpoints: FuzzEndpoint[];
}

export const FUZZ_GROUPS: Record<FuzzGroup, FuzzGroupSpec> = {
  ingest: {
    view: ['/api/v1/fleet'],
    endpoints: [
      { method: 'POST', route: '/api/v1/ingest/json', path: () => '/api/v1/ingest/json', cases: jsonIngestCases },
      { method: 'POST', route: '/api/v1/ingest/dcgm', path: () => '/api/v1/ingest/dcgm', cases: dcgmCases },
      { method: 'POST', route: '/api/v1/ingest/nvidia-smi', path: () => '/api/v1/ingest/nvidia-smi', cases: smiCases },
    ],
  },
  contracts: {
    view: ['/api/v1/contracts', '/api/v1/demand-plans'],
    endpoints: [
      { method: 'POST', route: '/api/v1/contracts', path: () => '/api/v1/contracts', cases: jsonCases(contractBody()) },
      {
        method: 'PUT',
        route: '/api/v1/contracts/{id}',
        path: (ids) => `/api/v1/contracts/${ids.contractId}`,
        cases: jsonCases(contractBody()),
      },
      { method: 'POST', route: '/api/v1/demand-plans', path: () => '/api/v1/demand-plans', cases: jsonCases(demandPlanBody()) },
      {
        method: 'PUT',
        route: '/api/v1/demand-plans/{id}',
        path: (ids) => `/api/v1/demand-plans/${ids.demandPlanId}`,
        cases: jsonCases(demandPlanBody()),
      },
    ],
  },
  pricing: {
    view: ['/api/v1/pricebook', '/api/v1/contracts'],
    endpoints: [
      { method: 'PUT', route: '/api/v1/pricebook', path: () => '/api/v1/pricebook', cases: jsonCases(priceBookBody()) },
      { method: 'POST', route: '/api/v1/what-if', path: () => '/api/v1/what-if', cases: jsonCases(whatIfBody()) },
    ],
  },
  alerts: {
    view: ['/api/v1/alerts/rules', '/api/v1/webhooks'],
    endpoints: [
      { method: 'PUT', route: '/api/v1/alerts/rules', path: () => '/api/v1/alerts/rules', cases: jsonCases(alertRulesBody()) },
      { method: 'POST', route: '/api/v1/webhooks', path: () => '/api/v1/webhooks', cases: jsonCases(webhookBody()) },
      {
        method: 'PUT',
        route: '/api/v1/webhooks/{id}',
        path: (ids) => `/api/v1/webhooks/${ids.webhookId}`,
        cases: jsonCases(webhookBody()),
      },
    ],
  },
  admin: {
    view: ['/api/v1/tokens'],
    endpoints: [
      { method: 'POST', route: '/api/v1/tokens', path: () => '/api/v1/tokens', cases: jsonCases(tokenBody) },
      { method: 'GET', route: '/api/v1/audit', path: () => '/api/v1/audit', cases: auditQueries },
    ],
  },
};

/**
 * POST and PUT routes deliberately not fuzzed here, and why. Anything else the app mounts with
 * a body must be in FUZZ_GROUPS (coverage.int.test.ts fails otherwise).
 */
export const NOT_FUZZED: Record<string, string> = {
  'POST /api/v1/webhooks/{id}/test': 'takes no body: it queues a test notification to the receiver',
};
