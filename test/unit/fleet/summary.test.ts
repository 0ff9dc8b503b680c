import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { countsOf, siteReport } from '../../../server/src/domain/fleet/fleet-report.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import { batch, nodeSamples, READINGS, tinyTopology } from './builders.js';

const STALE = 30_000;

/** Two ticks of the same readings so every GPU has a verdict. */
function classified(nodes: Array<[string, (typeof READINGS)[keyof typeof READINGS]]>, extra = {}) {
  const state = createFleetState(tinyTopology());
  for (const t of [10_000, 20_000]) {
    applyBatch(
      state,
      batch(
        nodes.flatMap(([host, r]) => nodeSamples(host, r)),
        extra,
      ),
      t,
    );
  }
  classifyFleet(state, 20_000, STALE);
  return { state, summary: summarizeFleet(state, 20_000, STALE) };
}

describe('summarizeFleet', () => {
  it('counts GPUs per state for the site, each hall and each pod', () => {
    const { summary } = classified([
      ['h01-p001-n01', READINGS.busy],
      ['h01-p001-n02', READINGS.held],
      ['h01-p002-n01', READINGS.idle],
    ]);
    expect(countsOf(summary.site)).toEqual({ total: 32, busy: 8, held: 8, idle: 8, sold: 0, down: 0, unknown: 8 });
    expect(countsOf(summary.pods[0]!)).toMatchObject({ busy: 8, held: 8, idle: 0, unknown: 0 });
    expect(countsOf(summary.pods[1]!)).toMatchObject({ idle: 8, unknown: 8 });
    expect(countsOf(summary.halls[0]!).total).toBe(32);
  });

  it('computes IT draw as node base load plus GPU power with 15 % fan and switch overhead', () => {
    const { summary } = classified([['h01-p001-n01', READINGS.busy]]);
    // 2,000 W base + 8 × 690 W × 1.15 = 8,348 W; the nodes with no reading add nothing.
    expect(summary.site.itWatts).toBeCloseTo(8_348, 6);
    expect(summary.site.facilityWatts).toBeCloseTo(8_348 * 1.25, 6);
    expect(summary.metered).toBe(false);
  });

  it('takes facility draw from fresh hall meters when they report', () => {
    const { state, summary } = classified([['h01-p001-n01', READINGS.busy]], {
      meters: [{ id: 'hall-1', scope: 'hall:h01', watts: 12_345 }],
    });
    expect(summary.metered).toBe(true);
    expect(summary.site.facilityWatts).toBe(12_345);
    const report = siteReport(state, summary);
    expect(report.power).toMatchObject({ feedWatts: 1_000_000, facilityDrawWatts: 12_345, headroomWatts: 987_655 });
  });

  it('falls back to IT × PUE when the meters went stale', () => {
    const { state } = classified([['h01-p001-n01', READINGS.busy]], { meters: [{ id: 'site', scope: 'site', watts: 5 }] });
    const later = summarizeFleet(state, 20_000 + STALE + 1, STALE);
    expect(later.metered).toBe(false);
  });

  it('averages utilization only over GPUs with a verdict', () => {
    const { summary } = classified([
      ['h01-p001-n01', READINGS.busy],
      ['h01-p001-n02', READINGS.idle],
    ]);
    expect(summary.site.utilizationCount).toBe(16);
    expect(summary.site.utilizationSum / 16).toBeCloseTo((1 + (690 - 70) / 630) / 2 / 2, 6);
  });
});
