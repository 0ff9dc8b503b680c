import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  alertListAnswer,
  alertTransitionListAnswer,
  alertRulesAnswer,
  deliveryListAnswer,
  webhookAnswer,
  webhookCreatedAnswer,
  webhookListAnswer,
  webhookTestAnswer,
} from '../../server/src/protocol/alerts.js';
import { capacityAnswer, whatIfAnswer } from '../../server/src/protocol/capacity.js';
import { contractAnswer, contractListAnswer, priceBookAnswer, valuationAnswer } from '../../server/src/protocol/contracts.js';
import { demandPlanAnswer, demandPlanListAnswer } from '../../server/src/protocol/demand-plans.js';
import { gpuAnswer, hallsAnswer, podsAnswer, siteAnswer } from '../../server/src/protocol/fleet.js';
import { liveAnswer, openApiAnswer, readyAnswer } from '../../server/src/protocol/health.js';
import { historyAnswer } from '../../server/src/protocol/history.js';
import { ingestAnswer } from '../../server/src/protocol/ingest.js';
import { auditAnswer, tokenAnswer, tokenCreatedAnswer, tokenListAnswer, whoAmIAnswer } from '../../server/src/protocol/tokens.js';
import { authedFetch } from './helpers/auth.js';
import { fixture, startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

/**
 * The contract between server and client (server/src/protocol/): every operation with a JSON
 * answer is called on a real server, with lists made non-empty first, and each real answer must
 * parse with its protocol schema. The schemas are strict, so a field renamed or added fails here
 * even where the compile-time check (routes' `satisfies Sent<…>`) cannot see it.
 */

const CONTRACT = {
  customer: 'Protocol Labs',
  capacity: { pods: 1 },
  start: '2026-06-01',
  end: '2027-05-31',
  monthlyPriceUsd: 100_000,
  noticeDays: 30,
};
const DEMAND_PLAN = { name: 'protocol training run', gpus: 64, start: '2026-06-01' };
/** A receiver on a closed loopback port: test notifications queue and retry, harmlessly. */
const WEBHOOK = { name: 'protocol receiver', url: 'http://127.0.0.1:9/hook', groupWaitS: 0 };
/** Always active on the small site: the alert list is never empty. */
const ALWAYS = {
  name: 'ProtocolFeedWatched',
  figure: 'power_feed_watts',
  op: '>',
  threshold: 0,
  severity: 'info',
  annotations: { summary: 'feed {{ value | power }}' },
};

interface Call {
  method: string;
  path: string;
  schema: z.ZodType;
  body?: unknown;
  /** A non-JSON body and its media type (the ingest pushes). */
  raw?: { type: string; text: string };
}

let h: TestHeadroom;

async function call({ method, path, body, raw }: Omit<Call, 'schema'>): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = raw
    ? { method, headers: { 'content-type': raw.type }, body: raw.text }
    : body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await authedFetch(h.url + path, init);
  return { status: response.status, body: await response.json() };
}

/** POSTs `body` and returns the new resource's id. */
async function created(path: string, body: unknown): Promise<string> {
  const answer = await call({ method: 'POST', path, body });
  expect(answer.status, `${path} ${JSON.stringify(answer.body)}`).toBe(201);
  return String((answer.body as { id: string | number }).id);
}

let calls: Call[] = [];

