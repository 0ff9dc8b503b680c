import { describe, expect, it } from 'vitest';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { classifySample, SampleClass } from '../../../server/src/domain/fleet/utilization.js';
import { ANCHOR_MS, createSimulator } from '../../../server/src/sim/simulator.js';
import { DAY_MS, HOUR_MS, mediumSite, readGpus, reading, smallSite } from './exposition.js';

describe('internal demand and the selling hook', () => {
  it('equals the internal busy + held truth by allocation at that tick, at any moment and in any order', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 31 });
    const moments = Array.from({ length: 60 }, (_, i) => ANCHOR_MS + ((i * 7919) % 60) * 3 * HOUR_MS - 30 * DAY_MS);
    for (const t of moments) {
      sim.advance(t);
      const { internal } = sim.allocationTruth();
      expect(sim.internalDemandAt(t)).toBe(internal.busy + internal.held);
      // Any time inside the same tick resolves to the same tick.
      expect(sim.internalDemandAt(t + sim.tickMs - 1 - (t % sim.tickMs))).toBe(internal.busy + internal.held);
    }
  });

  it('runs the customer work on sold pods: busy-looking samples, truth sold, excluded from internal demand', () => {
    const topology = smallSite();
    const soldFrom = ANCHOR_MS;
    const sim = createSimulator({
      topology,
      scenario: 'flat',
      seed: 32,
      soldPod: (pod, tMs) => pod === 0 && tMs >= soldFrom,
    });
    sim.advance(soldFrom + HOUR_MS);
    const truth = sim.truthCounts();
    expect(truth.sold).toBe(64);
    const { internal } = sim.allocationTruth();
    expect(sim.internalDemandAt(soldFrom + HOUR_MS)).toBe(internal.busy + internal.held);
    for (const n of topology.pods[0]?.nodes ?? []) {
      const node = topology.nodes[n];
      if (!node) continue;
      for (const [g, gpu] of readGpus(sim.renderNode(n))) {
        expect(sim.truthStateOf(node.slots[g] ?? 0)).toBe(GpuState.sold);
        const cls = classifySample(reading(gpu, 'GPU_UTIL'), reading(gpu, 'POWER_USAGE'), reading(gpu, 'FB_USED'), gpuModelAt(0));
        expect(cls).toBe(SampleClass.busy);
      }
    }
    const podRollup = sim.aggregateAt(soldFrom + HOUR_MS).find((r) => r.scope === 'pod:h01-p001');
    expect(podRollup?.counts.sold).toBe(64);
    // Before the sale the pod is the owner's like any other.
    sim.advance(soldFrom - HOUR_MS);
    expect(sim.truthCounts().sold).toBe(0);
  });

  it('moves internal work off sold pods onto the rest, so internal demand holds up after a sale', () => {
    const topology = mediumSite();
    const half = topology.pods.length / 2;
    const owner = createSimulator({ topology, scenario: 'flat', seed: 33 });
    const selling = createSimulator({ topology, scenario: 'flat', seed: 33, soldPod: (pod) => pod < half });
    let ownerSum = 0;
    let sellingSum = 0;
    for (let t = ANCHOR_MS; t < ANCHOR_MS + 7 * DAY_MS; t += 3 * HOUR_MS) {
      ownerSum += owner.internalDemandAt(t);
      sellingSum += selling.internalDemandAt(t);
      const pods = selling.aggregateAt(t).filter((r) => r.scope.startsWith('pod:'));
      for (const [i, pod] of pods.entries()) {
        if (i < half) expect(pod.counts.busy + pod.counts.held + pod.counts.idle).toBe(0);
        else expect(pod.counts.sold).toBe(0);
      }
    }
    // Demand at ~70 % of the site cannot fit in half of it: the unsold half runs (nearly) full.
    expect(sellingSum).toBeLessThan(ownerSum);
    expect(sellingSum / ownerSum).toBeGreaterThan(0.6);
  });
});
