import express from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityDeps } from '../../server/src/outputs/http/deps.js';
import { capacityRoutes } from '../../server/src/outputs/http/routes/capacity.js';
import { parseCsv } from './helpers/csv.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

/** A CSV answer, read. */
async function csv(h: TestHeadroom, path: string) {
  const response = await authedFetch(h.url + path);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    text,
    rows: parseCsv(text),
  };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo' });
});
afterAll(async () => {
  await h.stop();
});

describe('CSV exports (?format=csv)', () => {
  it('exports the sellable blocks of GET /capacity, one line each, with the same figures', async () => {
    const json = (
      await h.getJson<{
        sellable: {
          blocks: Array<{
            id: string;
            hall: string;
            pods: string[];
            model: string;
            fabric: string;
            gpus: number;
            watts: number;
            valueUsdPerMonth: number;
          }>;
        };
        updatedAt: string;
      }>('/api/v1/capacity')
    ).body;
    const answer = await csv(h, '/api/v1/capacity?format=csv');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/csv; charset=utf-8');
    expect(answer.disposition).toBe(`attachment; filename="sellable-blocks-${json.updatedAt.slice(0, 10)}.csv"`);
    const [header, ...rows] = answer.rows;
    expect(header).toEqual(['id', 'hall', 'pods', 'model', 'fabric', 'gpus', 'watts', 'valueUsdPerMonth']);
    // The small site's reserve covers every GPU (its demand is noisy at 384 GPUs), so this list is
    // usually empty here; live-colossus.int.test.ts checks a full one.
    expect(rows).toEqual(
      json.sellable.blocks.map((b) => [
        b.id,
        b.hall,
        b.pods.join(' '),
        b.model,
        b.fabric,
        String(b.gpus),
        String(b.watts),
        String(b.valueUsdPerMonth),
      ]),
    );
  });

  it('exports the contract book with its valuation as of today, quoting a customer named Acme, "Inc"', async () => {
    const today = day(h.clock.now());
    const terms = {
      customer: 'Acme, "Inc"',
      capacity: { pods: 1 },
      start: today,
      end: day(h.clock.now() + 400 * 86_400_000),
      monthlyPriceUsd: 250_000.5,
      noticeDays: 90,
    };
    const created = await h.post('/api/v1/contracts', JSON.stringify(terms), 'application/json');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const answer = await csv(h, '/api/v1/contracts?format=csv');
    expect(answer.type).toBe('text/csv; charset=utf-8');
    expect(answer.disposition).toBe('attachment; filename="contracts.csv"');
    expect(answer.text).toContain('"Acme, ""Inc"""');
    const [header, ...rows] = answer.rows;
    expect(header).toEqual([
      'id',
      'customer',
      'capacity',
      'start',
      'end',
      'monthlyPriceUsd',
      'status',
      'podCount',
      'tcvUsd',
      'revenueToDateUsd',
      'guaranteedUsd',
      'asOf',
    ]);
    const { contracts } = (
      await h.getJson<{
        contracts: Array<{
          id: string;
          customer: string;
          capacity: Record<string, number>;
          start: string;
          end: string;
          monthlyPriceUsd: number;
          status: string;
          pods: string[];
        }>;
      }>('/api/v1/contracts')
    ).body;
    expect(contracts.length).toBe(4); // the demo book's three and ours
    expect(rows).toHaveLength(contracts.length);
    for (const [i, c] of contracts.entries()) {
      const v = (
        await h.getJson<{ tcvUsd: number; revenueToDateUsd: number; guaranteedUsd: number; asOf: string }>(
          `/api/v1/contracts/${c.id}/valuation`,
        )
      ).body;
      const [kind = '', amount = 0] = Object.entries(c.capacity)[0] ?? [];
      expect(rows[i]).toEqual([
        c.id,
        c.customer,
        `${amount} ${kind}`,
        c.start,
        c.end,
        String(c.monthlyPriceUsd),
        c.status,
        String(c.pods.length),
        String(v.tcvUsd),
        String(v.revenueToDateUsd),
        String(v.guaranteedUsd),
        today,
      ]);
      expect(v.asOf).toBe(today);
    }
    expect(rows.at(-1)?.slice(0, 3)).toEqual([String(created.body.id), 'Acme, "Inc"', '1 pods']);
  });

  it('exports a history series as ISO time, unix seconds and value, the points of the JSON answer', async () => {
    const query = 'scope=pod:h01-p001&metric=utilization&step=1h';
    const json = (await h.getJson<{ points: Array<[number, number]> }>(`/api/v1/history?${query}`)).body;
    const answer = await csv(h, `/api/v1/history?${query}&format=csv`);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/csv; charset=utf-8');
    expect(answer.disposition).toBe('attachment; filename="history-pod_h01-p001-utilization.csv"');
    const [header, ...rows] = answer.rows;
    expect(header).toEqual(['timestamp', 'unixSeconds', 'value']);
    expect(json.points.length).toBeGreaterThan(10);
    expect(rows).toEqual(json.points.map(([t, v]) => [new Date(t * 1000).toISOString(), String(t), String(v)]));
  });

  it('refuses a format it does not offer, naming the parameter', async () => {
    for (const path of [
      '/api/v1/capacity?format=xlsx',
      '/api/v1/contracts?format=xml',
      '/api/v1/history?scope=site&metric=utilization&format=tsv',
    ]) {
      const answer = await h.getJson<{ error: string }>(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error, path).toMatch(/^format: /);
    }
  });
});

