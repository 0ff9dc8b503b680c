import { describe, expect, it } from 'vitest';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GPU_MODELS } from '../../../server/src/domain/fleet/gpu-models.js';
import { GPU_STATES, GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { addTick, createScopeAccumulator, flush, siteAndHallScopes } from '../../../server/src/domain/fleet/rollup-accumulator.js';
import { summarizeFleet, type FleetSummary, type ScopeFigures } from '../../../server/src/domain/fleet/summary.js';
import { addNode, addPod, addSlot, type Topology } from '../../../server/src/domain/fleet/topology.js';
import { resolutionOfScope } from '../../../server/src/pipeline/store/rollup-store.js';

function figures(busy: number, idle: number, itWatts: number, utilization: number): ScopeFigures {
  const counts = new Int32Array(GPU_STATES.length);
  counts[0] = busy;
  counts[2] = idle;
  return {
    counts,
    itWatts,
    facilityWatts: itWatts * 1.25,
    utilizationSum: utilization * (busy + idle),
    utilizationCount: busy + idle,
    schedulerTold: 0,
    newestSampleMs: 0,
  };
}

const summaryAt = (atMs: number, site: ScopeFigures): FleetSummary => ({
  atMs,
  site,
  halls: [],
  pods: [],
  models: [],
  unplaced: figures(0, 0, 0, 0),
  metered: false,
});

describe('scope accumulator', () => {
  it('emits the mean of a minute’s ticks when the next minute starts', () => {
    const acc = createScopeAccumulator(60, ['site'], (s) => [s.site]);
    expect(addTick(acc, summaryAt(60_000, figures(10, 0, 100, 0.5)))).toEqual([]);
    expect(addTick(acc, summaryAt(110_000, figures(4, 6, 200, 0.25)))).toEqual([]);
    const rows = addTick(acc, summaryAt(120_000, figures(0, 10, 0, 0)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scope: 'site', ts: 60, itWatts: 150, facilityWatts: 187.5, utilization: 0.375 });
    expect(rows[0]?.counts).toEqual({ busy: 7, held: 0, idle: 3, sold: 0, down: 0, unknown: 0 });
  });

  it('flushes the open bucket at shutdown and then holds nothing', () => {
    const acc = createScopeAccumulator(300, ['site'], (s) => [s.site]);
    addTick(acc, summaryAt(301_000, figures(1, 1, 10, 1)));
    expect(flush(acc)).toHaveLength(1);
    expect(flush(acc)).toEqual([]);
  });
});

describe('standard 1-min scopes', () => {
  function twoModelSite(): Topology {
    const topology: Topology = {
      site: { id: 's', name: 's', feedWatts: 1e6, pue: 1.25 },
      halls: [{ id: 'h01', index: 0 }],
      pods: [],
      nodes: [],
      slotNode: [],
      slotGpuIndex: [],
      nodeByHost: new Map(),
    };
    for (const [i, key] of ['H100-SXM', 'GB200'].entries()) {
      const modelIndex = GPU_MODELS.findIndex((m) => m.key === key);
      const pod = addPod(topology, { id: `p${i}`, hallIndex: 0, modelIndex, fabric: 'pod' });
      const node = addNode(topology, `n${i}`, 0, pod.index, 'r', modelIndex, { maxInputWatts: 10_000, baseWatts: 1_000 });
      for (let g = 0; g < 4; g++) addSlot(topology, node);
      pod.nodes.push(node.index);
    }
    return topology;
  }

  it('keeps each model pool of a mixed site as model:<key>, beside the site and its halls', () => {
    const state = createFleetState(twoModelSite());
    state.state.fill(GpuState.idle);
    state.state[4] = GpuState.busy;
    const { scopes, pick } = siteAndHallScopes(state);
    expect(scopes).toEqual(['site', 'hall:h01', 'model:H100-SXM', 'model:GB200']);
    const acc = createScopeAccumulator(60, scopes, pick);
    addTick(acc, summarizeFleet(state, 60_000, 30_000));
    const rows = flush(acc);
    expect(rows.map((r) => [r.scope, r.counts.busy, r.counts.idle])).toEqual([
      ['site', 1, 7],
      ['hall:h01', 1, 7],
      ['model:H100-SXM', 0, 4],
      ['model:GB200', 1, 3],
    ]);
    expect(resolutionOfScope('model:GB200')).toBe('1m');
  });

  it('adds no model scope to a one-model site: its pool is the site', () => {
    expect(siteAndHallScopes(createFleetState(buildPreset('colossus-h100'))).scopes.some((s) => s.startsWith('model:'))).toBe(false);
  });
});
