/**
 * The benchmarks (issue 7's ten, and later ones): which child script measures each, what it needs prepared, and
 * how the repetitions' results become table rows (medians over repetitions; ratios are the
 * median of each repetition's own side-by-side ratio).
 */
import type { ChildOutcome, ChildResult } from './lib/child.js';
import { gb, ms, pct, ratio, seconds, si, withSpread } from './lib/format.js';
import { median, percentile, spread, type Spread } from './lib/stats.js';
import type { TableRow, Verdict } from './lib/table.js';

export type Preparation = 'history' | 'big';

export interface Benchmark {
  id: number;
  title: string;
  script: string;
  timeoutMs: number;
  needs: Preparation[];
  /** How it measures and what to keep in mind, printed under the table. */
  caveats: string[];
  rows(results: ChildResult[], errors: string[]): TableRow[];
}

const verdict = (ok: boolean): Verdict => (ok ? 'pass' : 'miss');
const metric = (results: ChildResult[], name: string): Spread => spread(results.map((r) => r.metrics[name] ?? Number.NaN));
const pooled = (results: ChildResult[], name: string): number[] => results.flatMap((r) => r.samples?.[name] ?? []);
const MB = 1e6;

/** The row a benchmark shows when no repetition gave a result. */
function failedRows(b: Benchmark, results: ChildResult[], errors: string[], goal: string): TableRow[] | null {
  const skipped = results.find((r) => r.skipped)?.skipped;
  if (skipped)
    return [
      {
        id: String(b.id),
        benchmark: b.title,
        figure: skipped,
        goal,
        baseline: '—',
        ratio: '—',
        verdict: skipped.startsWith('not yet') ? 'n/a' : 'skipped',
      },
    ];
  if (results.length === 0)
    return [
      {
        id: String(b.id),
        benchmark: b.title,
        figure: `no result: ${errors[0] ?? 'unknown error'}`,
        goal,
        baseline: '—',
        ratio: '—',
        verdict: 'error',
      },
    ];
  return null;
}

