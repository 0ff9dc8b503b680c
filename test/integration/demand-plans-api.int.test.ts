import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';

interface PlanJson {
  id: number;
  name: string;
  gpus: number;
  start: string;
  end: string | null;
  note: string | null;
  createdAt: string;
}

interface ErrorJson {
  error: string;
  detail?: { path?: string };
}

interface Capacity {
  gpus: { total: number; up: number; sold: number; reserve: number };
  sellable: { gpus: number };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null };
  forecast: { horizonDays: number; points: Array<[number, number, number]> };
}

/** Any method, JSON in and out (the admin token unless another is given); 204 answers carry no body. */
async function send<T = Record<string, unknown>>(h: TestHeadroom, method: string, path: string, body?: unknown, token?: string) {
  const response = await authedFetch(
    h.url + path,
    {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    token,
  );
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, days: number): string => isoDay(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000);

/** A quarter's training run on the small site (384 GPUs). */
const TRAINING = { name: 'Q3 training run', gpus: 128, start: '2026-07-01', end: '2026-09-30', note: 'booked with the research lead' };

describe('demand plans API on the small site', () => {
  let h: TestHeadroom;
  beforeAll(async () => {
    h = await startTestHeadroom();
  });
  afterAll(async () => {
    await h.stop();
  });

  let created: PlanJson;
  it('records a plan: 201 with its id, creation time and Location', async () => {
    const { status, body, headers } = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', TRAINING);
    expect(status).toBe(201);
    expect(body).toMatchObject(TRAINING);
    expect(Number.isInteger(body.id) && body.id >= 1).toBe(true);
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(headers.get('location')).toBe(`/api/v1/demand-plans/${body.id}`);
    created = body;
  });

  it('defaults end and note to null, and trims the name', async () => {
    const { status, body } = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', { name: '  launch  ', gpus: 64, start: '2026-08-01' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: 'launch', gpus: 64, start: '2026-08-01', end: null, note: null });
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${body.id}`)).status).toBe(204);
  });

  it('lists and gets the plan as it was answered', async () => {
    const list = await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans');
    expect(list.status).toBe(200);
    expect(list.body.plans).toEqual([created]);
    const one = await send<PlanJson>(h, 'GET', `/api/v1/demand-plans/${created.id}`);
    expect(one).toMatchObject({ status: 200, body: created });
  });

  it('replaces a plan with PUT, keeping its id and creation time (both may be sent back)', async () => {
    const next = { ...created, gpus: 192, end: null, note: null };
    const { status, body } = await send<PlanJson>(h, 'PUT', `/api/v1/demand-plans/${created.id}`, next);
    expect(status).toBe(200);
    expect(body).toEqual(next);
    expect((await send<PlanJson>(h, 'GET', `/api/v1/demand-plans/${created.id}`)).body).toEqual(next);
    const wrongId = await send<ErrorJson>(h, 'PUT', `/api/v1/demand-plans/${created.id}`, { ...next, id: created.id + 1 });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.detail?.path).toBe('id');
    created = next;
  });

  it('refuses each invalid field with a 400 naming it, and stores nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp?]> = [
      ['gpus', { ...TRAINING, gpus: 385 }, /more than the site's total of 384 GPUs/],
      ['gpus', { ...TRAINING, gpus: 0 }],
      ['gpus', { ...TRAINING, gpus: 12.5 }],
      ['gpus', { ...TRAINING, gpus: '64' }],
      ['end', { ...TRAINING, end: '2026-06-30' }, /before start 2026-07-01/],
      ['start', { ...TRAINING, start: '2026-02-30' }],
      ['start', { ...TRAINING, start: '2026-7-1' }],
      ['end', { ...TRAINING, end: '2027-02-29' }],
      ['name', { gpus: 64, start: '2026-07-01' }],
      ['name', { ...TRAINING, name: '   ' }],
      ['name', { ...TRAINING, name: 'x'.repeat(201) }],
      ['note', { ...TRAINING, note: 'x'.repeat(2_001) }],
      ['colour', { ...TRAINING, colour: 'teal' }],
    ];
    for (const [field, body, message] of cases) {
      const what = JSON.stringify(body).slice(0, 80);
      const post = await send<ErrorJson>(h, 'POST', '/api/v1/demand-plans', body);
      expect(post.status, what).toBe(400);
      expect(post.body.detail?.path, what).toBe(field);
      expect(post.body.error, what).toMatch(new RegExp(`^${field}: `));
      if (message) expect(post.body.error, what).toMatch(message);
      const put = await send<ErrorJson>(h, 'PUT', `/api/v1/demand-plans/${created.id}`, body);
      expect(put.status, what).toBe(400);
      expect(put.body.detail?.path, what).toBe(field);
    }
    // A plan of exactly the site's GPUs, of one day, is fine.
    const whole = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', { ...TRAINING, gpus: 384, end: TRAINING.start });
    expect(whole.status).toBe(201);
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${whole.body.id}`)).status).toBe(204);
    expect((await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans')).body.plans).toEqual([created]);
  });

  it('lets a viewer read plans but not change them; admin can', async () => {
    const token = await send<{ token: string }>(h, 'POST', '/api/v1/tokens', { name: 'plans viewer', role: 'viewer' });
    expect(token.status).toBe(201);
    const viewer = token.body.token;
    expect((await send(h, 'GET', '/api/v1/demand-plans', undefined, viewer)).status).toBe(200);
    expect((await send(h, 'GET', `/api/v1/demand-plans/${created.id}`, undefined, viewer)).status).toBe(200);
    expect((await send(h, 'POST', '/api/v1/demand-plans', TRAINING, viewer)).status).toBe(403);
    expect((await send(h, 'PUT', `/api/v1/demand-plans/${created.id}`, TRAINING, viewer)).status).toBe(403);
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${created.id}`, undefined, viewer)).status).toBe(403);
    expect((await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans')).body.plans).toEqual([created]);
  });

  it('records changes and refused attempts in the audit log', async () => {
    const posted = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', { ...TRAINING, name: 'audited' });
    expect((await send(h, 'POST', '/api/v1/demand-plans', { ...TRAINING, gpus: 10_000 })).status).toBe(400);
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${posted.body.id}`)).status).toBe(204);
    const log = await send<{ entries: Array<{ action: string; target: string; status: number; detail: unknown }> }>(
      h,
      'GET',
      '/api/v1/audit?limit=3',
    );
    expect(log.body.entries.reverse().map((e) => `${e.action} ${e.status} ${e.target}`)).toEqual([
      `POST /api/v1/demand-plans 201 /api/v1/demand-plans/${posted.body.id}`,
      'POST /api/v1/demand-plans 400 /api/v1/demand-plans',
      `DELETE /api/v1/demand-plans/${posted.body.id} 204 /api/v1/demand-plans/${posted.body.id}`,
    ]);
    expect(log.body.entries[1]?.detail).toMatchObject({ gpus: 10_000 });
  });

  it('answers 404 for an unknown id, and 400 for an id that is not one', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await send<ErrorJson>(h, method, '/api/v1/demand-plans/999999', method === 'PUT' ? TRAINING : undefined);
      expect(answer.status, method).toBe(404);
      expect(answer.body.error).toMatch(/no demand plan with id 999999/);
    }
    expect((await send(h, 'GET', '/api/v1/demand-plans/abc')).status).toBe(400);
  });

  it('deletes a plan: 204, then 404', async () => {
    const extra = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', TRAINING);
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${extra.body.id}`)).status).toBe(204);
    expect((await send(h, 'GET', `/api/v1/demand-plans/${extra.body.id}`)).status).toBe(404);
    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${extra.body.id}`)).status).toBe(404);
  });

  it('keeps the plans across a restart on the same data folder', async () => {
    await h.stop();
    h = await startTestHeadroom({}, h.dir);
    expect((await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans')).body.plans).toEqual([created]);
    // A deleted plan's id is not reused.
    const next = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', TRAINING);
    expect(next.body.id).toBeGreaterThan(created.id + 1);
  });
});

