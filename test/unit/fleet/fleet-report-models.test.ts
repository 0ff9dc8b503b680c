import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { podsReport, siteReport } from '../../../server/src/domain/fleet/fleet-report.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import { podsAnswer, siteAnswer } from '../../../server/src/protocol/fleet.js';
import { mixedTopology } from '../../support/mixed-site.js';
import { batch, nodeSamples, READINGS } from './builders.js';

const STALE = 30_000;
const GB200 = { modelName: 'NVIDIA GB200', memTotalMiB: 189_471 };

/** h01: one H100 leaf group of 2 nodes (16 GPUs) and one GB200 NVL72 rack (18 trays × 4 = 72 GPUs); h02: one H200 pod of 1 node. */
function mixedFleet() {
  const topology = mixedTopology({ id: 'm', name: 'M', feedWatts: 1_000_000, pue: 1.25 }, [
    [
      { model: 'H100-SXM', fabric: 'leaf', pods: 1, nodesPerPod: 2 },
      { model: 'GB200', fabric: 'nvlink', pods: 1, nodesPerPod: 18 },
    ],
    [{ model: 'H200-SXM', fabric: 'pod', pods: 1, nodesPerPod: 1 }],
  ]);
  const state = createFleetState(topology);
  const trays = Array.from({ length: 18 }, (_, i) => `h01-p002-n${String(i + 1).padStart(2, '0')}`);
  const samples = [
    ...nodeSamples('h01-p001-n01', READINGS.busy),
    ...nodeSamples('h01-p001-n02', READINGS.busy),
    // Nine trays busy at 1,100 W, nine idle at 120 W; the H200 node never reports (unknown).
    ...trays.slice(0, 9).flatMap((host) => nodeSamples(host, { ...GB200, utilPercent: 100, powerWatts: 1_100, memUsedMiB: 2_000 }, 4)),
    ...trays.slice(9).flatMap((host) => nodeSamples(host, { ...GB200, utilPercent: 0, powerWatts: 120, memUsedMiB: 0 }, 4)),
  ];
  for (const t of [10_000, 20_000]) applyBatch(state, batch(samples), t);
  classifyFleet(state, 20_000, STALE);
  return { state, summary: summarizeFleet(state, 20_000, STALE) };
}

describe('the fleet API per GPU model', () => {
  it('sums each model pool: GPUs by state, IT and facility watts, fabric units', () => {
    const { state, summary } = mixedFleet();
    const report = siteAnswer.parse(siteReport(state, summary));
    // H100: 2 nodes × (2,000 W + 8 × 690 W × 1.15) = 16,696 W; × PUE 1.25 = 20,870 W.
    // GB200: 9 × (1,200 + 4 × 1,100 × 1.15) + 9 × (1,200 + 4 × 120 × 1.15) = 56,340 + 15,768 = 72,108 W; × 1.25 = 90,135 W.
    expect(report.models).toEqual([
      {
        model: 'H100-SXM',
        gpus: { total: 16, busy: 16, held: 0, idle: 0, sold: 0, down: 0, unknown: 0 },
        itWatts: 16_696,
        facilityWatts: 20_870,
        pods: 1,
      },
      {
        model: 'GB200',
        gpus: { total: 72, busy: 36, held: 0, idle: 36, sold: 0, down: 0, unknown: 0 },
        itWatts: 72_108,
        facilityWatts: 90_135,
        pods: 1,
      },
      {
        model: 'H200-SXM',
        gpus: { total: 8, busy: 0, held: 0, idle: 0, sold: 0, down: 0, unknown: 8 },
        itWatts: 0,
        facilityWatts: 0,
        pods: 1,
      },
    ]);
    expect(report.models.reduce((n, m) => n + m.gpus.total, 0)).toBe(report.gpus.total - report.unplaced.total);
  });

  it('names each pod’s model and fabric kind', () => {
    const { state, summary } = mixedFleet();
    const { pods } = podsAnswer.parse(podsReport(state, summary));
    expect(pods.map(({ id, model, fabric, nodes }) => ({ id, model, fabric, nodes }))).toEqual([
      { id: 'h01-p001', model: 'H100-SXM', fabric: 'leaf', nodes: 2 },
      { id: 'h01-p002', model: 'GB200', fabric: 'nvlink', nodes: 18 },
      { id: 'h02-p001', model: 'H200-SXM', fabric: 'pod', nodes: 1 },
    ]);
    expect(pods[1]?.gpus.total).toBe(72);
  });
});
