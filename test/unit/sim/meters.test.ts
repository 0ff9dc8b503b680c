import { describe, expect, it } from 'vitest';
import { NODE_GPU_OVERHEAD } from '../../../server/src/domain/fleet/presets.js';
import { ANCHOR_MS, createSimulator, type ScenarioName } from '../../../server/src/sim/simulator.js';
import { HOUR_MS, readGpus, reading, smallSite } from './exposition.js';

describe('facility meters', () => {
  it.each<ScenarioName>(['decline', 'failures'])(
    'reads each hall as (Σ node base watts + 1.15 × Σ GPU watts served in the text) × PUE, failed GPUs drawing 0 (%s)',
    (scenario) => {
      const topology = smallSite();
      const sim = createSimulator({ topology, scenario, seed: 41, scenarioParams: { failureWaveShare: 0.3 } });
      for (const t of [ANCHOR_MS - 3 * HOUR_MS, ANCHOR_MS + HOUR_MS, ANCHOR_MS + 2 * HOUR_MS]) {
        sim.advance(t);
        const meters = sim.meters();
        expect(meters.map((m) => m.scope)).toEqual(topology.halls.map((h) => `hall:${h.id}`));
        expect(new Set(meters.map((m) => m.id)).size).toBe(meters.length);
        for (const [h, hall] of topology.halls.entries()) {
          let baseWatts = 0;
          let gpuWatts = 0;
          for (const node of topology.nodes.filter((n) => n.hallIndex === h)) {
            baseWatts += node.baseWatts;
            for (const gpu of readGpus(sim.renderNode(node.index)).values()) {
              const watts = reading(gpu, 'POWER_USAGE');
              gpuWatts += Number.isNaN(watts) ? 0 : watts;
            }
          }
          const expected = (baseWatts + (1 + NODE_GPU_OVERHEAD) * gpuWatts) * topology.site.pue;
          const meter = meters.find((m) => m.scope === `hall:${hall.id}`);
          expect(meter?.watts).toBeCloseTo(expected, 3);
        }
      }
    },
  );

  it('stays inside the node power envelope: 2 kW base per node up to 10.2 kW at full load', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 42 });
    sim.advance(ANCHOR_MS + 15 * HOUR_MS);
    const itWatts = sim.meters().reduce((sum, m) => sum + m.watts, 0) / 1.25;
    expect(itWatts).toBeGreaterThan(48 * 2_000 + 384 * 66 * 1.15);
    expect(itWatts).toBeLessThan(48 * 10_200);
  });
});
