import { it } from 'vitest';
import { startTestHeadroom } from './helpers/harness.js';
import { authedFetch } from './helpers/auth.js';
const BOOK = [
  { customer: 'Ref Lab', capacity: { pods: 1 }, start: '2026-06-01', end: '2029-05-31', monthlyPriceUsd: 100_000, ramp: [{ months: 2, factor: 0.5 }], noticeDays: 90 },
  { customer: 'Winter Co', capacity: { pods: 1 }, start: '2026-12-01', end: '2027-02-28', monthlyPriceUsd: 40_000, ramp: [], noticeDays: 30 },
];
it('dbg', async () => {
  for (let i = 0; i < 10; i++) {
    const h = await startTestHeadroom({ SIM_START: '2026-12-07T12:00:00Z', SIM_CONTRACTS: 'demo', BACKFILL_DAYS: '2' });
    for (const terms of BOOK) await authedFetch(`${h.url}/api/v1/contracts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(terms) });
    const cap = await (await authedFetch(`${h.url}/api/v1/capacity`)).json() as any;
    const t = await (await authedFetch(`${h.url}/metrics`)).text();
    const bad = t.split('\n').filter((l) => !l.startsWith('#') && /NaN/.test(l));
    const nullPts = cap.forecast.points.filter((p: any[]) => p.some((v) => v === null)).length;
    console.log('RES', i, bad.join(' | '), 'nullpoints', nullPts, cap.forecast.points.length);
    await h.stop();
  }
}, 300000);
