/**
 * Benchmark 11 — the simulated scheduler at Colossus (32,064 nodes; 24,576 at BENCH_PRESET=colossus-h100): producing one round's
 * slurmrestd answers (the jobs, queue and reservations snapshot, then the nodes, jobs and
 * reservations bodies serialised to JSON) against rendering the same round's dcgm-exporter
 * text of every node, the simulator's other product. Rounds 30 s apart, alternating which side
 * goes first; medians after one warm-up round. Then the same answers polled through the real
 * adapter, parsed on the main thread (the baseline) and on the read thread (lib/scheduler-poll.ts).
 */
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { createSimulator } from '../../../server/src/sim/simulator.js';
import { benchMain } from '../lib/child.js';
import { benchPreset } from '../lib/topologies.js';
import { sideBySide } from '../lib/side-by-side.js';
import { median } from '../lib/stats.js';
import { schedulerPollSideBySide } from '../lib/scheduler-poll.js';

benchMain(async ({ quick }) => {
  const sim = createSimulator({ topology: buildPreset(benchPreset()), scenario: 'rebound', seed: 42 });
  const rounds = quick ? 3 : 7;
  const warmups = 1;
  // Two days before the rebound: the run is queued and reserved, on top of the usual queue.
  let tMs = sim.params.reboundAtMs - 2 * 86_400_000;
  let bytes = 0;
  let running = 0;
  let pending = 0;
  const ours = (): number => {
    const t0 = process.hrtime.bigint();
    const snapshot = sim.scheduler();
    bytes = 0;
    for (const endpoint of ['nodes', 'jobs', 'reservations'] as const) bytes += sim.slurmJson(endpoint).length;
    running = snapshot.jobs.filter((j) => j.state === 'RUNNING').length;
    pending = snapshot.jobs.length - running;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const baseline = (): number => {
    const t0 = process.hrtime.bigint();
    let length = 0;
    for (let n = 0; n < sim.topology.nodes.length; n++) length += sim.renderNode(n).length;
    if (length === 0) throw new Error('no dcgm text');
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const { ours: oursMs, baseline: baseMs } = sideBySide(ours, baseline, {
    warmups,
    rounds,
    beforeRound: () => {
      sim.advance(tMs);
      tMs += 30_000;
    },
  });
  const oursMedian = median(oursMs);
  // The render, endpoint by endpoint: the default run renders each in its own event-loop turn.
  const renderTurnMs = (['nodes', 'jobs', 'reservations'] as const).map((endpoint) => {
    const t0 = process.hrtime.bigint();
    sim.slurmJson(endpoint);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  const texts = { nodes: sim.slurmJson('nodes'), jobs: sim.slurmJson('jobs'), reservations: sim.slurmJson('reservations') };
  const poll = await schedulerPollSideBySide(texts, createFleetState(sim.topology), rounds);
  const med = (xs: Array<{ cpuMs: number; blockMs: number }>, key: 'cpuMs' | 'blockMs'): number => median(xs.map((x) => x[key]));
  return {
    metrics: {
      oursMs: oursMedian,
      baselineMs: median(baseMs),
      ratio: oursMedian / median(baseMs),
      cpuShareAt30s: oursMedian / 30_000,
      running,
      pending,
      bytes,
      renderLongestTurnMs: Math.max(...renderTurnMs),
      pollCpuMs: med(poll.worker, 'cpuMs'),
      pollBlockMs: med(poll.worker, 'blockMs'),
      inThreadPollCpuMs: med(poll.inThread, 'cpuMs'),
      inThreadPollBlockMs: med(poll.inThread, 'blockMs'),
    },
    samples: { oursMs, baseMs },
  };
});