export const BENCHMARKS: Benchmark[] = [
  {
    id: 1,
    title: 'ingest: parse + validate + apply, per-node payloads, one core',
    script: 'test/bench/cases/b01-ingest.ts',
    timeoutMs: 120_000,
    needs: [],
    caveats: [
      'Real dcgm-exporter texts of 2,048 simulated Colossus nodes (every 12th; 64 series, ≈ 16 kB each) at one tick; ours = parseDcgmText + applyBatch into a Colossus FleetState (validation included), baseline = parse-prometheus-text-format on the same strings, parse only. A sample is a series line, counted by the harness for both. Same process, rounds alternating which side goes first, median round after 2 warm-up rounds.',
    ],
    rows(results, errors) {
      const goal = '≥ 8× baseline and ≥ 2M samples/s';
      const failed = failedRows(this, results, errors, goal);
      if (failed) return failed;
      const ours = metric(results, 'oursSamplesPerS');
      const base = metric(results, 'baselineSamplesPerS');
      const r = metric(results, 'ratio');
      return [
        {
          id: '1',
          benchmark: this.title,
          figure: `${withSpread(ours, (x) => si(x))} samples/s`,
          goal,
          baseline: `parse-prometheus-text-format ${withSpread(base, (x) => si(x))} samples/s`,
          ratio: ratio(r.median),
          verdict: verdict(r.median >= 8 && ours.median >= 2e6),
        },
      ];
    },
  },
  {
    id: 2,
    title: 'collector CPU per sample, end to end, 1,000 endpoints',
    script: 'test/bench/cases/b02-collector-vs-prometheus.ts',
    timeoutMs: 150_000,
    needs: [],
    caveats: [
      'Both scrape the same 1,000 simulated node endpoints (each its own loopback address, values changing every interval) every 5 s at the same time; a 20 s window of 4 whole intervals, starting and ending mid-interval. Whole-process CPU from /proc (utime + stime, all threads) ÷ samples. Prometheus: ÷ prometheus_tsdb_head_samples_appended_total delta (includes its 5 synthetic series per scrape, which flatters it by ≈ 7 %). Ours: the collector composed as in headroom.ts (servers/collector-process.ts: config from loadConfig, the kept-alive scrape client, parseDcgmText, collector, SQLite rollups, on a topology of one Colossus hall) without the API, alerts and capacity engine, ÷ series lines the target server sent it.',
      'Connections: both keep one connection per target open across scrapes (ours: ingest/scrape-client.ts, well under its cap of SCRAPE_MAX_CONNECTIONS here), counted by the target server: 0 opened in the window by either in the run of 2026-11-27 13:12 UTC (before that change, ours opened 1,000 a round: Node fetch drops idle sockets after 4 s).',
    ],
    rows(results, errors) {
      const goal = '≤ 1.0× Prometheus';
      const failed = failedRows(this, results, errors, goal);
      if (failed) return failed;
      const ours = metric(results, 'oursUsPerSample');
      const prom = metric(results, 'promUsPerSample');
      const r = metric(results, 'ratio');
      const us = (x: number): string => x.toFixed(2);
      return [
        {
          id: '2',
          benchmark: this.title,
          figure: `${withSpread(ours, us)} µs CPU/sample`,
          goal,
          baseline: `Prometheus 2.42 ${withSpread(prom, us)} µs CPU/appended sample`,
          ratio: ratio(r.median),
          verdict: verdict(r.median <= 1.0),
        },
      ];
    },
  },
  {
    id: 3,
    title: 'full cycle at Colossus: 24,576 targets over loopback HTTP',
    script: 'test/bench/cases/b03-colossus-cycle.ts',
    timeoutMs: 300_000,
    needs: [],
    caveats: [
      "The collector process (as in 2, Colossus topology, SQLite rollups) scrapes 24,576 endpoints, each its own loopback address, every 10 s; round 1 (cold: every kept connection is opened, JIT, first identity bindings) is left out, then 3 rounds are measured; when round 1 overruns the interval twofold, round 1 is the one measurement of its repetition. p99 over the measured cycles of all repetitions is their maximum at these counts. Steady CPU: the process's /proc CPU per measured round (from the end of round 1 to the end of the last measured one, ÷ rounds) as a share of one core over the 10-s interval — what keeping the cadence needs; CPU ÷ wall time would read low when rounds overrun and stretch. The target server's CPU share is shown too: it is not the bottleneck when it stays well under a core.",
      "Connections: targets from SCRAPE_TARGETS_FILE; the collector keeps at most its default SCRAPE_MAX_CONNECTIONS (¾ of this machine's 20,000 open files = 15,000, less SCRAPE_CONCURRENCY for per-scrape ones), so ≈ 9,800 targets reconnect every round — the figure shows the connections the target server saw opened per measured round. The target server, like Go's net/http, never closes idle connections.",
      'Stand-in, stated: not the whole Headroom process — startHeadroom runs two rounds before it is ready; its API, alerts and capacity work are measured in 5, 6 and 8.',
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 5 s p99; ≤ 25% of a core');
      if (failed) return failed;
      const cycles = pooled(results, 'cycleMs');
      const p99 = percentile(cycles, 99) / 1000;
      const cpu = metric(results, 'cpuShare');
      const targetCpu = metric(results, 'targetCpuShare');
      const failedPerRound = metric(results, 'failedPerRound');
      const coldOnly = results.filter((r) => (r.metrics.coldOnly ?? 0) > 0).length;
      const coldNote =
        coldOnly > 0 ? `; ${coldOnly} of ${results.length} repetitions measured their first round only, rounds overrunning` : '';
      const perRound = metric(results, 'connectionsPerRound').median;
      const cap = metric(results, 'maxConnections').median;
      const connNote = Number.isFinite(perRound)
        ? `; ${Math.round(perRound).toLocaleString('en-US')} connections opened/round, cap ${cap.toLocaleString('en-US')}`
        : '';
      return [
        {
          id: '3a',
          benchmark: `${this.title}: cycle time`,
          figure: `p99 ${seconds(p99)} s over ${cycles.length} cycles (median ${seconds(median(cycles) / 1000)} s; ${failedPerRound.median.toFixed(0)} failed scrapes/round${connNote}${coldNote})`,
          goal: '≤ 5 s (p99)',
          baseline: '—',
          ratio: '—',
          verdict: verdict(p99 <= 5),
        },
        {
          id: '3b',
          benchmark: `${this.title}: steady CPU`,
          figure: `${withSpread(cpu, pct)} of one core per 10-s interval (${seconds(metric(results, 'cpuPerRoundMs').median / 1000)} s CPU a round; target server meanwhile ${pct(targetCpu.median)} of a core)`,
          goal: '≤ 25% of one core',
          baseline: '—',
          ratio: '—',
          verdict: verdict(cpu.median <= 0.25),
        },
      ];
    },
  },
  {
    id: 4,
    title: 'SQLite rollup writes',
    script: 'test/bench/cases/b04-rollup-writes.ts',
    timeoutMs: 180_000,
    needs: ['big'],
    caveats: [
      "Rows: one simulated Colossus day at 5 min (781 rows a bucket, 224,928 rows), time-major as produced. Ours = backfillHistory → rollup store as the start-up backfill runs it (the path large rollup writes take: key-ordered multi-row INSERT OR REPLACE, 12-hour spans in transactions of ≤ 2,048 rows of whole pods, its own connection with synchronous=NORMAL, checkpoints on the server's checkpoint worker, PASSIVE only). Ceiling = better-sqlite3, one prepared plain INSERT per table, one transaction, values encoded before timing; same schema, WAL, synchronous=FULL, its checkpoint inline at commit (ours' WAL is checkpointed, untimed, before it writes). Fresh: each into its own new database; 10M: both into one copy of a database whose rollup_5m holds 10,000,128 rows, on two different days after its history (order alternating between repetitions).",
      "Transactions: ours' backfill transactions (BEGIN to COMMIT, the wait at the write gate not counted); live collector transactions at 10M rows (a 5-minute bucket of 781 rows; an hour of per-GPU blobs for 196,608 GPUs). Event loop: main thread, monitorEventLoopDelay, while ours backfills a day on a worker thread with its own connection (as the start-up backfill does: through the write gate) and the main thread writes a live minute every 50 ms through the production write path (writeTransaction, gate attached).",
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≥ 50% of ceiling');
      if (failed) return failed;
      const rows = (label: string, prefix: string): TableRow => {
        const ours = metric(results, `${prefix}OursRowsPerS`);
        const ceil = metric(results, `${prefix}CeilingRowsPerS`);
        const r = metric(results, `${prefix}Ratio`);
        return {
          id: prefix === 'fresh' ? '4a' : '4b',
          benchmark: `rollup writes, ${label}`,
          figure: `${withSpread(ours, (x) => si(x))} rows/s`,
          goal: '≥ 50% of ceiling',
          baseline: `better-sqlite3 ceiling ${withSpread(ceil, (x) => si(x))} rows/s`,
          ratio: pct(r.median),
          verdict: verdict(r.median >= 0.5),
        };
      };
      const backfillTx = metric(results, 'backfillTxMaxMs');
      const bucketTx = metric(results, 'liveBucketTxMaxMs');
      const hourTx = metric(results, 'liveHourTxMaxMs');
      const longest = Math.max(backfillTx.median, bucketTx.median, hourTx.median);
      const loop = metric(results, 'loopMaxMs');
      const liveWait = metric(results, 'loopLiveWriteMaxMs');
      return [
        rows('fresh table', 'fresh'),
        rows(`table at ${si(metric(results, 'bigTableRows').median)} rows`, 'big'),
        {
          id: '4c',
          benchmark: 'longest write transaction',
          figure: `backfill ${withSpread(backfillTx, ms)} ms; live 5-min bucket ${withSpread(bucketTx, ms)} ms; live GPU hour ${withSpread(hourTx, ms)} ms`,
          goal: '≤ 20 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(longest <= 20),
        },
        {
          id: '4d',
          benchmark: 'event loop blocked (backfill on its worker + live writes)',
          figure: `${withSpread(loop, ms)} ms max (longest live write, its wait at the write gate included: ${ms(liveWait.median)} ms)`,
          goal: '≤ 50 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(loop.median <= 50),
        },
      ];
    },
  },
  {
    id: 5,
    title: '/metrics at Colossus',
    script: 'test/bench/cases/b05-metrics-render.ts',
    timeoutMs: 150_000,
    needs: ['history'],
    caveats: [
      "A Headroom process (startHeadroom as npm start runs it) on a copy of the prepared 30-day Colossus database, collecting from the simulator every 10 s; GET /metrics every 100 ms for 10 s from another process over loopback, so scrapes meet rounds in progress as a real Prometheus's would. p99 pooled over the repetitions' 300 scrapes. Series = sample lines (histogram buckets count).",
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 10k series; p99 ≤ 25 ms');
      if (failed) return failed;
      const series = metric(results, 'series');
      const lat = pooled(results, 'latencyMs');
      const p99 = percentile(lat, 99);
      return [
        {
          id: '5a',
          benchmark: '/metrics at Colossus: series',
          figure: `${series.median.toFixed(0)} series (${si(metric(results, 'bytes').median)} B)`,
          goal: '≤ 10k series',
          baseline: '—',
          ratio: '—',
          verdict: verdict(series.median <= 10_000),
        },
        {
          id: '5b',
          benchmark: '/metrics at Colossus: scrape latency',
          figure: `p99 ${ms(p99)} ms over ${lat.length} scrapes (median ${ms(median(lat))} ms, max ${ms(Math.max(...lat))} ms)`,
          goal: 'p99 ≤ 25 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(p99 <= 25),
        },
      ];
    },
  },
  {
    id: 6,
    title: 'capacity engine full recompute at Colossus',
    script: 'test/bench/cases/b06-capacity-recompute.ts',
    timeoutMs: 150_000,
    needs: ['history'],
    caveats: [
      'The capacity service wired as in headroom.ts on a copy of the prepared 30-day database, after two simulator rounds; each call follows a new fleet summary, so history read, forecast fit (30 days → 90 days at 1 h), reserve, blocks, stranded power, risk and valuation all run. Median of 12 calls per repetition (the first, compiling, left out).',
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 200 ms');
      if (failed) return failed;
      const t = metric(results, 'medianMs');
      return [
        {
          id: '6',
          benchmark: this.title,
          figure: `${withSpread(t, ms)} ms (max ${ms(metric(results, 'maxMs').max)} ms; ${metric(results, 'blocks').median} blocks)`,
          goal: '≤ 200 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(t.median <= 200),
        },
      ];
    },
  },
  {
    id: 7,
    title: 'live push, 100 socket.io clients',
    script: 'test/bench/cases/b07-live-push.ts',
    timeoutMs: 180_000,
    needs: ['history'],
    caveats: [
      "Headroom in the measuring process (production collection loop, prepared 30-day database, SIM_SPEED=2: a round and a broadcast every 5 s), 100 socket.io clients (WebSocket transport) in another process. Snapshot = what a client received on connect, JSON part + binary heatmap. Server CPU per broadcast = the smaller of process.cpuUsage (all threads, GC helpers included) and wall time over the live server's notifyRound (headline, heatmap encoded once, emit to the room) — both bound the main thread's CPU from above; instrumented by wrapping that method; socket writes the kernel finishes later are not in it. Latency = end of collector.tick (new summary) → each client's receipt of that update, wall clock shared by both processes; it includes the capacity report warmed before the broadcast.",
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 32 KB; ≤ 10 ms CPU; p95 ≤ 1 s');
      if (failed) return failed;
      const snap = metric(results, 'snapshotBytes');
      const heat = metric(results, 'heatmapBytes');
      const cpu = metric(results, 'broadcastCpuMsMedian');
      const lat = pooled(results, 'latencyMs');
      const p95 = percentile(lat, 95);
      return [
        {
          id: '7a',
          benchmark: 'live: snapshot size',
          figure: `${(snap.median / 1024).toFixed(1)} KiB (heatmap frame ${heat.median.toFixed(0)} B; update ${(metric(results, 'updateBytes').median / 1024).toFixed(1)} KiB)`,
          goal: '≤ 32 KB',
          baseline: '—',
          ratio: '—',
          verdict: verdict(snap.median <= 32 * 1024),
        },
        {
          id: '7b',
          benchmark: 'live: server CPU per broadcast to 100 clients',
          figure: `${withSpread(cpu, ms)} ms (max ${ms(metric(results, 'broadcastCpuMsMax').max)} ms)`,
          goal: '≤ 10 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(cpu.median <= 10),
        },
        {
          id: '7c',
          benchmark: 'live: fleet change → client receipt',
          figure: `p95 ${ms(p95)} ms over ${lat.length} receipts (median ${ms(median(lat))} ms)`,
          goal: 'p95 ≤ 1 s',
          baseline: '—',
          ratio: '—',
          verdict: verdict(p95 <= 1000),
        },
      ];
    },
  },
  {
    id: 8,
    title: 'memory (RSS) at Colossus, 30 simulated minutes and on',
    script: 'test/bench/cases/b08-b09-colossus-process.ts',
    timeoutMs: 300_000,
    needs: [],
    caveats: [
      "8 and 9 are measured on the same processes: `npm start`'s command on a fresh DATA_DIR with the defaults (Colossus, simulator, 14-day backfill) and SIM_SPEED=60. After /readyz, RSS (/proc VmRSS) every 2 s until 30 simulated minutes have passed (30 s of wall time) and at least 60 rounds have run. A round takes ≈ 1.5–2 s of wall time, longer than a simulated interval, so rounds run back to back: 30 simulated minutes hold ≈ 20 rounds where 30 real minutes hold 180 — and memory follows rounds (each allocates its batches) more than the clock: V8 lets the old generation grow for ≈ 60 Colossus rounds before its first full collection. So the run continues to 60 rounds (≈ 80 simulated minutes) and the verdict is on the peak. Wall-clock timers (5-minute snapshot, hourly pruning) do not fire in it. Trend = RSS from ready to the end of the run.",
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 1 GB');
      if (failed) return failed;
      const atTarget = metric(results, 'rssAtSimTargetBytes');
      const end = metric(results, 'rssEndBytes');
      const peak = metric(results, 'rssPeakBytes');
      const speed = metric(results, 'simSpeed').median;
      const wallS = metric(results, 'wallS').median;
      const simRun = metric(results, 'simMinutesRun').median;
      const rounds = metric(results, 'rounds');
      const growth = spread(results.map((r) => (r.metrics.rssEndBytes ?? Number.NaN) - (r.metrics.rssAtReadyBytes ?? Number.NaN)));
      return [
        {
          id: '8',
          benchmark: this.title,
          figure: `${withSpread(atTarget, gb)} at ${metric(results, 'simMinutes').median} simulated min; peak ${withSpread(peak, gb)} over ${rounds.median.toFixed(0)} rounds (${simRun.toFixed(0)} simulated min at SIM_SPEED=${speed}, ${wallS.toFixed(0)} s wall); end ${gb(end.median)} (${growth.median >= 0 ? '+' : ''}${(growth.median / MB).toFixed(0)} MB from ready)`,
          goal: '≤ 1 GB',
          baseline: '—',
          ratio: '—',
          verdict: verdict(peak.median <= 1e9),
        },
      ];
    },
  },
  {
    id: 9,
    title: 'start-up, fresh DATA_DIR, 14-day backfill, to /readyz',
    script: 'test/bench/cases/b08-b09-colossus-process.ts',
    timeoutMs: 240_000,
    needs: [],
    caveats: [
      'From spawning `node --import tsx server/src/main.ts` (npm start without npm) to the first /readyz 200, polled every 100 ms. When client/ changed since its last build, npm start first builds the dashboard with Vite; such starts are flagged and the build time (from its log line) is shown.',
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 20 s');
      if (failed) return failed;
      const ready = metric(results, 'readyMs');
      const built = results.filter((r) => (r.metrics.builtClient ?? 0) > 0).length;
      const buildMs = metric(results, 'clientBuildMs');
      const note =
        built > 0 ? ` (${built} of ${results.length} starts built the dashboard first, ${seconds(buildMs.median / 1000)} s)` : '';
      return [
        {
          id: '9',
          benchmark: this.title,
          figure: `${withSpread(spread(results.map((r) => (r.metrics.readyMs ?? Number.NaN) / 1000)), seconds)} s${note}`,
          goal: '≤ 20 s',
          baseline: '—',
          ratio: '—',
          verdict: verdict(ready.median <= 20_000),
        },
      ];
    },
  },
  {
    id: 10,
    title: 'history query: 30 days of site at 5-min steps',
    script: 'test/bench/cases/b10-history-query.ts',
    timeoutMs: 150_000,
    needs: ['history'],
    caveats: [
      'GET /api/v1/history?scope=site&metric=utilization&step=5m over the last 30 days (8,640 points from 43,200 1-minute rows) against a Headroom process on a copy of the prepared database while it collects; from another process over loopback, one query every 200 ms for 8 s (the first, warming, left out). Figure = median; p99 pooled.',
      "The prepared database: Headroom's own 30-day backfill (site and halls every 5 min, pods every 15 min), then the 1-minute table filled in between with each 5-minute row's figures, so it holds what 30 days of live collection would.",
    ],
    rows(results, errors) {
      const failed = failedRows(this, results, errors, '≤ 50 ms');
      if (failed) return failed;
      const p50 = metric(results, 'p50Ms');
      const lat = pooled(results, 'latencyMs');
      return [
        {
          id: '10',
          benchmark: this.title,
          figure: `${withSpread(p50, ms)} ms median (p99 ${ms(percentile(lat, 99))} ms over ${lat.length}; ${metric(results, 'points').median} points)`,
          goal: '≤ 50 ms',
          baseline: '—',
          ratio: '—',
          verdict: verdict(p50.median <= 50),
        },
      ];
    },
  },
  {
    id: 11,
    title: 'simulated scheduler: one Colossus round as slurmrestd answers',
    script: 'test/bench/cases/b11-sim-scheduler.ts',
    timeoutMs: 240_000,
    needs: [],
    caveats: [
      "The simulator's scheduler at Colossus (24,576 nodes, `rebound` two days before the rebound: ≈ 5,000 running and ≈ 2,000+ pending jobs, the run reserved): the jobs/queue/reservations snapshot plus JSON.stringify of the v0.0.38 nodes, jobs and reservations bodies, per round; baseline = rendering the same round's dcgm-exporter text of every node. Same process, rounds 30 s of simulated time apart, alternating which side goes first, median after one warm-up round. CPU share = median ÷ the 30 s poll.",
      "11b: the last round's answers polled as the default run polls them (pipeline/scheduler/slurm-read-thread.ts: JSON.parse, zod and the snapshot on the worker, the snapshot cloned back), then applied to a Colossus fleet state three times (10 s rounds in a 30 s poll); baseline = the same parse on the main thread (the path before the worker). CPU = the whole process over the poll (both threads); block = the longest gap between ticks of a 1 ms interval on the main thread over the poll (it counts time the OS gave other processes too). Same process, alternating which path goes first, medians after one warm-up poll (test/bench/lib/scheduler-poll.ts).",
    ],
    rows(results, errors) {
      const goal = '≤ 3 % of a core at a 30 s poll';
      const failed = failedRows(this, results, errors, goal);
      if (failed) return failed;
      const oursMs = metric(results, 'oursMs');
      const base = metric(results, 'baselineMs');
      const share = metric(results, 'cpuShareAt30s');
      return [
        {
          id: '11',
          benchmark: this.title,
          figure: `${withSpread(oursMs, ms)} ms a round (${pct(share.median)} of a core at 30 s; ${metric(results, 'running').median} running, ${metric(results, 'pending').median} pending, ${(metric(results, 'bytes').median / MB).toFixed(1)} MB JSON)`,
          goal,
          baseline: `dcgm text of every node ${withSpread(base, ms)} ms`,
          ratio: ratio(metric(results, 'ratio').median),
          verdict: verdict(share.median <= 0.03),
        },
        {
          id: '11b',
          benchmark: 'Slurm poll at Colossus: those answers read by the adapter on its worker thread',
          figure: `${withSpread(metric(results, 'pollCpuMs'), ms)} ms CPU a poll with 3 rounds' apply (${((metric(results, 'pollCpuMs').median / 30_000) * 100).toFixed(1)} % of a core at 30 s); longest main-thread block ${withSpread(metric(results, 'pollBlockMs'), ms)} ms (render's longest turn ${ms(metric(results, 'renderLongestTurnMs').median)} ms)`,
          goal: '≤ 5 % of a core at a 30 s poll',
          baseline: `parse on the main thread: ${withSpread(metric(results, 'inThreadPollCpuMs'), ms)} ms CPU, block ${withSpread(metric(results, 'inThreadPollBlockMs'), ms)} ms`,
          ratio: `block ${ratio(metric(results, 'inThreadPollBlockMs').median / metric(results, 'pollBlockMs').median)} shorter`,
          verdict: verdict(metric(results, 'pollCpuMs').median / 30_000 <= 0.05),
        },
      ];
    },
  },
  {
    id: 12,
    title: 'site file of 50,000 nodes: read, parse, check, build the topology',
    script: 'test/bench/cases/b12-site-file.ts',
    timeoutMs: 240_000,
    needs: [],
    caveats: [
      'A generated SITE_FILE of 50,000 nodes (328,000 GPUs, 2,000 fabric units: 1,000 GB200 NVL72 racks, 750 H100 leaves and 250 H200 scalable units of 32 nodes, 10 halls): readFileSync, YAML.parse or JSON.parse, the zod schema and the cross-reference checks (config/site-file.ts, domain/fleet/site-layout.ts), then the topology (site-topology.ts), as the server does at start. Three forms of the one site: YAML with hostlist patterns (as npm run site:from-netbox writes it) and JSON with every host written out, both in the verdict; YAML with every host written out is shown beside them (the yaml package parses ≈ 3 MB of it slowly: write such files as JSON). Median of 7 loads after a warm-up; the split (parse, check, build) is one more load of the written-out YAML.',
    ],
    rows(results, errors) {
      const goal = '≤ 2 s';
      const failed = failedRows(this, results, errors, goal);
      if (failed) return failed;
      const patterns = metric(results, 'patternsMs');
      const yaml = metric(results, 'yamlMs');
      const json = metric(results, 'jsonMs');
      const s = (x: number): string => seconds(x / 1000);
      return [
        {
          id: '12',
          benchmark: this.title,
          figure: `${withSpread(patterns, s)} s YAML with hostlist patterns (${si(metric(results, 'patternsBytes').median)} B); hosts written out: JSON ${withSpread(json, s)} s (${si(metric(results, 'jsonBytes').median)} B), YAML ${withSpread(yaml, s)} s (${si(metric(results, 'yamlBytes').median)} B: parse ${s(metric(results, 'yamlParseMs').median)} s, check ${s(metric(results, 'checkMs').median)} s, build ${s(metric(results, 'buildMs').median)} s)`,
          goal,
          baseline: '—',
          ratio: '—',
          verdict: verdict(patterns.median <= 2_000 && json.median <= 2_000),
        },
      ];
    },
  },
];

/** Benchmarks 8 and 9 share their processes: one run of the script serves both. */
export const SHARED_SCRIPT_IDS: Record<number, number> = { 9: 8 };

export function outcomesToResults(outcomes: ChildOutcome[]): { results: ChildResult[]; errors: string[] } {
  return {
    results: outcomes.flatMap((o) => (o.result ? [o.result] : [])),
    errors: outcomes.flatMap((o) => (o.error ? [o.error] : [])),
  };
}
