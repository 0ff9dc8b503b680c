/**
 * Benchmark 5 — /metrics at Colossus scale: series count and scrape latency. A Headroom process
 * on the prepared 30-day Colossus database (so the capacity families are filled), collecting
 * from the simulator every 10 s; a scrape every 100 ms for one whole collection interval, from
 * this process over loopback, so about a fifth of them meet a round in progress — as a real
 * Prometheus scrape would. Series = sample lines of the body (histogram buckets count).
 */
import { benchMain, type ChildResult } from '../lib/child.js';
import { countSeriesLines } from '../lib/exposition.js';
import { startHistoryHeadroom, timedGet } from '../lib/history-server.js';
import { sleep } from '../lib/processes.js';
import { percentile } from '../lib/stats.js';

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const { url, proc, readyMs } = await startHistoryHeadroom(workDir, `b05-rep${rep}`);
  // The first scrape after start computes the capacity report (a round warms it afterwards).
  const first = await timedGet(`${url}/metrics`);
  if (first.status !== 200) throw new Error(`/metrics answered ${first.status}`);
  const latencies: number[] = [];
  let series = 0;
  let bytes = 0;
  const count = quick ? 30 : 100;
  for (let i = 0; i < count; i++) {
    const r = await timedGet(`${url}/metrics`);
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    latencies.push(r.ms);
    series = countSeriesLines(r.body);
    bytes = r.body.length;
    await sleep(100);
  }
  await proc.stop();
  return {
    metrics: {
      series,
      bytes,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      firstScrapeMs: first.ms,
      readyMs,
      capacityFamilies: first.body.includes('headroom_capacity_gpus{') ? 1 : 0,
    },
    samples: { latencyMs: latencies },
  };
});