describe('a demand plan on the simulated uniform Colossus site with the demo contract book', () => {
  let h: TestHeadroom;
  beforeAll(async () => {
    // Colossus, not the small site: there the demo book is oversold by the forecast alone, so a
    // plan could not be seen to turn the risk on. A quarter day of history is enough to forecast.
    // The uniform one: on a mixed site a site-wide plan is shared among the model pools and each
    // pool's shortfall counts apart (docs/capacity-and-billing.md#per-gpu-model), which this
    // hand-computed shortfall (one pool, pods of one size) does not model.
    h = await startTestHeadroom({ PRESET: 'colossus-h100', BACKFILL_DAYS: '0.25', SIM_CONTRACTS: 'demo' });
  });
  afterAll(async () => {
    await h.stop();
  });

  /** GPUs sold on the worst day of the horizon, from the contract book (contracts start and end over it). */
  async function soldGpusOverHorizon(today: string, horizonDays: number, totalGpus: number): Promise<number> {
    const contracts = (
      await send<{ contracts: Array<{ start: string; end: string; status: string; pods: string[] }> }>(h, 'GET', '/api/v1/contracts')
    ).body.contracts;
    const pods = (await send<{ pods: unknown[] }>(h, 'GET', '/api/v1/fleet/pods')).body.pods.length;
    const gpusPerPod = totalGpus / pods;
    let worst = 0;
    for (let d = 0; d <= horizonDays; d++) {
      const day = addDays(today, d);
      const sold = contracts.filter((c) => c.status === 'active' && c.start <= day && day <= c.end).reduce((s, c) => s + c.pods.length, 0);
      worst = Math.max(worst, sold * gpusPerPod);
    }
    return worst;
  }

  it('shows at the next request: oversold by what it needs beyond the unsold GPUs, reserved, nothing sellable; deleting it restores the figures', async () => {
    const before = (await send<Capacity>(h, 'GET', '/api/v1/capacity')).body;
    expect(before.risk).toMatchObject({ oversold: false, shortfallGpus: 0, firstShortfallAt: null });
    const gpus = before.gpus.total - 1_000;
    // Above the forecast everywhere, so the plan alone sets every point's median.
    expect(Math.max(...before.forecast.points.map(([, median]) => median))).toBeLessThan(gpus);
    const today = isoDay(h.clock.now());

    const plan = await send<PlanJson>(h, 'POST', '/api/v1/demand-plans', { name: 'comeback', gpus, start: today });
    expect(plan.status).toBe(201);
    // No collection round in between: the plans' revision alone makes the report new.
    const after = (await send<Capacity>(h, 'GET', '/api/v1/capacity')).body;
    const sold = await soldGpusOverHorizon(today, after.forecast.horizonDays, after.gpus.total);
    expect(sold).toBeGreaterThanOrEqual(after.gpus.sold);
    expect(after.gpus.up).toBe(before.gpus.up);
    expect(after.risk.oversold).toBe(true);
    expect(after.risk.firstShortfallAt).not.toBeNull();
    // The worst moment of the horizon: the plan, plus the most sold on any day, beyond the GPUs up.
    expect(after.risk.shortfallGpus).toBe(gpus + sold - after.gpus.up);
    expect(after.gpus.reserve).toBeGreaterThanOrEqual(gpus * 1.05);
    expect(after.sellable.gpus).toBe(0);

    expect((await send(h, 'DELETE', `/api/v1/demand-plans/${plan.body.id}`)).status).toBe(204);
    const restored = (await send<Capacity>(h, 'GET', '/api/v1/capacity')).body;
    expect(restored.sellable.gpus).toBe(before.sellable.gpus);
    expect(restored.risk).toEqual(before.risk);
    expect(restored.gpus.reserve).toBe(before.gpus.reserve);
  });
});

