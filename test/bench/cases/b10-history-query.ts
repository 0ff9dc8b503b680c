/**
 * Benchmark 10 — history query: 30 days of a site series at 5-minute steps, GET
 * /api/v1/history?scope=site&metric=utilization&step=5m over the last 30 days, against a Headroom
 * process on the prepared 30-day Colossus database (43,200 1-minute site rows in range) while it
 * collects from the simulator every 10 s. Timed from this process over loopback (request to
 * parsed answer), one query every 200 ms for a whole collection interval.
 */
import { benchMain, type ChildResult } from '../lib/child.js';
import { startHistoryHeadroom, timedGet } from '../lib/history-server.js';
import { sleep } from '../lib/processes.js';
import { percentile } from '../lib/stats.js';

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const { url, proc } = await startHistoryHeadroom(workDir, `b10-rep${rep}`);
  const latencies: number[] = [];
  let points = 0;
  const count = quick ? 15 : 40;
  for (let i = -1; i < count; i++) {
    const toMs = Date.now();
    const q = new URLSearchParams({
      scope: 'site',
      metric: 'utilization',
      from: new Date(toMs - 30 * 86_400_000).toISOString(),
      to: new Date(toMs).toISOString(),
      step: '5m',
    });
    const r = await timedGet(`${url}/api/v1/history?${q}`);
    if (r.status !== 200) throw new Error(`/api/v1/history answered ${r.status}: ${r.body.slice(0, 300)}`);
    points = (JSON.parse(r.body) as { points: unknown[] }).points.length;
    if (i >= 0) latencies.push(r.ms); // the first query warms the statement and the pages
    await sleep(200);
  }
  await proc.stop();
  return {
    metrics: { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), points },
    samples: { latencyMs: latencies },
  };
});
