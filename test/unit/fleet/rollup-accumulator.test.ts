import { describe, expect, it } from 'vitest';
import { GPU_STATES } from '../../../server/src/domain/fleet/gpu-state.js';
import { addTick, createScopeAccumulator, flush } from '../../../server/src/domain/fleet/rollup-accumulator.js';
import type { FleetSummary, ScopeFigures } from '../../../server/src/domain/fleet/summary.js';

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
