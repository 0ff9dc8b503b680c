import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { ANCHOR_MS, createSimulator, resolveScenarioParams, type Simulator } from '../../../server/src/sim/simulator.js';
import { DAY_MS, HOUR_MS, smallSite } from './exposition.js';

function siteText(sim: Simulator): string {
  return sim.topology.nodes.map((n) => sim.renderNode(n.index)).join('');
}

describe('simulator determinism', () => {
  it('renders identical text for the same seed and time', () => {
    const a = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 99 });
    const b = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 99 });
    for (const t of [ANCHOR_MS, ANCHOR_MS + 12_345, ANCHOR_MS - 40 * DAY_MS]) {
      a.advance(t);
      b.advance(t);
      expect(siteText(a)).toBe(siteText(b));
      expect(a.meters()).toEqual(b.meters());
      expect(a.aggregateAt(t)).toEqual(b.aggregateAt(t));
    }
  });

  it('renders different text, UUIDs and histories for different seeds', () => {
    const a = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 1 });
    const b = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 2 });
    a.advance(ANCHOR_MS);
    b.advance(ANCHOR_MS);
    expect(siteText(a)).not.toBe(siteText(b));
    expect(a.uuidOf(0)).not.toBe(b.uuidOf(0));
    const history = (sim: Simulator) => Array.from({ length: 48 }, (_, i) => sim.internalDemandAt(ANCHOR_MS + i * HOUR_MS));
    expect(history(a)).not.toEqual(history(b));
  });

  it('computes any tick directly: the same state whether earlier or later ticks were advanced before', () => {
    const t = ANCHOR_MS + 5 * HOUR_MS;
    const fresh = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 7 });
    fresh.advance(t);
    const wandering = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 7 });
    for (const other of [t + 30 * DAY_MS, t - 300 * DAY_MS, t + 10_000, t - 10_000]) {
      wandering.advance(other);
      wandering.aggregateAt(other + DAY_MS);
    }
    wandering.advance(t);
    expect(siteText(wandering)).toBe(siteText(fresh));
    expect(wandering.truthCounts()).toEqual(fresh.truthCounts());
  });

  it('gives the same texts, meters and truth whichever nodes are read first (samples are filled per node on first read)', () => {
    const t = ANCHOR_MS + 9 * HOUR_MS;
    const forward = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 21 });
    const backward = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 21 });
    const whole = createSimulator({ topology: smallSite(), scenario: 'rebound', seed: 21 });
    for (const sim of [forward, backward, whole]) sim.advance(t);
    // `whole` fills every node at once (truth counts need them all) before any text is read.
    const truth = whole.truthCounts();
    const nodes = forward.topology.nodes.map((n) => n.index);
    const backwardTexts = new Map([...nodes].reverse().map((n) => [n, backward.renderNode(n)]));
    for (const n of nodes) {
      const text = forward.renderNode(n);
      expect(backwardTexts.get(n)).toBe(text);
      expect(whole.renderNode(n)).toBe(text);
    }
    expect(forward.truthCounts()).toEqual(truth);
    expect(backward.truthCounts()).toEqual(truth);
    expect(backward.meters()).toEqual(whole.meters());
    expect(forward.truthStateOf(5)).toBe(whole.truthStateOf(5));
  });

  it('snaps every time inside a tick to the tick start', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 5, tickMs: 15_000 });
    const tickStart = Math.floor(ANCHOR_MS / 15_000) * 15_000 + 15_000;
    sim.advance(tickStart + 14_999);
    expect(sim.lastTickMs()).toBe(tickStart);
    const late = siteText(sim);
    sim.advance(tickStart);
    expect(siteText(sim)).toBe(late);
  });

  it('derives stable, unique GPU UUIDs in the GPU-8-4-4-4-12 form', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 10 });
    const uuids = sim.topology.slotNode.map((_, slot) => sim.uuidOf(slot));
    for (const uuid of uuids) expect(uuid).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(createSimulator({ topology: smallSite(), scenario: 'decline', seed: 10 }).uuidOf(17)).toBe(uuids[17]);
    expect(() => sim.uuidOf(uuids.length)).toThrow(RangeError);
  });

  it('refuses to report a tick before the first advance, and rejects invalid options', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 1 });
    expect(() => sim.renderNode(0)).toThrow(DomainError);
    expect(() => createSimulator({ topology: smallSite(), scenario: 'flat', seed: 1, tickMs: 0 })).toThrow(DomainError);
    expect(() => createSimulator({ topology: smallSite(), scenario: 'flat', seed: 1.5 })).toThrow(DomainError);
    expect(() => resolveScenarioParams({ flatLevel: 1.2 })).toThrow(DomainError);
    expect(() => resolveScenarioParams({ trainingSlotMinMs: 7 * HOUR_MS })).toThrow(DomainError);
    expect(() => resolveScenarioParams({ repairMaxMs: 2 * DAY_MS })).toThrow(DomainError);
    expect(resolveScenarioParams({ flatLevel: 0.5 }).flatLevel).toBe(0.5);
  });
});
