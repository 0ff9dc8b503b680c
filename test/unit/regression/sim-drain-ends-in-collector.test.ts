import { describe, expect, it } from 'vitest';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { createSimSource } from '../../../server/src/sim/sim-source.js';
import { createSimulator } from '../../../server/src/sim/simulator.js';

/**
 * The simulator's source listed only the nodes drained now, and the collector keeps a node drained
 * until told otherwise: every pod drained for maintenance stayed down for good (at Colossus, ≈ 2,000
 * GPUs more down than the truth after a day). The side batch now says when a drain ends.
 */
describe('a simulated maintenance drain that ends', () => {
  it('is reported undrained in the side batch of the first round after it', () => {
    const topology = buildPreset('small');
    const sim = createSimulator({ topology, scenario: 'decline', seed: 42 });
    const source = createSimSource(sim, topology);
    const start = Date.UTC(2026, 9, 1);
    let drainedHosts: string[] = [];
    let t = start;
    // The first hour with a drain, within 120 days (each pod is drained about once per 60 days).
    for (; t < start + 120 * 86_400_000 && drainedHosts.length === 0; t += 3_600_000) {
      source.prepare?.(t);
      drainedHosts = (source.sideBatch?.()?.nodes ?? []).filter((n) => n.drained).map((n) => n.host);
    }
    expect(drainedHosts.length).toBeGreaterThan(0);
    // A drain lasts 4 hours: a day later it is over.
    source.prepare?.(t + 86_400_000);
    const after = source.sideBatch?.()?.nodes ?? [];
    for (const host of drainedHosts) expect(after.find((n) => n.host === host)).toEqual({ host, drained: false, reason: null });
    // Said once: the next round lists it no more.
    source.prepare?.(t + 86_400_000 + 10_000);
    expect((source.sideBatch?.()?.nodes ?? []).some((n) => drainedHosts.includes(n.host) && !n.drained)).toBe(false);
  });
});