beforeAll(async () => {
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo' });
  await h.collectAt(h.clock.now());
  const rules = (await call({ method: 'GET', path: '/api/v1/alerts/rules' })).body as { rules: unknown[] };
  expect((await call({ method: 'PUT', path: '/api/v1/alerts/rules', body: { rules: [...rules.rules, ALWAYS] } })).status).toBe(200);
  h.evaluateAlerts();
  const contractId = await created('/api/v1/contracts', CONTRACT);
  const planId = await created('/api/v1/demand-plans', DEMAND_PLAN);
  const webhookId = await created('/api/v1/webhooks', WEBHOOK);
  const tokenId = await created('/api/v1/tokens', { name: 'protocol reader', role: 'viewer' });
  const spareToken = await created('/api/v1/tokens', { name: 'protocol revoked', role: 'viewer' });
  const uuid = [...h.collector.state.slotByUuid.keys()][0] ?? '';
  const book = (await call({ method: 'GET', path: '/api/v1/pricebook' })).body;
  const today = new Date(h.clock.now()).toISOString().slice(0, 10);
  calls = [
    { method: 'GET', path: '/healthz', schema: liveAnswer },
    { method: 'GET', path: '/readyz', schema: readyAnswer },
    { method: 'GET', path: '/api/v1/openapi.json', schema: openApiAnswer },
    { method: 'GET', path: '/api/v1/fleet', schema: siteAnswer },
    { method: 'GET', path: '/api/v1/fleet/halls', schema: hallsAnswer },
    { method: 'GET', path: '/api/v1/fleet/pods', schema: podsAnswer },
    { method: 'GET', path: `/api/v1/gpus/${encodeURIComponent(uuid)}`, schema: gpuAnswer },
    { method: 'GET', path: '/api/v1/history?scope=site&metric=utilization&step=1h', schema: historyAnswer },
    { method: 'GET', path: `/api/v1/history?scope=gpu:${encodeURIComponent(uuid)}&metric=power_watts`, schema: historyAnswer },
    {
      method: 'POST',
      path: '/api/v1/ingest/dcgm',
      schema: ingestAnswer,
      raw: { type: 'text/plain', text: fixture('dcgm-exporter/h100-node-sampled.txt') },
    },
    {
      method: 'POST',
      path: '/api/v1/ingest/nvidia-smi?host=protocol-smi',
      schema: ingestAnswer,
      raw: { type: 'text/csv', text: fixture('nvidia-smi/h100-query-nounits.csv') },
    },
    {
      method: 'POST',
      path: '/api/v1/ingest/json',
      schema: ingestAnswer,
      body: { gpus: [{ uuid: 'GPU-protocol-0', host: 'protocol-json', utilizationPercent: 40, powerWatts: 310 }] },
    },
    { method: 'GET', path: '/api/v1/contracts', schema: contractListAnswer },
    { method: 'POST', path: '/api/v1/contracts', schema: contractAnswer, body: CONTRACT },
    { method: 'GET', path: `/api/v1/contracts/${contractId}`, schema: contractAnswer },
    {
      method: 'PUT',
      path: `/api/v1/contracts/${contractId}`,
      schema: contractAnswer,
      body: { ...CONTRACT, customer: 'Protocol Labs (renamed)' },
    },
    { method: 'GET', path: `/api/v1/contracts/${contractId}/valuation`, schema: valuationAnswer },
    { method: 'GET', path: '/api/v1/pricebook', schema: priceBookAnswer },
    { method: 'PUT', path: '/api/v1/pricebook', schema: priceBookAnswer, body: book },
    { method: 'GET', path: '/api/v1/capacity', schema: capacityAnswer },
    { method: 'POST', path: '/api/v1/what-if', schema: whatIfAnswer, body: { pods: 1, start: today, months: 12 } },
    { method: 'GET', path: '/api/v1/demand-plans', schema: demandPlanListAnswer },
    { method: 'POST', path: '/api/v1/demand-plans', schema: demandPlanAnswer, body: DEMAND_PLAN },
    { method: 'GET', path: `/api/v1/demand-plans/${planId}`, schema: demandPlanAnswer },
    {
      method: 'PUT',
      path: `/api/v1/demand-plans/${planId}`,
      schema: demandPlanAnswer,
      body: { ...DEMAND_PLAN, end: '2026-12-31', note: 'renamed' },
    },
    { method: 'GET', path: '/api/v1/alerts', schema: alertListAnswer },
    { method: 'GET', path: '/api/v1/alerts/transitions', schema: alertTransitionListAnswer },
    { method: 'GET', path: '/api/v1/alerts/rules', schema: alertRulesAnswer },
    { method: 'PUT', path: '/api/v1/alerts/rules', schema: alertRulesAnswer, body: { rules: [...rules.rules, ALWAYS] } },
    { method: 'POST', path: `/api/v1/webhooks/${webhookId}/test`, schema: webhookTestAnswer },
    { method: 'GET', path: '/api/v1/webhooks', schema: webhookListAnswer },
    { method: 'POST', path: '/api/v1/webhooks', schema: webhookCreatedAnswer, body: { ...WEBHOOK, name: 'protocol receiver 2' } },
    { method: 'GET', path: '/api/v1/webhooks/deliveries', schema: deliveryListAnswer },
    { method: 'GET', path: `/api/v1/webhooks/${webhookId}`, schema: webhookAnswer },
    {
      method: 'PUT',
      path: `/api/v1/webhooks/${webhookId}`,
      schema: webhookAnswer,
      body: { ...WEBHOOK, name: 'protocol receiver (renamed)' },
    },
    { method: 'GET', path: '/api/v1/whoami', schema: whoAmIAnswer },
    { method: 'POST', path: '/api/v1/tokens', schema: tokenCreatedAnswer, body: { name: 'protocol operator', role: 'operator' } },
    { method: 'GET', path: '/api/v1/tokens', schema: tokenListAnswer },
    { method: 'DELETE', path: `/api/v1/tokens/${spareToken}`, schema: tokenAnswer },
    { method: 'GET', path: '/api/v1/audit', schema: auditAnswer },
  ];
  expect(tokenId).not.toBe(spareToken);
}, 60_000);

