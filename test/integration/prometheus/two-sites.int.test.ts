import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  dashboardQueries,
  HEADROOM_FAMILIES,
  interpolateQuery,
  metricNamesIn,
  PROMETHEUS_CONFIG,
  ruleExpressions,
  RULE_FILES,
  seriesNamesOf,
} from '../grafana/metric-families.js';
import { tempDir } from '../helpers/harness.js';
import { freePort, killAll, startProcess, type HeadroomProcess } from '../helpers/process.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { hasBinary } from '../metrics/promtool.js';
import { authedFetch } from '../helpers/auth.js';

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
    SITES.map(async (s) => ({
      id: s.id,
      ...(await startProcess(tempDir(), freePort(), { SITE_ID: s.id, SIM_CONTRACTS: 'demo', LOG_LEVEL: 'warn', ...s.env })),
    })),
  );
  const dir = tempDir();
  prom = await startPrometheus(dir, shippedConfigFor(dir, sites), freePort());
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

/** The alert built to fire: the shipped HeadroomBatchesRejected, without its 10-minute `for`. */
const FIRING_ALERT = 'HeadroomBatchesRejectedNow';

/**
 * grafana/prometheus/prometheus.yml as shipped, pointed at the two test processes, scraping and
 * evaluating every second, with the shipped rule files and one rule built to fire.
 */
function shippedConfigFor(dir: string, processes: Array<{ id: string; port: number }>): string {
  const config = YAML.parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: Array<Record<string, unknown> & { job_name: string }>;
  };
  const rejected = ruleExpressions().find((r) => r.name === 'HeadroomBatchesRejected');
  if (!rejected) throw new Error('alerting-rules.yml has no HeadroomBatchesRejected');
  const fireFile = join(dir, 'fire-rules.yml');
  writeFileSync(
    fireFile,
    YAML.stringify({
      groups: [{ name: 'built-to-fire', rules: [{ alert: FIRING_ALERT, expr: rejected.expr, for: '0s', labels: rejected.labels }] }],
    }),
  );
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = [RULE_FILES.recording, RULE_FILES.alerting, fireFile];
  const job = config.scrape_configs.find((j) => j.job_name === 'headroom');
  if (!job) throw new Error('prometheus.yml has no headroom job');
  Object.assign(job, {
    scrape_interval: '1s',
    scrape_timeout: '1s',
    static_configs: processes.map((p) => ({ targets: [`127.0.0.1:${p.port}`], labels: { site: p.id } })),
  });
  return YAML.stringify(config);
}

