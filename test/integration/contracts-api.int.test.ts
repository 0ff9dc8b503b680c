import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

interface ContractJson {
  id: string;
  customer: string;
  capacity: Record<string, number>;
  start: string;
  end: string;
  monthlyPriceUsd: number;
  ramp: Array<{ months: number; factor: number }>;
  noticeDays: number;
  status: string;
  pods: string[];
  shortfallPods: number;
}

interface ErrorJson {
  error: string;
  detail?: { path?: string };
}

/** Any method, JSON in and out; 204 answers carry no body. */
async function send<T = Record<string, unknown>>(
  h: TestHeadroom,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await authedFetch(h.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
}

/** The reference deal (DESIGN.md: press reports of SpaceX's S-1, May 2026). */
const REFERENCE_DEAL = {
  customer: 'lab',
  capacity: { watts: 300_000_000 },
  start: '2026-06-01',
  end: '2029-05-31',
  monthlyPriceUsd: 1_250_000_000,
  ramp: [{ months: 2, factor: 0.5 }],
  noticeDays: 90,
};

/** A small-site contract: 2 of the 6 pods for a year at $200,000 a month. */
const TWO_PODS = {
  customer: 'Acme Labs',
  capacity: { pods: 2 },
  start: '2026-06-01',
  end: '2027-05-31',
  monthlyPriceUsd: 200_000,
  ramp: [{ months: 1, factor: 0.5 }],
  noticeDays: 30,
};

describe('the reference deal on a Colossus-sized site', () => {
  let h: TestHeadroom;
  beforeAll(async () => {
    // No simulator: no backfill and no telemetry to collect, so a 196,608-GPU site starts fast.
    // The uniform site the deal's figures were computed on by hand (the mixed default prices per model: issue 19).
    h = await startTestHeadroom({ PRESET: 'colossus-h100', SIM: 'off' });
  });
  afterAll(async () => {
    await h.stop();
  });

  let dealId = '';
  it('records the 300 MW deal on all 768 pods', async () => {
    const { status, body, headers } = await send<ContractJson>(h, 'POST', '/api/v1/contracts', REFERENCE_DEAL);
    expect(status).toBe(201);
    expect(body).toMatchObject({ ...REFERENCE_DEAL, status: 'active', shortfallPods: 0 });
    expect(body.id).toMatch(/^\d+$/);
    // 300 MW is the whole feed: 196,608 GPUs = 768 pods of 256.
    expect(body.pods).toHaveLength(768);
    expect(new Set(body.pods).size).toBe(768);
    expect(headers.get('location')).toBe(`/api/v1/contracts/${body.id}`);
    dealId = body.id;
  });

  it('values it as docs/capacity-and-billing.md computes by hand, as of 2026-11-27', async () => {
    const { status, body } = await send<Record<string, number | string | null>>(
      h,
      'GET',
      `/api/v1/contracts/${dealId}/valuation?asOf=2026-11-27`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      asOf: '2026-11-27',
      monthlyUsd: 1_250_000_000,
      // 36 × 1.25B − 2 × 0.625B.
      tcvUsd: 43_750_000_000,
      // Jun + Jul 2 × 0.625B + Aug–Oct 3 × 1.25B + Nov 1–26 26/30 × 1.25B (1,083,333,333.33).
      revenueToDateUsd: 6_083_333_333.33,
      // To date + Nov 27–30 + Dec + Jan + Feb 1–24 2027 (24/28 × 1.25B): 90 days' notice.
      guaranteedUsd: 9_821_428_571.43,
      remainingUsd: 37_666_666_666.67,
      // 1.25B / 300 MW.
      impliedUsdPerMwMonth: 4_166_666.67,
      // 1.25B / (196,608 GPUs × 730 h) = 8.7095… on this site's 655 GPUs per MW.
      impliedUsdPerGpuHour: 8.71,
      gpus: 196_608,
      facilityWatts: 300_000_000,
    });
  });

  it('values it as of today by the collection clock when asOf is omitted', async () => {
    const { status, body } = await send<{ asOf: string }>(h, 'GET', `/api/v1/contracts/${dealId}/valuation`);
    expect(status).toBe(200);
    expect(body.asOf).toBe(new Date(h.clock.now()).toISOString().slice(0, 10));
  });

  let overlapId = '';
  it('records a second contract on the full site with a shortfall instead of refusing it', async () => {
    const { status, body } = await send<ContractJson>(h, 'POST', '/api/v1/contracts', {
      ...TWO_PODS,
      customer: 'second buyer',
      start: '2027-01-01',
      end: '2027-12-31',
    });
    expect(status).toBe(201);
    expect(body.pods).toEqual([]);
    expect(body.shortfallPods).toBe(2);
    overlapId = body.id;
    expect(h.contracts.soldPodsAt('2027-06-01').size).toBe(768);
  });

  it('gives a contract after the deal ends pods of its own', async () => {
    const { status, body } = await send<ContractJson>(h, 'POST', '/api/v1/contracts', {
      ...TWO_PODS,
      start: '2029-06-01',
      end: '2029-12-31',
    });
    expect(status).toBe(201);
    expect(body.pods).toHaveLength(2);
    expect(body.shortfallPods).toBe(0);
  });

  it('hands the deal’s pods to the contract short of pods once the deal is deleted', async () => {
    expect((await send(h, 'DELETE', `/api/v1/contracts/${dealId}`)).status).toBe(204);
    const { body } = await send<ContractJson>(h, 'GET', `/api/v1/contracts/${overlapId}`);
    expect(body.pods).toHaveLength(2);
    expect(body.shortfallPods).toBe(0);
  });
});