describe('the demo plan of a simulated rebound site', () => {
  it('a new rebound site starts with the owner’s comeback planned: the rebound level at the daily peak of its GPUs, from the rebound’s day', async () => {
    const h = await startTestHeadroom({ SIM_SCENARIO: 'rebound' });
    try {
      const { plans } = (await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans')).body;
      const total = (await send<Capacity>(h, 'GET', '/api/v1/capacity')).body.gpus.total;
      // The small site: 384 GPUs × 0.85 × 1.1 = 359.04 → 359, from 2026-12-01 (the scenario's anchor), open-ended.
      expect(total).toBe(384);
      expect(plans).toMatchObject([{ name: 'Own training returns', gpus: 359, start: '2026-12-01', end: null }]);
      // Deleted, it stays deleted across a restart (seeded once, as the demo contract book).
      expect((await send(h, 'DELETE', `/api/v1/demand-plans/${plans[0]?.id}`)).status).toBe(204);
      await h.stop();
      const again = await startTestHeadroom({ SIM_SCENARIO: 'rebound' }, h.dir);
      try {
        expect((await send<{ plans: PlanJson[] }>(again, 'GET', '/api/v1/demand-plans')).body.plans).toEqual([]);
      } finally {
        await again.stop();
      }
    } catch (error) {
      await h.stop().catch(() => undefined);
      throw error;
    }
  });

  it('none with SIM_PLANS=none, and none in the other scenarios', async () => {
    const envs: Array<Record<string, string>> = [{ SIM_SCENARIO: 'rebound', SIM_PLANS: 'none' }, { SIM_SCENARIO: 'decline' }];
    for (const env of envs) {
      const h = await startTestHeadroom(env);
      try {
        expect((await send<{ plans: PlanJson[] }>(h, 'GET', '/api/v1/demand-plans')).body.plans, JSON.stringify(env)).toEqual([]);
      } finally {
        await h.stop();
      }
    }
  });
});