/** Retries `check` until it returns no problems or the time is up; returns the last problems. */
async function eventually(check: () => Promise<string[]>, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const problems = await check();
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

const json = async <T>(url: string): Promise<T> => (await authedFetch(url)).json() as Promise<T>;
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
      expect(
        Math.abs((await query(`sum(headroom_power_facility_draw_watts{${sel}})`)) - fleet.power.facilityDrawWatts),
      ).toBeLessThanOrEqual(1);
      for (const cls of ['reserve', 'sellable', 'up'])
        expect(await query(`headroom_capacity_gpus{${sel},class="${cls}"}`)).toBe(capacity.gpus[cls]);
      expect(await query(`sum(headroom_sellable_value_usd_per_month{${sel}})`)).toBeCloseTo(capacity.sellable.valueUsdPerMonth, 2);
      expect(await query(`headroom_oversold_shortfall_gpus{${sel}}`)).toBe(capacity.risk.shortfallGpus);
    }
  });

  it('answers every dashboard panel query with data, for one site, both, and All; panels show each site', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(50);
    const selections = [['alpha'], ['alpha', 'beta'], 'all'] as const;
    // Rates and quantiles need a minute of rounds (every 10 s) behind them.
    const problems = await eventually(async () => {
      const found: string[] = [];
      for (const q of queries) {
        const sitesSeen = new Set<string>();
        for (const sites of selections) {
          const expr = interpolateQuery(q.expr, { sites, rateInterval: '1m' });
          const result = await prom.query(expr).catch((e: unknown) => found.push(`${q.file} "${q.panelTitle}" ${q.refId}: ${String(e)}`));
          if (typeof result === 'number') continue;
          if (result.length === 0) found.push(`${q.file} "${q.panelTitle}" ${q.refId} [${String(sites)}]: no series for ${expr}`);
          if (sites === 'all') for (const r of result) if (r.metric.site) sitesSeen.add(r.metric.site);
        }
        if (sitesSeen.size === 1)
          found.push(`${q.file} "${q.panelTitle}" ${q.refId}: with All selected, shows only ${[...sitesSeen].join()}`);
      }
      return found;
    }, 90_000);
    expect(problems).toEqual([]);
  }, 150_000);

  it('evaluates every recording and alerting rule cleanly, over series that exist', async () => {
    const problems = await eventually(async () => {
      const found: string[] = [];
      const { groups } = await prom.api<{
        groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; type: string }> }>;
      }>('/api/v1/rules');
      const loaded = groups.flatMap((g) => g.rules);
      for (const rule of ruleExpressions()) {
        const state = loaded.find((r) => r.name === rule.name);
        if (!state) found.push(`${rule.name}: not loaded`);
        else if (state.health !== 'ok') found.push(`${rule.name}: ${state.health} ${state.lastError ?? ''}`);
        // A recording rule writes a series; an alert rule's inputs all exist (its threshold decides whether it fires),
        // except a family that exists only while what it counts happens (HEADROOM_FAMILIES' onlyWhen: e.g. unknown GPU
        // models, none on the simulated sites) — its name is still checked against our own families.
        const names = rule.kind === 'record' ? [rule.name] : metricNamesIn(rule.expr);
        for (const name of names) {
          if (HEADROOM_FAMILIES.some((f) => f.name === name && f.onlyWhen)) continue;
          if ((await prom.query(`count(${name})`)).length === 0) found.push(`${rule.name}: no series ${name}`);
        }
      }
      return found;
    }, 60_000);
    expect(problems).toEqual([]);
  }, 90_000);

  it('fires a rule built to fire: a rejected batch at one site raises the alert, labelled with that site', async () => {
    const alpha = sites.find((s) => s.id === 'alpha');
    if (!alpha) throw new Error('no alpha');
    const bad = await authedFetch(`${alpha.url}/api/v1/ingest/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"gpus": [',
    });
    expect(bad.status).toBe(400);
    const problems = await eventually(async () => {
      const { alerts } = await prom.api<{
        alerts: Array<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }>;
      }>('/api/v1/alerts');
      const fired = alerts.find((a) => a.labels.alertname === FIRING_ALERT && a.state === 'firing');
      if (!fired) return [`not firing yet: ${JSON.stringify(alerts.map((a) => [a.labels.alertname, a.state]))}`];
      expect(fired.labels).toMatchObject({ site: 'alpha', source: 'push:json', reason: 'invalid', severity: 'warning' });
      return [];
    }, 30_000);
    expect(problems).toEqual([]);
  }, 60_000);

  it('exposes exactly the families grafana/ is written against (metric-families.ts), no more and no fewer', async () => {
    const scraped = new Set((await prom.query('count by (__name__) ({__name__=~"headroom_.+"})')).map((r) => r.metric.__name__));
    const spec = new Set(HEADROOM_FAMILIES.flatMap(seriesNamesOf));
    const always = new Set(HEADROOM_FAMILIES.filter((f) => f.onlyWhen === undefined).flatMap(seriesNamesOf));
    expect([...scraped].filter((n) => n && !spec.has(n)).sort()).toEqual([]);
    expect([...always].filter((n) => !scraped.has(n)).sort()).toEqual([]);
  });

  it('sums across the sites: both sites are in every fleet-wide figure', async () => {
    expect(num(await prom.query('count(headroom_site_info)'))).toBe(2);
    expect(num(await prom.query('sum(headroom_gpus)'))).toBe(2 * 384);
    const bySite = await prom.query('sum by (site) (headroom_power_feed_watts)');
    expect(bySite.map((s) => s.metric.site).sort()).toEqual(['alpha', 'beta']);
  });
});