afterAll(async () => {
  await h.stop();
});

describe('the protocol schemas (server/src/protocol/) against real answers', () => {
  it('parses the real answer of every operation with a JSON answer', async () => {
    const failures: string[] = [];
    const answers = new Map<string, unknown>();
    for (const { schema, ...request } of calls) {
      const where = `${request.method} ${request.path}`;
      const answer = await call(request);
      answers.set(where, answer.body);
      if (answer.status < 200 || answer.status > 299) {
        failures.push(`${where} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        continue;
      }
      const parsed = schema.safeParse(answer.body);
      if (!parsed.success) failures.push(`${where} → ${parsed.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(calls.length).toBe(40);
    // The lists were checked with entries in them, not vacuously.
    const nonEmpty: Array<[string, string]> = [
      ['GET /api/v1/contracts', 'contracts'],
      ['GET /api/v1/demand-plans', 'plans'],
      ['GET /api/v1/alerts', 'active'],
      ['GET /api/v1/alerts/transitions', 'transitions'],
      ['GET /api/v1/alerts/rules', 'rules'],
      ['GET /api/v1/webhooks', 'webhooks'],
      ['GET /api/v1/webhooks/deliveries', 'deliveries'],
      ['GET /api/v1/tokens', 'tokens'],
      ['GET /api/v1/audit', 'entries'],
      ['GET /api/v1/fleet/pods', 'pods'],
    ];
    for (const [where, field] of nonEmpty)
      expect((answers.get(where) as Record<string, unknown[]>)[field]?.length, where).toBeGreaterThan(0);
  });

  it('fails naming the field when a real answer has one renamed', async () => {
    const real = (await call({ method: 'GET', path: '/api/v1/capacity' })).body as { power: Record<string, unknown> };
    expect(capacityAnswer.safeParse(real).success).toBe(true);
    const { headroomWatts, ...power } = real.power;
    const renamed = { ...real, power: { ...power, headroomW: headroomWatts } };
    const parsed = capacityAnswer.safeParse(renamed);
    expect(parsed.success).toBe(false);
    const issues = parsed.error?.issues.map((i) => ({ code: i.code, path: i.path.join('.'), keys: 'keys' in i ? i.keys : undefined }));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'power.headroomWatts', code: 'invalid_type' }),
        expect.objectContaining({ path: 'power', code: 'unrecognized_keys', keys: ['headroomW'] }),
      ]),
    );
  });
});
