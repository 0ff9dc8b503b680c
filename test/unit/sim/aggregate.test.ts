import { describe, expect, it } from 'vitest';
import { emptyCounts, GPU_STATES, stateName, type StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { podModels } from '../../../server/src/domain/fleet/topology.js';
import { ANCHOR_MS, createSimulator, type ScenarioName, type Simulator } from '../../../server/src/sim/simulator.js';
import { DAY_MS, HOUR_MS, mediumSite, smallSite } from './exposition.js';

/** Per-scope counts built GPU by GPU from truthStateOf at the last advanced tick. */
function truthByScope(sim: Simulator): Map<string, StateCounts> {
  const { topology } = sim;
  const scopes = new Map<string, StateCounts>([['site', emptyCounts()]]);
  for (const hall of topology.halls) scopes.set(`hall:${hall.id}`, emptyCounts());
  for (const pod of topology.pods) scopes.set(`pod:${pod.id}`, emptyCounts());
  const models = podModels(topology);
  if (models.length > 1) for (const m of models) scopes.set(`model:${gpuModelAt(m).key}`, emptyCounts());
  for (let slot = 0; slot < topology.slotNode.length; slot++) {
    const node = topology.nodes[topology.slotNode[slot] ?? -1];
    if (!node) throw new Error('slot without node');
    const state = stateName(sim.truthStateOf(slot));
    const pod = topology.pods[node.podIndex];
    const model = models.length > 1 && pod ? `model:${gpuModelAt(pod.modelIndex).key}` : '';
    for (const scope of ['site', `hall:${topology.halls[node.hallIndex]?.id}`, `pod:${pod?.id}`, model]) {
      const counts = scopes.get(scope);
      if (counts) counts[state] += 1;
    }
  }
  return scopes;
}

describe('aggregateAt', () => {
  it.each<ScenarioName>(['decline', 'flat', 'rebound', 'failures'])(
    'counts the same GPUs per state as the per-GPU truth at that tick, for the site, every hall and every pod (%s)',
    (scenario) => {
      const sim = createSimulator({ topology: mediumSite(), scenario, seed: 21, scenarioParams: { nodeFailuresPerDay: 0.02 } });
      for (let k = 0; k < 40; k++) {
        // Hourly around the anchor (the failure wave and the rebound), plus a tick offset.
        const t = ANCHOR_MS - 6 * HOUR_MS + k * HOUR_MS + 3_000 * k;
        sim.advance(t);
        const truth = truthByScope(sim);
        const rollups = sim.aggregateAt(t);
        expect(rollups.map((r) => r.scope)).toEqual([...truth.keys()]);
        for (const rollup of rollups) expect(rollup.counts).toEqual(truth.get(rollup.scope));
        expect(rollups[0]?.counts).toEqual(sim.truthCounts());
      }
    },
  );

  it('stamps each rollup with the bucket start in unix seconds', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 1 });
    const t = ANCHOR_MS + 300_000;
    const rollups = sim.aggregateAt(t);
    // The small site's two halls are two models (H100, H200): two model pools after the pods.
    expect(rollups).toHaveLength(1 + 2 + 6 + 2);
    expect(rollups.slice(-2).map((r) => r.scope)).toEqual(['model:H100-SXM', 'model:H200-SXM']);
    expect(new Set(rollups.map((r) => r.ts))).toEqual(new Set([t / 1000]));
    for (const r of rollups) {
      expect(r.counts.unknown).toBe(0);
      expect(r.utilization).toBeGreaterThanOrEqual(0);
      expect(r.utilization).toBeLessThanOrEqual(1);
      expect(r.facilityWatts).toBeCloseTo(r.itWatts * 1.25, 6);
    }
  });

  it('expects IT watts within 3 % of the metered draw and a utilization that follows the busy share', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'flat', seed: 9 });
    for (let k = 0; k < 12; k++) {
      const t = ANCHOR_MS + k * 2 * HOUR_MS;
      sim.advance(t);
      const rollups = sim.aggregateAt(t);
      const site = rollups[0];
      if (!site) throw new Error('no site rollup');
      const meteredFacility = sim.meters().reduce((sum, m) => sum + m.watts, 0);
      // Expected values against one tick's noise (bursty serving duty per node): close, not equal.
      expect(Math.abs(site.facilityWatts - meteredFacility) / meteredFacility).toBeLessThan(0.03);
      const up = site.counts.busy + site.counts.held + site.counts.idle + site.counts.sold;
      const busyShare = site.counts.busy / up;
      expect(site.utilization).toBeGreaterThan(busyShare * 0.55);
      expect(site.utilization).toBeLessThan(busyShare + 0.1);
    }
  });

  it('sums every scope to all GPUs of the scope, and halls to the site', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'failures', seed: 6 });
    const rollups = sim.aggregateAt(ANCHOR_MS + HOUR_MS);
    const total = (c: StateCounts) => GPU_STATES.reduce((sum, s) => sum + c[s], 0);
    expect(total(rollups[0]?.counts ?? emptyCounts())).toBe(384);
    for (const r of rollups.filter((x) => x.scope.startsWith('pod:'))) expect(total(r.counts)).toBe(64);
    const hallIt = rollups.filter((r) => r.scope.startsWith('hall:')).reduce((sum, r) => sum + r.itWatts, 0);
    expect(hallIt).toBeCloseTo(rollups[0]?.itWatts ?? 0, 6);
  });

  it('matches the per-GPU truth on a Colossus-scale site (226,560 GPUs of three models) and stays fast', () => {
    const sim = createSimulator({ topology: buildPreset('colossus'), scenario: 'decline', seed: 7 });
    const t = ANCHOR_MS - 10 * DAY_MS;
    sim.advance(t);
    const site = sim.aggregateAt(t)[0];
    expect(site?.counts).toEqual(sim.truthCounts());
    expect(GPU_STATES.reduce((sum, s) => sum + sim.truthCounts()[s], 0)).toBe(226_560);
    const started = performance.now();
    for (let i = 0; i < 100; i++) sim.aggregateAt(t - i * 300_000);
    // ≈ 0.7 ms a call measured alone; 4,032 calls (14 days at 5 min) must fit in ~6 s. The bound
    // is loose because test files share the CPU.
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});
