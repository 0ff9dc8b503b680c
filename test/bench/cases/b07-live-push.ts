/**
 * Benchmark 7 — live push to 100 dashboard clients. Headroom runs in this process
 * (startHeadroom, the production collection loop, on a copy of the prepared 30-day Colossus
 * database, SIM_SPEED=2 so a round — and so a broadcast — comes every 5 s); 100 socket.io
 * clients run in a process of their own and log every frame they receive.
 *
 * - Snapshot size: what a client received on connect (JSON part + the binary pod heatmap).
 * - Server CPU per broadcast: the smaller of process CPU (process.cpuUsage, all threads) and
 *   wall time over the live server's notifyRound call, which the loop makes once per round after the capacity report is warm
 *   (headroom.ts onRound): it builds the headline, encodes the heatmap once and emits to every
 *   client. Instrumented by wrapping the live server's notifyRound method on the object
 *   startHeadroom returns (the loop calls it through that object).
 * - Fleet change → receipt: from the end of collector.tick / tickSliced (the new fleet summary exists;
 *   likewise wrapped) to each client's receipt of the update for that summary, on the wall
 *   clock both processes share.
 */
import { benchPreset } from '../lib/topologies.js';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config.js';
import { startHeadroom } from '../../../server/src/app/headroom.js';
import { copyHistoryDb } from '../prepare/history-db.js';
import { benchMain, ROOT, type ChildResult } from '../lib/child.js';
import { sleep, spawnTracked } from '../lib/processes.js';
import { median, percentile } from '../lib/stats.js';
import { ADMIN_TOKEN } from '../../integration/helpers/auth.js';

const CLIENTS = 100;

interface Frame {
  event: 'snapshot' | 'update';
  client: number;
  atMs: number | null;
  receivedAtMs: number;
  bytes: number;
  heatmapBytes: number;
}

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const dir = join(workDir, `b07-rep${rep}`);
  copyHistoryDb(join(workDir, 'prep-history', 'headroom.db'), dir);
  // 100 clients from one loopback address: past the default per-address limit of live connections.
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dir,
    PRESET: benchPreset(),
    BACKFILL_DAYS: '30',
    SIM_SPEED: '2',
    LOG_LEVEL: 'warn',
    HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    LIVE_MAX_CONNECTIONS_PER_ADDRESS: '1000',
  });
  const h = await startHeadroom(config, { buildClient: false });
  const live = (h as { live?: { notifyRound(): void } }).live;
  if (!live)
    return { metrics: {}, skipped: 'not yet measurable: startHeadroom returns no live server (server/src/outputs/live is not wired in)' };

  // The collection round runs the tick in slices (tickSliced); `tick` is its all-at-once form.
  const tickEnds = new Map<number, number>();
  const tickEnded = (summary: { atMs: number }): void => void tickEnds.set(summary.atMs, performance.timeOrigin + performance.now());
  const tick = h.collector.tick.bind(h.collector);
  h.collector.tick = (nowMs) => {
    const summary = tick(nowMs);
    tickEnded(summary);
    return summary;
  };
  const tickSliced = h.collector.tickSliced.bind(h.collector);
  h.collector.tickSliced = async (nowMs, slicer) => {
    const summary = await tickSliced(nowMs, slicer);
    tickEnded(summary);
    return summary;
  };
  const broadcastCpuMs: number[] = [];
  const broadcastWallMs: number[] = [];
  let measuring = false;
  const notify = live.notifyRound.bind(live);
  live.notifyRound = () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    notify();
    const c = process.cpuUsage(c0);
    const wallMs = performance.now() - t0;
    if (measuring) {
      // Both bound the main thread's CPU from above: process.cpuUsage counts every thread (GC
      // helpers marking a 1 GB heap among them), wall time counts waits for a core. The
      // smaller is the tighter bound (Node 20 has no per-thread CPU clock finer than 10 ms).
      broadcastCpuMs.push(Math.min((c.user + c.system) / 1000, wallMs));
      broadcastWallMs.push(wallMs);
    }
  };

  const clients = spawnTracked(
    'live-clients',
    process.execPath,
    ['--import', 'tsx', 'test/bench/servers/live-clients.ts', JSON.stringify({ url: h.url, clients: CLIENTS })],
    { cwd: ROOT },
  );
  const frames: Frame[] = [];
  let connected = false;
  clients.onLine((line) => {
    if (line.startsWith('{"connected"')) connected = true;
    else if (line.startsWith('{"event"')) frames.push(JSON.parse(line) as Frame);
  });
  const deadline = performance.now() + 60_000;
  while (!connected) {
    if (performance.now() > deadline) throw new Error(`clients did not all connect: ${clients.output().slice(-1500)}`);
    await sleep(100);
  }
  measuring = true;
  const broadcasts = quick ? 2 : 3;
  const updateDeadline = performance.now() + 120_000;
  const updatesOf = () => frames.filter((f) => f.event === 'update');
  while (new Set(updatesOf().map((f) => f.atMs)).size < broadcasts || updatesOf().length < broadcasts * CLIENTS) {
    if (performance.now() > updateDeadline) throw new Error(`only ${updatesOf().length} updates received`);
    await sleep(200);
  }
  measuring = false;
  await clients.stop();
  await h.stop();

  const snapshots = frames.filter((f) => f.event === 'snapshot');
  const updates = updatesOf();
  const latencies = updates
    .map((f) => (f.atMs === null ? Number.NaN : f.receivedAtMs - (tickEnds.get(f.atMs) ?? Number.NaN)))
    .filter(Number.isFinite);
  // A run that matched no update to its tick measured nothing: say so rather than print a dash.
  if (latencies.length === 0) throw new Error(`none of ${updates.length} updates matched a tick's end (is the tick still wrapped?)`);
  return {
    metrics: {
      snapshotBytes: median(snapshots.map((f) => f.bytes)),
      heatmapBytes: median(snapshots.map((f) => f.heatmapBytes)),
      updateBytes: median(updates.map((f) => f.bytes)),
      broadcastCpuMsMedian: median(broadcastCpuMs),
      broadcastCpuMsMax: Math.max(...broadcastCpuMs),
      broadcastWallMsMedian: median(broadcastWallMs),
      latencyP95Ms: percentile(latencies, 95),
      latencyP50Ms: percentile(latencies, 50),
      receipts: latencies.length,
      broadcasts: broadcastCpuMs.length,
    },
    samples: { latencyMs: latencies, broadcastCpuMs },
  };
});
