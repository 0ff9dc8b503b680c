import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRound, type RoundOptions } from '../../server/src/pipeline/collector/collection-round.js';
import { createCollector } from '../../server/src/pipeline/collector/fleet-collector.js';
import { classifyFleet } from '../../server/src/domain/fleet/classify.js';
import type { FleetState } from '../../server/src/domain/fleet/fleet-state.js';
import { buildPreset, type PresetName } from '../../server/src/domain/fleet/presets.js';
import { summarizeFleet } from '../../server/src/domain/fleet/summary.js';
import { parseDcgmText } from '../../server/src/pipeline/ingest/dcgm-text.js';
import { createSimSource } from '../../server/src/sim/sim-source.js';
import { createSimulator } from '../../server/src/sim/simulator.js';
import { closeDatabase, openDatabase } from '../../server/src/pipeline/store/db.js';
import { createStores } from '../../server/src/pipeline/store/stores.js';
import { tempDir } from './helpers/harness.js';

/**
 * A collection round yields to the event loop whenever its time slice is spent (between
 * targets, between the tick's steps). Where it yields must not change what it computes: the
 * verdicts and figures of a round sliced as finely as possible equal those of a round run at
 * once, and those of the whole-fleet domain functions on the same samples.
 */
const db = openDatabase(join(tempDir(), 'slicing.db'));
afterAll(() => closeDatabase(db));

const TICK_MS = 10_000;
const START_MS = Date.parse('2026-11-27T14:00:00Z');
const STALE_MS = 30_000;

function harness(preset: PresetName, sliceMs: number) {
  const sim = createSimulator({ topology: buildPreset(preset), scenario: 'failures', seed: 3 });
  const collector = createCollector({
    topology: sim.topology,
    ports: { ...createStores(db), transaction: (work) => db.transaction(work)() },
    staleAfterMs: STALE_MS,
  });
  const round: RoundOptions = {
    collector,
    sources: [createSimSource(sim, sim.topology)],
    parse: (text, host) => parseDcgmText(text, { defaultHost: host ?? undefined }),
    concurrency: 4,
    elapsedMs: () => performance.now(),
    sliceMs,
  };
  return { sim, collector, round };
}

/** The verdicts and summary the whole-fleet functions give on a copy of the state's samples. */
function atOnce(state: FleetState, nowMs: number) {
  const copy = structuredClone(state);
  classifyFleet(copy, nowMs, STALE_MS);
  return { verdicts: copy.state, utilization: copy.utilization, summary: summarizeFleet(copy, nowMs, STALE_MS) };
}

/** Counts the event loop's turns while `work` runs (a setImmediate chain; each link is one turn). */
async function countingTurns<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const spin = (): void => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const result = await work();
  running = false;
  return { result, turns };
}

describe('collection round slicing', () => {
  it('yields a turn between targets and between tick steps with a zero slice, and none with an unbounded one', async () => {
    const sliced = harness('small', 0);
    const whole = harness('small', Number.POSITIVE_INFINITY);
    const targets = sliced.sim.topology.nodes.length;
    for (const t of [START_MS - TICK_MS, START_MS]) {
      const a = await countingTurns(() => collectRound(sliced.round, t));
      const b = await countingTurns(() => collectRound(whole.round, t));
      // One target per turn (the workers share each turn), and at least a turn per step of the
      // tick (classify, summarize).
      expect(a.result.turns).toBeGreaterThanOrEqual(targets + 2);
      expect(a.turns).toBeGreaterThanOrEqual(a.result.turns);
      expect(b.result.turns).toBe(0);
      expect(a.result.samples).toBe(b.result.samples);
    }
  });

  it('gives the same verdicts and figures whether a round is sliced finely or run at once', async () => {
    const sliced = harness('small', 0);
    const whole = harness('small', Number.POSITIVE_INFINITY);
    for (let t = START_MS - TICK_MS; t <= START_MS + 6 * TICK_MS; t += TICK_MS) {
      await collectRound(sliced.round, t);
      await collectRound(whole.round, t);
      expect(sliced.collector.state.state).toEqual(whole.collector.state.state);
      expect(sliced.collector.state.utilization).toEqual(whole.collector.state.utilization);
      expect(sliced.collector.latest()).toEqual(whole.collector.latest());
    }
  });

  it(
    'gives the whole-fleet functions’ verdicts and figures at Colossus scale, where the tick takes many steps',
    { timeout: 120_000 },
    async () => {
      const { collector, round } = harness('colossus', 0);
      for (const t of [START_MS - TICK_MS, START_MS]) {
        const stats = await collectRound(round, t);
        const reference = atOnce(collector.state, t);
        expect(stats.turns).toBeGreaterThan(0);
        expect(collector.state.state).toEqual(reference.verdicts);
        expect(collector.state.utilization).toEqual(reference.utilization);
        expect(collector.latest()).toEqual(reference.summary);
      }
    },
  );
});
