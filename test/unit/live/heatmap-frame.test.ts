import { describe, expect, it } from 'vitest';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import { layoutOf, podCellsOf } from '../../../server/src/outputs/live/live-figures.js';
import { decodeHeatmap, encodeHeatmap, HEATMAP_HEADER_BYTES, HEATMAP_POD_BYTES, type PodCell } from '../../../server/src/protocol/live.js';

/** The frame budget per update: a wall screen on a slow link still draws one a second. */
const MAX_FRAME_BYTES = 32 * 1024;

describe('the heatmap frame at Colossus scale', () => {
  it('encodes all 768 pods of the uniform Colossus (colossus-h100) in 10,764 bytes, within 32 KB, and decodes to the same cells', () => {
    const topology = buildPreset('colossus-h100');
    const { layout, podOrder } = layoutOf(topology);
    expect(layout.halls).toHaveLength(12);
    expect(podOrder).toHaveLength(768);
    const state = createFleetState(topology);
    const summary = summarizeFleet(state, 1_780_000_000_000, 30_000);
    const cells = podCellsOf(state, summary, podOrder, new Set([topology.pods[5]?.id ?? '']));
    const frame = encodeHeatmap(summary.atMs, cells);
    expect(frame.byteLength).toBe(HEATMAP_HEADER_BYTES + 768 * HEATMAP_POD_BYTES);
    expect(frame.byteLength).toBe(10_764);
    expect(frame.byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const decoded = decodeHeatmap(frame);
    expect(decoded.atMs).toBe(summary.atMs);
    expect(decoded.pods).toEqual(cells);
    // Nothing reported yet: every GPU unknown, no utilization — 256 GPUs a pod.
    expect(decoded.pods[0]).toEqual({ utilization: null, sold: false, sellable: false, counts: [0, 0, 0, 0, 0, 256] });
    expect(decoded.pods[5]?.sellable).toBe(true);
  });

  it('keeps utilization to the 1/250 step the frame stores', () => {
    const cell = (utilization: number | null): PodCell => ({ utilization, sold: true, sellable: false, counts: [1, 2, 3, 4, 5, 6] });
    const decoded = decodeHeatmap(encodeHeatmap(1, [cell(0), cell(0.5), cell(1), cell(0.123), cell(null)])).pods;
    expect(decoded.map((p) => p.utilization)).toEqual([0, 0.5, 1, 0.124, null]);
    expect(decoded[1]).toMatchObject({ sold: true, sellable: false, counts: [1, 2, 3, 4, 5, 6] });
  });
});
