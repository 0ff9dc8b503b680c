/**
 * Benchmark 3 — a full collection cycle at Colossus scale over loopback HTTP: the collector
 * process (servers/collector-process.ts: scrape source, parser, collector and loop composed as
 * headroom.ts composes them, Colossus topology, SQLite rollups) scrapes every node endpoint (32,064 at the
 * mixed preset, 24,576 at BENCH_PRESET=colossus-h100),
 * each at its own loopback address, served by a target server process (values change every
 * 10 s). Cycle time is the loop's own round duration (fetch + parse + apply of every target,
 * then classify and rollups). Steady CPU is the process's CPU (/proc, all threads) per
 * measured round — from the end of the first (cold) round to the end of the last measured one,
 * divided by the rounds — as a share of one core over the 10-s interval a round must fit in.
 *
 * The targets come in SCRAPE_TARGETS_FILE and the collector keeps connections up to its
 * default SCRAPE_MAX_CONNECTIONS (¾ of this machine's 20,000 open files: 15,000), so ≈ 9,800
 * targets connect afresh each round — the production path on this machine. The target server
 * (like Go's net/http) never closes idle connections; it counts those opened, reported per
 * measured round.
 *
 * Why not the whole Headroom process: startHeadroom runs two rounds before it is ready; the
 * API, alerts and capacity work it adds per round are measured in benchmarks 5, 6 and 8.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchMain, ROOT, type ChildResult } from '../lib/child.js';
import { readProcCpu, readRssBytes } from '../lib/proc.js';
import { sleep, spawnTracked, waitForUrl, freePort } from '../lib/processes.js';
import { targetUrl } from '../lib/targets.js';
import { benchPreset } from '../lib/topologies.js';
import { presetNodeCount } from '../../../server/src/domain/fleet/presets.js';

const NODES = presetNodeCount(benchPreset());
const INTERVAL_MS = 10_000;

interface Round {
  at: number;
  cpuMs: number;
  /** The target server's CPU at the same moment: if it nears a whole core, it is the bottleneck. */
  targetCpuMs: number;
  durationMs: number;
  failed: number;
  samples: number;
}

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const dir = join(workDir, `b03-rep${rep}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const targetPort = await freePort();

  const targets = spawnTracked(
    'targets',
    process.execPath,
    [
      '--import',
      'tsx',
      'test/bench/servers/dcgm-targets.ts',
      JSON.stringify({ topology: 'colossus', nodes: NODES, port: targetPort, tickMs: INTERVAL_MS, idleCloseMs: 0 }),
    ],
    { cwd: ROOT },
  );
  await waitForUrl(`http://127.0.0.1:${targetPort}/stats`, targets, 60_000);
  const urlsFile = join(dir, 'targets.txt');
  writeFileSync(urlsFile, Array.from({ length: NODES }, (_, i) => targetUrl(i, targetPort)).join('\n'));

  const collector = spawnTracked('collector', process.execPath, ['--import', 'tsx', 'test/bench/servers/collector-process.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SCRAPE_TARGETS_FILE: urlsFile,
      DATA_DIR: join(dir, 'data'),
      SCRAPE_INTERVAL_MS: String(INTERVAL_MS),
      BENCH_TOPOLOGY: 'colossus',
    },
  });
  const rounds: Round[] = [];
  // CPU and time when the collector says it is ready: round 1 starts at the next boundary.
  let maxConnections = Number.NaN;
  let started: Round = { at: performance.now(), cpuMs: 0, targetCpuMs: 0, durationMs: 0, failed: 0, samples: 0 };
  // Lines after the measurement are ignored: a round may end while the collector is being
  // stopped, and its line arrive after the process (and its /proc entry) is gone.
  let measuring = true;
  collector.onLine((line) => {
    if (!measuring) return;
    if (line.startsWith('{"ready"')) maxConnections = (JSON.parse(line) as { maxConnections: number }).maxConnections;
    if (line.startsWith('{"ready"'))
      started = { ...started, at: performance.now(), cpuMs: readProcCpu(collector.pid).cpuMs, targetCpuMs: readProcCpu(targets.pid).cpuMs };
    if (!line.startsWith('{"round"')) return;
    const r = (JSON.parse(line) as { round: { durationMs: number; failed: number; samples: number } }).round;
    rounds.push({ at: performance.now(), cpuMs: readProcCpu(collector.pid).cpuMs, targetCpuMs: readProcCpu(targets.pid).cpuMs, ...r });
  });

  // Round 1 is cold (JIT, first identity bindings) and left out; then 3 rounds. When
  // round 1 overruns the interval twofold, round 1 is the one measurement (the loop would wait
  // for the next boundary and run another such round: a minute and a half per repetition).
  // (Round 1 also opens every kept connection: that is its cold share.)
  const overrun = (): boolean => (rounds[0]?.durationMs ?? 0) > 2 * INTERVAL_MS;
  const wanted = (): number => (overrun() ? 1 : quick ? 2 : 4);
  const connectionsOpened = async (): Promise<number> => {
    const r = (await (await fetch(`http://127.0.0.1:${targetPort}/stats`)).json()) as { stats: Record<string, { connections: number }> };
    return r.stats.other?.connections ?? 0;
  };
  // Connections opened from the end of round 1 (read within 200 ms of it, long before round 2) on.
  let connectionsAtRound1: number | null = null;
  const deadline = performance.now() + 240_000;
  while (rounds.length < wanted()) {
    if (connectionsAtRound1 === null && rounds.length >= 1) connectionsAtRound1 = await connectionsOpened();
    if (performance.now() > deadline) throw new Error(`only ${rounds.length} rounds in 240 s: ${collector.output().slice(-1500)}`);
    if (collector.child.exitCode !== null) throw new Error(`collector exited: ${collector.output().slice(-1500)}`);
    await sleep(200);
  }
  measuring = false;
  const rssBytes = readRssBytes(collector.pid);
  const connectionsAtEnd = await connectionsOpened();
  const coldOnly = overrun();
  const measured = coldOnly ? rounds.slice(0, 1) : rounds.slice(1, wanted());
  // CPU a round costs, as a share of one core over the 10-s interval it must fit in: what the
  // steady state needs. (CPU over wall time would read low whenever rounds overrun: the process
  // is then busy all the time and the wall time stretches, yet it still cannot keep the cadence.)
  const from = coldOnly ? started : rounds[0]!;
  const to = measured[measured.length - 1]!;
  const cpuPerRoundMs = (to.cpuMs - from.cpuMs) / measured.length;
  const cpuShare = cpuPerRoundMs / INTERVAL_MS;
  const cpuWallShare = (to.cpuMs - from.cpuMs) / (to.at - from.at);
  const targetCpuShare = (to.targetCpuMs - from.targetCpuMs) / (to.at - from.at);
  return {
    metrics: {
      cycleMsMax: Math.max(...measured.map((r) => r.durationMs)),
      cpuShare,
      cpuPerRoundMs,
      cpuWallShare,
      targetCpuShare,
      failedPerRound: measured.reduce((s, r) => s + r.failed, 0) / measured.length,
      samplesPerRound: measured.reduce((s, r) => s + r.samples, 0) / measured.length,
      coldRoundMs: rounds[0]?.durationMs ?? Number.NaN,
      connectionsPerRound:
        coldOnly || connectionsAtRound1 === null ? Number.NaN : (connectionsAtEnd - connectionsAtRound1) / measured.length,
      maxConnections,
      measuredRounds: measured.length,
      coldOnly: coldOnly ? 1 : 0,
      rssBytes,
    },
    samples: { cycleMs: measured.map((r) => r.durationMs) },
  };
});