describe('contracts API on the small site', () => {
  let h: TestHeadroom;
  beforeAll(async () => {
    h = await startTestHeadroom();
  });
  afterAll(async () => {
    await h.stop();
  });

  const podIds = ['h01-p001', 'h01-p002', 'h01-p003', 'h02-p001', 'h02-p002', 'h02-p003'];
  let created: ContractJson;

  it('creates a contract with 201, its id and the pods it is delivered on', async () => {
    const { status, body } = await send<ContractJson>(h, 'POST', '/api/v1/contracts', TWO_PODS);
    expect(status).toBe(201);
    expect(body).toEqual({ id: body.id, ...TWO_PODS, status: 'active', pods: body.pods, shortfallPods: 0 });
    expect(body.pods).toHaveLength(2);
    expect(body.pods.every((p) => podIds.includes(p))).toBe(true);
    created = body;
  });

  it('reads it back alone and in the list', async () => {
    expect(await send(h, 'GET', `/api/v1/contracts/${created.id}`)).toMatchObject({ status: 200, body: created });
    const list = await send<{ contracts: ContractJson[] }>(h, 'GET', '/api/v1/contracts');
    expect(list.status).toBe(200);
    expect(list.body.contracts).toContainEqual(created);
  });

  it('marks its pods sold while it is in term, and sums it per customer', () => {
    const sold = h.contracts.soldPodsAt('2026-11-27');
    expect([...sold].map((i) => podIds[i]).sort()).toEqual([...created.pods].sort());
    expect(h.contracts.soldPodsAt('2027-06-01').size).toBe(0);
    // June 2026 is ramp month 1 at 0.5: $100,000 in force; 2 pods × 64 GPUs.
    expect(h.contracts.contractedAt('2026-06-15')).toEqual([
      { customer: 'Acme Labs', monthlyUsd: 100_000, gpus: 128, facilityWatts: Math.round(128 / (384 / 585_938)), contracts: 1 },
    ]);
    expect(h.contracts.contractedAt('2026-11-27')[0]?.monthlyUsd).toBe(200_000);
    expect(h.contracts.contractedAt('2027-06-01')).toEqual([]);
  });

  it('takes back what GET gave on PUT, and keeps the contract’s pods when it grows', async () => {
    const same = await send<ContractJson>(h, 'PUT', `/api/v1/contracts/${created.id}`, created);
    expect(same).toMatchObject({ status: 200, body: created });
    const grown = await send<ContractJson>(h, 'PUT', `/api/v1/contracts/${created.id}`, { ...TWO_PODS, capacity: { pods: 3 } });
    expect(grown.status).toBe(200);
    expect(grown.body.pods).toHaveLength(3);
    expect(grown.body.pods).toEqual(expect.arrayContaining(created.pods));
    created = grown.body;
  });

  it('values a contract through HTTP', async () => {
    // 3 pods, $200,000 a month, June 2026 at half price: as of 2026-07-01 June's $100,000 is earned.
    const { status, body } = await send<Record<string, number>>(h, 'GET', `/api/v1/contracts/${created.id}/valuation?asOf=2026-07-01`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ monthlyUsd: 200_000, revenueToDateUsd: 100_000, tcvUsd: 2_300_000, gpus: 192 });
  });

  it('records contracts that together exceed the site, with a shortfall', async () => {
    const { status, body } = await send<ContractJson>(h, 'POST', '/api/v1/contracts', {
      ...TWO_PODS,
      customer: 'Beta',
      capacity: { pods: 5 },
    });
    expect(status).toBe(201);
    expect(body.pods).toHaveLength(3);
    expect(body.shortfallPods).toBe(2);
    expect(body.pods.some((p) => created.pods.includes(p))).toBe(false);
    expect((await send(h, 'DELETE', `/api/v1/contracts/${body.id}`)).status).toBe(204);
  });

  it.each([
    ['end before start', { end: '2026-05-31' }, 'end'],
    ['a negative price', { monthlyPriceUsd: -1 }, 'monthlyPriceUsd'],
    ['a price in fractions of a cent', { monthlyPriceUsd: 100.005 }, 'monthlyPriceUsd'],
    ['a ramp longer than the term', { ramp: [{ months: 13, factor: 0.5 }] }, 'ramp'],
    ['a ramp factor of zero', { ramp: [{ months: 1, factor: 0 }] }, 'ramp.0.factor'],
    ['more GPUs than the site has', { capacity: { gpus: 385 } }, 'capacity.gpus'],
    ['more pods than the site has', { capacity: { pods: 7 } }, 'capacity.pods'],
    ['more power than the site’s feed', { capacity: { watts: 300_000_000 } }, 'capacity.watts'],
    ['two kinds of capacity', { capacity: { pods: 1, gpus: 8 } }, 'capacity'],
    ['a date that does not exist', { start: '2026-02-30' }, 'start'],
    ['negative notice', { noticeDays: -1 }, 'noticeDays'],
    ['an empty customer', { customer: ' ' }, 'customer'],
    ['an unknown field', { discount: 0.1 }, 'discount'],
    ['an id, which the server assigns', { id: '7' }, 'id'],
    // Issue 16 item 12: accepted on create before.
    ['the pods, which the server allocates', { pods: ['h01-p001'] }, 'pods'],
    ['a status other than active: a contract is born in force', { status: 'terminated' }, 'status'],
    ['notice longer than the term', { start: '2026-06-01', end: '2026-06-30', noticeDays: 31 }, 'noticeDays'],
  ])('refuses %s with 400 naming the field', async (_name, change, path) => {
    const { status, body } = await send<ErrorJson>(h, 'POST', '/api/v1/contracts', { ...TWO_PODS, ...change });
    expect(status).toBe(400);
    expect(body.detail?.path).toBe(path);
    expect(body.error).toContain(path);
  });

  it('refuses a missing field, malformed JSON and an invalid PUT by name', async () => {
    const { end: _end, ...noEnd } = TWO_PODS;
    expect((await send<ErrorJson>(h, 'POST', '/api/v1/contracts', noEnd)).body.detail?.path).toBe('end');
    expect((await send(h, 'POST', '/api/v1/contracts', '{"customer":')).status).toBe(400);
    const put = await send<ErrorJson>(h, 'PUT', `/api/v1/contracts/${created.id}`, { ...TWO_PODS, monthlyPriceUsd: -5 });
    expect(put).toMatchObject({ status: 400, body: { detail: { path: 'monthlyPriceUsd' } } });
    const mismatch = await send<ErrorJson>(h, 'PUT', `/api/v1/contracts/${created.id}`, { ...created, id: '999' });
    expect(mismatch).toMatchObject({ status: 400, body: { detail: { path: 'id' } } });
    // Nothing changed.
    expect((await send(h, 'GET', `/api/v1/contracts/${created.id}`)).body).toEqual(created);
  });

  it('answers 404 for a contract that does not exist and 400 for an id that cannot be one', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/contracts/9999'],
      ['PUT', '/api/v1/contracts/9999'],
      ['DELETE', '/api/v1/contracts/9999'],
      ['GET', '/api/v1/contracts/9999/valuation'],
    ] as const) {
      const { status } = await send(h, method, path, method === 'PUT' ? TWO_PODS : undefined);
      expect(status, `${method} ${path}`).toBe(404);
    }
    const bad = await send<ErrorJson>(h, 'GET', '/api/v1/contracts/abc');
    expect(bad).toMatchObject({ status: 400, body: { detail: { path: 'id' } } });
  });

  it('refuses a valuation date that is not a calendar date', async () => {
    const { status, body } = await send<ErrorJson>(h, 'GET', `/api/v1/contracts/${created.id}/valuation?asOf=2026-02-30`);
    expect(status).toBe(400);
    expect(body.detail?.path).toBe('asOf');
  });

  it('serves the default price book with its sources, and replaces it on PUT', async () => {
    const initial = await send<{ gpuHourUsd: Record<string, number>; mwMonthUsd: number; basis: string; sources: Record<string, string> }>(
      h,
      'GET',
      '/api/v1/pricebook',
    );
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ gpuHourUsd: { 'H100-SXM': 2.4, 'H200-SXM': 3.44 }, mwMonthUsd: 4_166_667, basis: 'gpu-hour' });
    expect(initial.body.sources['H100-SXM']).toMatch(/Vast\.ai/);

    const next = {
      gpuHourUsd: { 'H100-SXM': 2.69, 'A100-80GB': 1.2 },
      mwMonthUsd: 4_000_000,
      basis: 'mw-month',
      sources: { 'H100-SXM': 'RunPod' },
    };
    expect(await send(h, 'PUT', '/api/v1/pricebook', next)).toMatchObject({ status: 200, body: next });
    expect((await send(h, 'GET', '/api/v1/pricebook')).body).toEqual(next);

    const negative = await send<ErrorJson>(h, 'PUT', '/api/v1/pricebook', { ...next, gpuHourUsd: { 'H100-SXM': -1 } });
    expect(negative).toMatchObject({ status: 400, body: { detail: { path: 'gpuHourUsd.H100-SXM' } } });
    expect((await send(h, 'GET', '/api/v1/pricebook')).body).toEqual(next);
  });

  it('keeps contracts, their pods and the price book across a restart', async () => {
    const before = (await send<{ contracts: ContractJson[] }>(h, 'GET', '/api/v1/contracts')).body;
    const book = (await send(h, 'GET', '/api/v1/pricebook')).body;
    await h.stop();
    h = await startTestHeadroom({}, h.dir);
    expect((await send(h, 'GET', '/api/v1/contracts')).body).toEqual(before);
    expect((await send(h, 'GET', '/api/v1/pricebook')).body).toEqual(book);
    // A deleted contract's id is never reused.
    const next = await send<ContractJson>(h, 'POST', '/api/v1/contracts', { ...TWO_PODS, capacity: { pods: 1 } });
    expect(Number(next.body.id)).toBeGreaterThan(Math.max(...before.contracts.map((c) => Number(c.id))) + 1);
  });

  it('deletes with 204, after which the contract is gone', async () => {
    expect((await send(h, 'DELETE', `/api/v1/contracts/${created.id}`)).status).toBe(204);
    expect((await send(h, 'GET', `/api/v1/contracts/${created.id}`)).status).toBe(404);
    expect((await send(h, 'DELETE', `/api/v1/contracts/${created.id}`)).status).toBe(404);
  });
});
