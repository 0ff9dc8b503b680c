import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, type Exposition } from '../helpers/exposition.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { hasBinary, promtool } from './promtool.js';
import { authedFetch } from '../helpers/auth.js';
import { expectCapacityAgrees, expectContractsAgree, type CapacityJson } from '../helpers/metrics-agreement.js';

interface Fleet {
  gpus: Record<string, number>;
  power: { feedWatts: number; itDrawWatts: number; facilityDrawWatts: number; headroomWatts: number };
}
interface Halls {
  halls: Array<{ id: string; gpus: Record<string, number> }>;
}

const STATES = ['busy', 'held', 'idle', 'sold', 'down', 'unknown'];
const SITE = 'test-site';

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom({ SIM_CONTRACTS: 'demo', BACKFILL_DAYS: '7', SITE_ID: SITE, SIM_SCENARIO: 'decline' });
});
afterAll(async () => {
  await h.stop();
});

async function scrape(headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const res = await authedFetch(`${h.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
const metrics = async (): Promise<Exposition> => parseExposition((await scrape()).text);

describe('/metrics: the exposition format Prometheus reads', () => {
  it('serves text format 0.0.4 with HELP and TYPE on every family and a site label on every sample', async () => {
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseExposition(text);
    expect(m.families.size).toBeGreaterThan(40);
    for (const family of m.families.values()) {
      expect(family.help, family.name).not.toBe('');
      expect(text).toContain(`# TYPE ${family.name} `);
      for (const sample of family.metrics) if (!sample.buckets) expect(sample.labels?.site, family.name).toBe(SITE);
    }
    expect(m.value('headroom_site_info', { preset: 'small', simulated: 'true' })).toBe(1);
  });

  it.skipIf(!hasBinary('promtool'))('passes `promtool check metrics` with no problems', async () => {
    const { text } = await scrape();
    const result = promtool(['check', 'metrics'], text);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('/metrics agrees with the API at the same moment', () => {
  it('counts GPUs by state exactly as GET /api/v1/fleet and /fleet/halls', async () => {
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    const halls = (await h.getJson<Halls>('/api/v1/fleet/halls')).body.halls;
    const m = await metrics();
    for (const state of STATES) {
      expect(m.sum('headroom_gpus', { state }), state).toBe(fleet.gpus[state]);
      for (const hall of halls) expect(m.value('headroom_gpus', { hall: hall.id, state })).toBe(hall.gpus[state]);
    }
    expect(m.sum('headroom_gpus')).toBe(384);
  });

  it('reports power in watts: feed and headroom exactly, hall draws summing to the site within rounding', async () => {
    const { power } = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    const m = await metrics();
    expect(m.value('headroom_power_feed_watts')).toBe(power.feedWatts);
    expect(m.value('headroom_power_headroom_watts')).toBe(power.headroomWatts);
    // Each hall is rounded to the watt on its own: two halls, at most a watt apart.
    expect(Math.abs(m.sum('headroom_power_facility_draw_watts') - power.facilityDrawWatts)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.sum('headroom_power_it_draw_watts') - power.itDrawWatts)).toBeLessThanOrEqual(1);
    expect(power.facilityDrawWatts).toBeGreaterThan(0);
  });

  it('reports capacity, sellable value and risk as GET /api/v1/capacity, with no NaN anywhere', async () => {
    await expectCapacityAgrees(h);
  });

  it('reports planned internal demand: 0 without a plan; at the next scrape after one, in force now and over the horizon', async () => {
    const before = await metrics();
    expect(before.value('headroom_planned_internal_gpus', { when: 'now' })).toBe(0);
    expect(before.value('headroom_planned_internal_gpus', { when: 'horizon' })).toBe(0);
    const day = (offsetDays: number): string => new Date(h.clock.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const post = (plan: unknown) =>
      authedFetch(`${h.url}/api/v1/demand-plans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(plan),
      });
    // 100 GPUs from today for a week; 300 from day 30; 380 from day 120, past the 90-day horizon.
    const created = await Promise.all([
      post({ name: 'now', gpus: 100, start: day(0), end: day(6) }),
      post({ name: 'later', gpus: 300, start: day(30) }),
      post({ name: 'past the horizon', gpus: 380, start: day(120) }),
    ]);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
    // No collection round and no GET /capacity in between: the scrape applies the change itself.
    const m = await metrics();
    expect(m.value('headroom_planned_internal_gpus', { when: 'now' })).toBe(100);
    expect(m.value('headroom_planned_internal_gpus', { when: 'horizon' })).toBe(300);
    const cap = (await h.getJson<CapacityJson>('/api/v1/capacity')).body;
    expect(cap.plans).toEqual({ count: 3, inForceGpus: 100, horizonPeakGpus: 300 });
    expect(m.value('headroom_capacity_gpus', { class: 'reserve' })).toBe(cap.gpus.reserve);
    expect(cap.gpus.reserve).toBeGreaterThanOrEqual(Math.ceil(300 * 1.05));
    for (const r of created) {
      const { id } = (await r.json()) as { id: number };
      expect((await authedFetch(`${h.url}/api/v1/demand-plans/${id}`, { method: 'DELETE' })).status).toBe(204);
    }
    expect((await metrics()).value('headroom_planned_internal_gpus', { when: 'horizon' })).toBe(0);
  });

  it('reports contract revenue and contracted capacity by customer, and the book by status', async () => {
    expect(h.contracts.contractedAt(new Date(h.clock.now()).toISOString().slice(0, 10)).length).toBeGreaterThan(0);
    await expectContractsAgree(h);
    const m = await metrics();
    expect(m.value('headroom_contracts', { status: 'active' })).toBe(3);
    const first = h.contracts.list()[0];
    if (!first) throw new Error('demo book is empty');
    const v = h.contracts.valuation(Number(first.id));
    expect(m.value('headroom_contract_value_usd', { customer: first.customer, measure: 'total' })).toBe(v.tcvUsd);
    expect(m.value('headroom_contract_value_usd', { customer: first.customer, measure: 'guaranteed' })).toBe(v.guaranteedUsd);
  });
});

describe('/metrics counts what the collector does', () => {
  it('counts pushed samples and batches, and refused batches by reason, without storing the refused', async () => {
    const before = await metrics();
    const body = JSON.stringify({
      gpus: [
        { uuid: 'GPU-m-1', host: 'metrics-node', powerWatts: 70 },
        { uuid: 'GPU-m-2', host: 'metrics-node', powerWatts: 71 },
      ],
    });
    expect((await h.post('/api/v1/ingest/json', body, 'application/json')).status).toBe(200);
    expect((await h.post('/api/v1/ingest/json', '{"gpus": [', 'application/json')).status).toBe(400);
    expect((await h.post('/api/v1/ingest/dcgm', 'x'.repeat(10), 'application/json')).status).toBe(400);
    expect((await h.post('/api/v1/ingest/made-up', '{}', 'application/json')).status).toBe(404);
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    expect(delta('headroom_ingested_samples_total', { source: 'push:json' })).toBe(2);
    expect(delta('headroom_ingested_batches_total', { source: 'push:json' })).toBe(1);
    expect(delta('headroom_rejected_batches_total', { source: 'push:json', reason: 'invalid' })).toBe(1);
    expect(delta('headroom_rejected_batches_total', { source: 'push:dcgm', reason: 'invalid' })).toBe(1);
    expect(delta('headroom_ingested_batches_total', { source: 'push:dcgm' })).toBe(0);
    // A path that is not a route makes no label of its own.
    expect(after.families.get('headroom_rejected_batches_total')?.metrics.some((s) => s.labels?.source === 'push:made-up')).toBe(false);
  });

  it('counts a collection round: simulator samples, round duration, targets up', async () => {
    const before = await metrics();
    const stats = await h.collectAt(h.clock.now());
    const after = await metrics();
    expect(
      after.sum('headroom_ingested_samples_total', { source: 'simulator' }) -
        before.sum('headroom_ingested_samples_total', { source: 'simulator' }),
    ).toBe(stats.samples);
    expect(after.value('headroom_scrape_targets', { health: 'up' })).toBe(48);
    expect(after.value('headroom_scrape_targets', { health: 'down' })).toBe(0);
    expect(after.value('headroom_scrape_failures_total', { target: 'simulator' })).toBe(0);
    // Backfill ends a 5-minute step before start and these rounds close no minute: minutes, not hours.
    expect(after.value('headroom_rollup_lag_seconds')).toBeGreaterThan(0);
    expect(after.value('headroom_rollup_lag_seconds')).toBeLessThan(20 * 60);
    // Until a checkpoint most of the database is in the WAL.
    expect(after.sum('headroom_sqlite_size_bytes')).toBeGreaterThan(100_000);
  });
});

describe('/metrics of a collector scraping real HTTP targets', () => {
  let scraper: TestHeadroom;
  let live: string;
  const dead = 'http://127.0.0.1:9/metrics';
  beforeAll(async () => {
    live = `${h.url}/sim/nodes/${h.sim?.topology.nodes[0]?.host ?? ''}/metrics`;
    scraper = await startTestHeadroom({ SIM: 'false', SCRAPE_TARGETS: `${live},${dead}`, SITE_ID: 'scraper' });
  });
  afterAll(async () => {
    await scraper.stop();
  });

  it('has a duration histogram, failures and last success per target', async () => {
    await scraper.collectAt(scraper.clock.now());
    const text = await (await authedFetch(`${scraper.url}/metrics`)).text();
    const m = parseExposition(text);
    expect(m.value('headroom_scrape_failures_total', { target: dead })).toBeGreaterThanOrEqual(1);
    expect(m.value('headroom_scrape_failures_total', { target: live })).toBe(0);
    expect(m.value('headroom_scrape_last_success_timestamp_seconds', { target: live })).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(m.value('headroom_scrape_targets', { health: 'down' })).toBe(1);
    expect(text).toMatch(
      new RegExp(`headroom_scrape_duration_seconds_count\\{[^}]*target="${live.replace(/[/.]/g, '\\$&')}"[^}]*\\} [1-9]`),
    );
    expect(m.sum('headroom_ingested_samples_total', { source: 'scrape' })).toBeGreaterThan(0);
  });
});

describe('/metrics with credentials configured', () => {
  it('asks for the bearer token when METRICS_BEARER_TOKEN is set', async () => {
    const secured = await startTestHeadroom({ METRICS_BEARER_TOKEN: 'a-long-enough-secret' });
    try {
      const none = await authedFetch(`${secured.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await authedFetch(`${secured.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret-wrong' } })).status).toBe(401);
      const ok = await authedFetch(`${secured.url}/metrics`, { headers: { authorization: 'Bearer a-long-enough-secret' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('headroom_gpus');
    } finally {
      await secured.stop();
    }
  });

  it('asks for basic auth when METRICS_BASIC_AUTH is set', async () => {
    const secured = await startTestHeadroom({ METRICS_BASIC_AUTH: 'prometheus:correct-horse' });
    try {
      const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
      expect((await authedFetch(`${secured.url}/metrics`)).status).toBe(401);
      expect((await authedFetch(`${secured.url}/metrics`, { headers: basic('prometheus:wrong-horse') })).status).toBe(401);
      expect((await authedFetch(`${secured.url}/metrics`, { headers: basic('prometheus:correct-horse') })).status).toBe(200);
    } finally {
      await secured.stop();
    }
  });

  it('refuses a weak token at start-up, naming the variable', () => {
    return expect(startTestHeadroom({ METRICS_BEARER_TOKEN: 'short' })).rejects.toThrow(/METRICS_BEARER_TOKEN/);
  });
});
