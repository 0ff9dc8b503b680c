/**
 * Benchmarks 9 and 8 on one process each repetition: `npm start`'s own command
 * (node --import tsx server/src/main.ts) on a fresh DATA_DIR with the defaults — Colossus, the
 * simulator, a 14-day backfill, demo contracts — except SIM_SPEED.
 *
 * 9: start-up = spawn to the first /readyz 200, polled every 100 ms.
 * 8: then RSS (/proc VmRSS) every 2 s while the simulated clock runs SIM_SPEED times as fast,
 *    until 30 simulated minutes have passed and at least 60 rounds have run. A simulated
 *    10-second interval is shorter than a round (≈ 1.5–2 s wall), so the loop runs rounds back
 *    to back and skips the boundaries it missed: 30 simulated minutes take ≈ 20 rounds, where
 *    30 real minutes run 180. Memory follows the rounds (each allocates its batches) more than
 *    the clock, and V8 lets the old generation grow for ≈ 60 Colossus rounds before its first
 *    full collection, so the run goes on to 60 rounds (about 80 simulated minutes) to see that
 *    peak. Wall-clock timers (the 5-minute snapshot, hourly pruning) do not fire in it.
 */
import { benchPreset } from '../lib/topologies.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchMain, ROOT, type ChildResult } from '../lib/child.js';
import { sumMetric } from '../lib/exposition.js';
import { readRssBytes } from '../lib/proc.js';
import { freePort, NPM_START_ARGS, sleep, spawnTracked, waitForUrl } from '../lib/processes.js';

export const SIM_SPEED = 60;
const MIN_ROUNDS = 60;
const MAX_WALL_MS = 150_000;

async function roundsSoFar(url: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  return sumMetric(text, 'headroom_collection_round_duration_seconds_count');
}

benchMain(async ({ quick, rep, workDir }): Promise<ChildResult> => {
  const dir = join(workDir, `b08-rep${rep}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const simMinutes = quick ? 10 : 30;
  const t0 = performance.now();
  const proc = spawnTracked('headroom', process.execPath, NPM_START_ARGS, {
    cwd: ROOT,
    env: { ...process.env, PRESET: benchPreset(), PORT: String(port), DATA_DIR: join(dir, 'data'), SIM_SPEED: String(SIM_SPEED) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForUrl(`${url}/readyz`, proc, 120_000, 100);
  const readyMs = performance.now() - t0;
  const builtClient = proc.output().includes('building the dashboard');
  const buildLine = proc
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"dashboard built"'));
  const clientBuildMs = buildLine ? Number((JSON.parse(buildLine) as { ms?: number }).ms ?? Number.NaN) : 0;

  // Until 30 simulated minutes have passed and at least MIN_ROUNDS rounds have run (V8 lets
  // the old generation grow over the first ≈ 60 Colossus rounds before its first full GC, so a
  // shorter run would miss the peak), capped at MAX_WALL_MS.
  const simWallMs = (simMinutes * 60_000) / SIM_SPEED;
  const minRounds = quick ? 10 : MIN_ROUNDS;
  const rss: Array<[number, number]> = [];
  const startedAt = performance.now();
  let rounds = 0;
  let rssAtSimTarget = Number.NaN;
  let sample = 0;
  for (;;) {
    const elapsed = performance.now() - startedAt;
    rss.push([elapsed / 60_000, readRssBytes(proc.pid)]);
    if (elapsed >= simWallMs && Number.isNaN(rssAtSimTarget)) rssAtSimTarget = rss[rss.length - 1]?.[1] ?? Number.NaN;
    if (sample++ % 5 === 0 || elapsed >= simWallMs) rounds = await roundsSoFar(url);
    if ((elapsed >= simWallMs && rounds >= minRounds) || elapsed >= MAX_WALL_MS) break;
    await sleep(2_000);
  }
  const wallMs = performance.now() - startedAt;
  await proc.stop('SIGTERM', 60_000);
  const values = rss.map(([, b]) => b);
  return {
    metrics: {
      readyMs,
      builtClient: builtClient ? 1 : 0,
      clientBuildMs,
      rssEndBytes: values[values.length - 1] ?? Number.NaN,
      rssAtSimTargetBytes: rssAtSimTarget,
      rssPeakBytes: Math.max(...values),
      rssAtReadyBytes: values[0] ?? Number.NaN,
      simMinutes,
      simMinutesRun: (wallMs * SIM_SPEED) / 60_000,
      simSpeed: SIM_SPEED,
      wallS: wallMs / 1000,
      rounds,
    },
    samples: { rssMinutes: rss.map(([m]) => m), rssBytes: values },
  };
});
