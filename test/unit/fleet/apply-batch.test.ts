import { describe, expect, it } from 'vitest';
import { applyBatch, METER_MAX_FEED_MULTIPLE, validateBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { UNPLACED } from '../../../server/src/domain/fleet/topology.js';
import { batch, nodeSamples, READINGS, sample, tinyTopology } from './builders.js';

describe('applyBatch', () => {
  it('binds a new UUID to the slot its host and index name in the topology', () => {
    const state = createFleetState(tinyTopology());
    const result = applyBatch(state, batch(nodeSamples('h01-p001-n02', READINGS.idle)), 1_000);
    expect(result.bindings).toHaveLength(8);
    const node = state.topology.nodes[state.topology.nodeByHost.get('h01-p001-n02') ?? -1];
    expect(result.bindings.map((b) => b.slot)).toEqual(node?.slots);
    expect(result.newHosts).toEqual([]);
  });

  it('registers a GPU on a host the topology lacks as unplaced, never dropping it', () => {
    const state = createFleetState(tinyTopology());
    const before = state.topology.slotNode.length;
    const result = applyBatch(state, batch([sample({ uuid: 'GPU-new', host: 'stray-node', index: 0 })]), 1_000);
    expect(result.newHosts).toEqual(['stray-node']);
    expect(state.topology.slotNode.length).toBe(before + 1);
    const node = state.topology.nodes.at(-1);
    expect(node?.podIndex).toBe(UNPLACED);
    expect(state.slotByUuid.get('GPU-new')).toBe(before);
  });

  it('grows its arrays past their first capacity when many unplaced GPUs appear', () => {
    const state = createFleetState(tinyTopology());
    const samples = Array.from({ length: 500 }, (_, i) => sample({ uuid: `GPU-${i}`, host: `stray-${Math.floor(i / 8)}`, index: i % 8 }));
    applyBatch(state, batch(samples), 1_000);
    expect(state.capacity).toBeGreaterThanOrEqual(state.topology.slotNode.length);
    expect(state.slotByUuid.size).toBe(500);
  });

  it('keeps a UUID in its slot across batches, and moves a replaced GPU’s slot to the new UUID', () => {
    const state = createFleetState(tinyTopology());
    applyBatch(state, batch([sample({ uuid: 'GPU-a', host: 'h01-p001-n01', index: 3 })]), 1_000);
    const slot = state.slotByUuid.get('GPU-a');
    applyBatch(state, batch([sample({ uuid: 'GPU-b', host: 'h01-p001-n01', index: 3 })]), 2_000);
    expect(state.slotByUuid.get('GPU-b')).toBe(slot);
    expect(state.slotByUuid.has('GPU-a')).toBe(false);
  });

  it('starts a swapped-in GPU with an empty window and records the one it replaced (issue 16 item 11)', () => {
    const state = createFleetState(tinyTopology());
    for (let t = 1; t <= 6; t++) {
      applyBatch(state, batch([sample({ uuid: 'GPU-a', host: 'h01-p001-n01', index: 3, powerWatts: 600, xid: 79 })]), t * 1_000);
    }
    const slot = state.slotByUuid.get('GPU-a') ?? -1;
    state.state[slot] = 1;
    state.utilization[slot] = 0.59;
    const result = applyBatch(state, batch([sample({ uuid: 'GPU-b', host: 'h01-p001-n01', index: 3, powerWatts: 100, xid: null })]), 7_000);
    const w = state.windowSize;
    expect(Array.from(state.timeRing.subarray(slot * w, (slot + 1) * w)).filter((t) => t > 0)).toEqual([7_000]);
    expect(Array.from(state.powerRing.subarray(slot * w, (slot + 1) * w)).filter((p) => !Number.isNaN(p))).toEqual([100]);
    expect(state.xidFatal[slot]).toBe(0);
    expect(state.state[slot]).toBe(GpuState.unknown);
    expect(state.utilization[slot]).toBeNaN();
    const replaced = { uuid: 'GPU-a', slot, host: 'h01-p001-n01', gpuIndex: 3, replacedBy: 'GPU-b', atMs: 7_000 };
    expect(result.replacements).toEqual([replaced]);
    expect(state.replaced.get('GPU-a')).toEqual(replaced);
    expect(result.bindings).toEqual([expect.objectContaining({ uuid: 'GPU-b', slot, replaces: 'GPU-a' })]);
    // The old card back in its slot: current again, and the one it displaced is now the replaced one.
    const back = applyBatch(state, batch([sample({ uuid: 'GPU-a', host: 'h01-p001-n01', index: 3 })]), 8_000);
    expect(back.replacements.map((r) => [r.uuid, r.replacedBy])).toEqual([['GPU-b', 'GPU-a']]);
    expect(state.replaced.has('GPU-a')).toBe(false);
  });

  it('records no replacement when a UUID takes a slot nobody held', () => {
    const state = createFleetState(tinyTopology());
    const result = applyBatch(state, batch([sample({ uuid: 'GPU-a', host: 'h01-p001-n01', index: 3 })]), 1_000);
    expect(result.replacements).toEqual([]);
    expect(result.bindings[0]?.replaces).toBeUndefined();
  });

  it('places a multi-sample trace at its offsets, newest last', () => {
    const state = createFleetState(tinyTopology());
    const trace = [-1_000, -500, 0].map((offsetMs, i) =>
      sample({ uuid: 'GPU-t', host: 'h01-p001-n01', index: 0, offsetMs, powerWatts: 100 + i }),
    );
    applyBatch(state, batch(trace), 10_000);
    const times = Array.from(state.timeRing.subarray(0, 3));
    expect(times).toEqual([9_000, 9_500, 10_000]);
    expect(Array.from(state.powerRing.subarray(0, 3))).toEqual([100, 101, 102]);
  });

  it('rejects a meter for an unknown hall before changing anything', () => {
    const state = createFleetState(tinyTopology());
    const bad = batch(nodeSamples('h01-p001-n01', READINGS.idle), { meters: [{ id: 'm1', scope: 'hall:h99', watts: 1 }] });
    expect(() => applyBatch(state, bad, 1_000)).toThrow(DomainError);
    expect(state.slotByUuid.size).toBe(0);
    expect(state.meters.size).toBe(0);
  });

  it('refuses a push with a meter reading past twice the site feed, negative or not finite, naming it (issue 16: 1e300 W)', () => {
    const state = createFleetState(tinyTopology());
    const max = METER_MAX_FEED_MULTIPLE * state.topology.site.feedWatts;
    for (const watts of [1e300, max + 1, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const bad = batch([], {
        meters: [
          { id: 'ok', scope: 'site', watts: 1 },
          { id: 'm1', scope: 'site', watts },
        ],
      });
      expect(() => validateBatch(state, bad), String(watts)).toThrow(/^meters\[1\]\.watts: must be/);
    }
    expect(() => validateBatch(state, batch([], { meters: [{ id: 'm1', scope: 'site', watts: max }] }))).not.toThrow();
  });

  it('replays a journalled batch holding such a reading, skipping only the reading', () => {
    const state = createFleetState(tinyTopology());
    const old = batch(nodeSamples('h01-p001-n01', READINGS.idle), {
      meters: [
        { id: 'huge', scope: 'site', watts: 1e300 },
        { id: 'ok', scope: 'site', watts: 1_000 },
      ],
    });
    applyBatch(state, old, 1_000);
    expect([...state.meters.keys()]).toEqual(['ok']);
    expect(state.slotByUuid.size).toBe(8);
  });
});