describe('the sellable blocks CSV with blocks in it', () => {
  // The simulated sites offer no sellable block without two weeks of history at Colossus scale
  // (the reserve's high band covers every GPU before that), so the route is served a report here.
  const blocks = [
    {
      id: 'h01-p001',
      hall: 'h01',
      pods: ['h01-p001'],
      model: 'H100-SXM',
      fabric: 'pod',
      gpus: 256,
      watts: 3_187_500,
      addedWatts: 2_000_000.5,
      valueUsdPerMonth: 448_512,
    },
    {
      id: 'h02-p003+h02-p004',
      hall: null,
      pods: ['h02-p003', 'h02-p004'],
      model: 'GB200',
      fabric: 'nvlink',
      gpus: 512,
      watts: 6_375_000.25,
      addedWatts: 1,
      valueUsdPerMonth: 897_024.01,
    },
  ];
  const report = { sellable: { blocks }, updatedAt: '2026-11-27T10:00:00.000Z' } as unknown as ReturnType<CapacityDeps['capacity']>;

  it('has one line per block with the figures of the JSON answer; a block without a hall has an empty field', async () => {
    const server = express()
      .use(
        '/api/v1',
        capacityRoutes({
          capacity: () => report,
          whatIf: () => {
            throw new Error('not used');
          },
        }),
      )
      .listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/capacity`;
      const json = (await (await authedFetch(url)).json()) as { sellable: { blocks: typeof blocks } };
      const response = await authedFetch(`${url}?format=csv`);
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="sellable-blocks-2026-11-27.csv"');
      const text = await response.text();
      expect(text).toBe(
        'id,hall,pods,model,fabric,gpus,watts,valueUsdPerMonth\r\nh01-p001,h01,h01-p001,H100-SXM,pod,256,3187500,448512\r\nh02-p003+h02-p004,,h02-p003 h02-p004,GB200,nvlink,512,6375000.25,897024.01\r\n',
      );
      const [, ...rows] = parseCsv(text);
      expect(rows).toEqual(
        json.sellable.blocks.map((b) => [
          b.id,
          b.hall ?? '',
          b.pods.join(' '),
          b.model,
          b.fabric,
          String(b.gpus),
          String(b.watts),
          String(b.valueUsdPerMonth),
        ]),
      );
    } finally {
      server.close();
    }
  });
});
