/**
 * What the simulator's pod labels cost at Colossus (docs/performance.md#kubernetes-pod-labels-issue-18-2026-12-07):
 * the bytes of one tick's dcgm text, the parse of its nodes, recording the labels of every batch
 * and laying them over the fleet. `node --import tsx test/bench/pod-labels.manual.ts`. Not in `npm test`.
 */
import { applyBatch } from '../../server/src/domain/fleet/apply-batch.js';
import { createFleetState } from '../../server/src/domain/fleet/fleet-state.js';
import { buildPreset } from '../../server/src/domain/fleet/presets.js';
import { applySchedulerSnapshot } from '../../server/src/domain/scheduler/allocation.js';
import { applyPodAttribution, createPodAttribution, recordPodLabels } from '../../server/src/domain/scheduler/kubernetes-allocation.js';
import { parseDcgmText } from '../../server/src/pipeline/ingest/dcgm-text.js';
import { createSimulator } from '../../server/src/sim/simulator.js';

const topology = buildPreset('colossus');
const sim = createSimulator({ topology, scenario: 'decline', seed: 42 });
const now = Date.parse('2026-11-27T12:00:00Z');
sim.advance(now);

/** The fastest of `runs` timings of `fn`, ms. */
function minMs(runs: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best * 10) / 10;
}

const texts = topology.nodes.map((node) => sim.renderNode(node.index));
const bytes = texts.reduce((sum, t) => sum + t.length, 0);
const quarter = texts.slice(0, texts.length / 4);
const podTexts = quarter.filter((t) => t.includes('pod="'));
const parseQuarterMs = minMs(5, () => quarter.forEach((t) => parseDcgmText(t)));
const parsePodNodesMs = minMs(5, () => podTexts.forEach((t) => parseDcgmText(t)));

const state = createFleetState(topology);
const pods = createPodAttribution();
const batches = texts.map((t) => parseDcgmText(t));
for (const batch of batches) applyBatch(state, batch, now);
const recordMs = minMs(5, () => batches.forEach((batch) => recordPodLabels(pods, state, batch, now)));
const lookupMs = minMs(5, () => batches.forEach((batch) => batch.samples.forEach((s) => state.slotByUuid.get(s.uuid))));
let report = applyPodAttribution(state, pods, now, 30_000);
const layMs = minMs(7, () => {
  applySchedulerSnapshot(state, null, now, 0);
  report = applyPodAttribution(state, pods, now, 30_000);
});
const labelled = batches.reduce((sum, b) => sum + b.samples.filter((s) => s.pod).length, 0);

console.log(
  JSON.stringify({
    tickMB: Math.round(bytes / 1e5) / 10,
    labelledGpus: labelled,
    parse: { nodes: quarter.length, ms: parseQuarterMs, podNodes: podTexts.length, podNodesMs: parsePodNodesMs },
    recordMs,
    uuidLookupOnlyMs: lookupMs,
    clearPlusLayMs: layMs,
    report,
  }),
);
