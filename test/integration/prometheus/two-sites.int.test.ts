import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/harness.js';
import { freePort, killAll, startProcess, type HeadroomProcess } from '../helpers/process.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { hasBinary } from '../metrics/promtool.js';

/**
 * Two Headroom processes (two simulated sites) scraped by one real Prometheus on loopback, as
 * a fleet larger than one machine is run: every figure Prometheus holds must be the API's.
 */
const SITES = [
  { id: 'alpha', env: { SIM_SEED: '1', SIM_SCENARIO: 'decline' } },
  { id: 'beta', env: { SIM_SEED: '2', SIM_SCENARIO: 'flat' } },
] as const;

interface Fleet {
  gpus: Record<string, number>;
  power: { feedWatts: number; facilityDrawWatts: number; headroomWatts: number };
  updatedAt: string;
}
interface Capacity {
  gpus: Record<string, number>;
  sellable: { gpus: number; valueUsdPerMonth: number };
  risk: { shortfallGpus: number };
  updatedAt: string;
}

const available = hasBinary('prometheus');
let sites: Array<HeadroomProcess & { id: string }> = [];
let prom: RunningPrometheus;

beforeAll(async () => {
  if (!available) return;
  sites = await Promise.all(
    SITES.map(async (s) => ({ id: s.id, ...(await startProcess(tempDir(), freePort(), { SITE_ID: s.id, SIM_CONTRACTS: 'demo', LOG_LEVEL: 'warn', ...s.env })) })),
  );
  const targets = sites.map((s) => `'127.0.0.1:${s.port}'`).join(', ');
  prom = await startPrometheus(
    tempDir(),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: headroom
    static_configs: [{ targets: [${targets}] }]
`,
    freePort(),
  );
  // A few scrapes of both.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const up = await prom.query('count_over_time(up{job="headroom"}[1m]) >= 3');
    if (up.length === 2) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`prometheus did not scrape both sites: ${prom.output()}`);
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  killAll();
});

const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;
const num = (samples: Array<{ value: [number, string] }>): number => Number(samples[0]?.value[1]);

/**
 * Reads the API, waits for a scrape after that read, and returns both if the fleet did not
 * move between (a round every 10 s: retried until a quiet window).
 */
async function sameMoment(site: { id: string; url: string }) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const readAt = Date.now() / 1000;
    const fleet = await json<Fleet>(`${site.url}/api/v1/fleet`);
    const capacity = await json<Capacity>(`${site.url}/api/v1/capacity`);
    let scrapedAt = 0;
    while (scrapedAt <= readAt) {
      await new Promise((r) => setTimeout(r, 300));
      scrapedAt = num(await prom.query(`timestamp(headroom_site_info{site="${site.id}"})`));
    }
    const after = await json<Fleet>(`${site.url}/api/v1/fleet`);
    if (after.updatedAt === fleet.updatedAt && capacity.updatedAt === fleet.updatedAt) {
      const at = scrapedAt;
      return { fleet, capacity, query: async (expr: string) => num(await prom.query(expr, at)) };
    }
  }
  throw new Error(`${site.id}: the fleet changed on every attempt`);
}

describe.skipIf(!available)('one Prometheus scraping two Headroom sites', () => {
  it('holds GPUs exactly, watts and dollars to rounding, as each site API says at the same moment', async () => {
    for (const site of sites) {
      const { fleet, capacity, query } = await sameMoment(site);
      const sel = `site="${site.id}"`;
      for (const state of ['busy', 'held', 'idle', 'sold', 'down', 'unknown']) {
        expect(await query(`sum(headroom_gpus{${sel},state="${state}"})`), `${site.id} ${state}`).toBe(fleet.gpus[state]);
      }
      expect(await query(`sum(headroom_gpus{${sel}})`)).toBe(fleet.gpus.total);
      expect(await query(`headroom_power_feed_watts{${sel}}`)).toBe(fleet.power.feedWatts);
      expect(await query(`headroom_power_headroom_watts{${sel}}`)).toBe(fleet.power.headroomWatts);
      expect(Math.abs((await query(`sum(headroom_power_facility_draw_watts{${sel}})`)) - fleet.power.facilityDrawWatts)).toBeLessThanOrEqual(1);
      for (const cls of ['reserve', 'sellable', 'up']) expect(await query(`headroom_capacity_gpus{${sel},class="${cls}"}`)).toBe(capacity.gpus[cls]);
      expect(await query(`sum(headroom_sellable_value_usd_per_month{${sel}})`)).toBeCloseTo(capacity.sellable.valueUsdPerMonth, 2);
      expect(await query(`headroom_oversold_shortfall_gpus{${sel}}`)).toBe(capacity.risk.shortfallGpus);
    }
  });

  it('sums across the sites: both sites are in every fleet-wide figure', async () => {
    expect(num(await prom.query('count(headroom_site_info)'))).toBe(2);
    expect(num(await prom.query('sum(headroom_gpus)'))).toBe(2 * 384);
    const bySite = await prom.query('sum by (site) (headroom_power_feed_watts)');
    expect(bySite.map((s) => s.metric.site).sort()).toEqual(['alpha', 'beta']);
  });
});
