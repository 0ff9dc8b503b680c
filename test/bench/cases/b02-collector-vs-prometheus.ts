/**
 * Benchmark 2 — collector CPU per sample, end to end, against Prometheus 2.42 scraping the
 * same 1,000 node endpoints at the same time.
 *
 * A target server process serves 1,000 simulated nodes (one Colossus hall's first 1,000), each
 * at its own loopback address, values changing every interval. Prometheus and our collector
 * process (servers/collector-process.ts) scrape all of them every 5 s, side by side. Over a
 * window of whole intervals that starts and ends mid-interval (no round of ours in flight),
 * each side's whole-process CPU (utime + stime from /proc, every thread) is divided by its
 * samples: Prometheus's `prometheus_tsdb_head_samples_appended_total` delta (which also counts
 * its 5 synthetic series per scrape — flattering it slightly), ours the series lines the target
 * server handed it (the collector parses every line, reads 6 families and ignores 2).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchMain, ROOT, type ChildResult } from '../lib/child.js';
import { sumMetric } from '../lib/exposition.js';
import { readProcCpu } from '../lib/proc.js';
import { findPrometheus, prometheusVersion, scrapeConfig, startPrometheusProcess } from '../lib/prometheus.js';
import { freePort, sleep, spawnTracked, waitForUrl } from '../lib/processes.js';
import { loopbackAddress, targetUrl } from '../lib/targets.js';

const NODES = 1_000;
const INTERVAL_MS = 5_000;

interface TargetStats {
  stats: Record<string, { requests: number; series: number; bytes: number; connections: number }>;
}

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const binary = findPrometheus();
  if (!binary) {
    return {
      metrics: {},
      skipped:
        'PROMETHEUS NOT INSTALLED: `prometheus` is not on PATH (Debian: apt-get install prometheus), so there is no baseline to compare with',
    };
  }
  const dir = join(workDir, `b02-rep${rep}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [targetPort, promPort] = [await freePort(), await freePort()];

  const targets = spawnTracked(
    'targets',
    process.execPath,
    [
      '--import',
      'tsx',
      'test/bench/servers/dcgm-targets.ts',
      JSON.stringify({ topology: 'hall', nodes: NODES, port: targetPort, tickMs: INTERVAL_MS, idleCloseMs: 0 }),
    ],
    { cwd: ROOT },
  );
  const statsUrl = `http://127.0.0.1:${targetPort}/stats`;
  await waitForUrl(statsUrl, targets, 60_000);

  const urlsFile = join(dir, 'targets.txt');
  writeFileSync(urlsFile, Array.from({ length: NODES }, (_, i) => targetUrl(i, targetPort)).join('\n'));
  const addresses = Array.from({ length: NODES }, (_, i) => `${loopbackAddress(i)}:${targetPort}`);
  const prom = await startPrometheusProcess(binary, join(dir, 'prometheus'), scrapeConfig(addresses, INTERVAL_MS / 1000), promPort);

  const ours = spawnTracked('collector', process.execPath, ['--import', 'tsx', 'test/bench/servers/collector-process.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SCRAPE_TARGETS_FILE: urlsFile,
      DATA_DIR: join(dir, 'ours'),
      SCRAPE_INTERVAL_MS: String(INTERVAL_MS),
      BENCH_TOPOLOGY: 'hall',
    },
  });
  const rounds: Array<{ tMs: number; durationMs: number; samples: number; failed: number }> = [];
  ours.onLine((line) => {
    if (!line.startsWith('{"round"')) return;
    rounds.push((JSON.parse(line) as { round: { tMs: number; durationMs: number; samples: number; failed: number } }).round);
  });
  const readyDeadline = Date.now() + 60_000;
  while (!ours.output().includes('"ready":true')) {
    if (ours.child.exitCode !== null || Date.now() > readyDeadline) throw new Error(`collector did not start: ${ours.output()}`);
    await sleep(100);
  }

  // Both have scraped at least once (series created, connections open); then the window runs
  // over whole intervals, from the middle of one to the middle of another (our rounds start on
  // the boundaries).
  await sleep(INTERVAL_MS + 2_000);
  const intervals = quick ? 3 : 4;
  const startAt = Math.ceil((Date.now() + 500 - INTERVAL_MS / 2) / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS / 2;
  await sleep(startAt - Date.now());

  const read = async () => {
    const [promMetrics, target] = await Promise.all([
      fetch(`http://127.0.0.1:${promPort}/metrics`).then((r) => r.text()),
      fetch(statsUrl).then((r) => r.json() as Promise<TargetStats>),
    ]);
    return {
      at: performance.now(),
      promCpuMs: readProcCpu(prom.pid).cpuMs,
      oursCpuMs: readProcCpu(ours.pid).cpuMs,
      appended: sumMetric(promMetrics, 'prometheus_tsdb_head_samples_appended_total'),
      target,
    };
  };
  const a = await read();
  const roundsBefore = rounds.length;
  await sleep(startAt + intervals * INTERVAL_MS - Date.now());
  const b = await read();
  const windowRounds = rounds.slice(roundsBefore);

  const served = (s: TargetStats, agent: string) => s.stats[agent] ?? { requests: 0, series: 0, bytes: 0, connections: 0 };
  const oursSeries = served(b.target, 'other').series - served(a.target, 'other').series;
  const promSeries = served(b.target, 'prometheus').series - served(a.target, 'prometheus').series;
  const appended = b.appended - a.appended;
  const oursCpuMs = b.oursCpuMs - a.oursCpuMs;
  const promCpuMs = b.promCpuMs - a.promCpuMs;
  const oursUsPerSample = (oursCpuMs * 1000) / oursSeries;
  const promUsPerSample = (promCpuMs * 1000) / appended;
  const windowS = (b.at - a.at) / 1000;
  const failed = windowRounds.reduce((s, r) => s + r.failed, 0);

  return {
    metrics: {
      oursUsPerSample,
      promUsPerSample,
      ratio: oursUsPerSample / promUsPerSample,
      oursCpuMs,
      promCpuMs,
      oursSeries,
      promAppended: appended,
      promSeriesServed: promSeries,
      windowS,
      oursRounds: windowRounds.length,
      oursFailedScrapes: failed,
      oursConnectionsPerRound:
        (served(b.target, 'other').connections - served(a.target, 'other').connections) / Math.max(1, windowRounds.length),
      promConnectionsInWindow: served(b.target, 'prometheus').connections - served(a.target, 'prometheus').connections,
      oursRoundMsMedian: windowRounds.map((r) => r.durationMs).sort((x, y) => x - y)[windowRounds.length >> 1] ?? Number.NaN,
    },
    notes: [prometheusVersion(binary)],
  };
});
