import { describe, expect, it } from 'vitest';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { countsOf } from '../../../server/src/domain/fleet/fleet-report.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { findGpuModelIndex, gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { NVL72_TRAYS } from '../../../server/src/domain/fleet/node-specs.js';
import { buildSite } from '../../../server/src/domain/fleet/presets.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { ANCHOR_MS, createSimulator } from '../../../server/src/sim/simulator.js';
import { fixture } from '../../fixtures/index.js';
import { DAY_MS, HOUR_MS, readExposition } from './exposition.js';

/** A hall of two H100 scalable units of 4 nodes and a hall of three GB200 NVL72 racks: 64 + 216 GPUs. */
function mixedSite(): Topology {
  return buildSite({
    site: { id: 'mixed', name: 'Mixed (test)', feedWatts: 1_000_000, pue: 1.15 },
    halls: [
      { halls: 1, model: 'H100-SXM', podsPerHall: 2, nodesPerPod: 4, nodesPerRack: 4, fabric: 'scalable-unit' },
      { halls: 1, model: 'GB200', podsPerHall: 3, nodesPerPod: NVL72_TRAYS, nodesPerRack: NVL72_TRAYS, fabric: 'nvlink' },
    ],
  });
}

const GB200 = findGpuModelIndex('NVIDIA GB200');

describe('GB200 compute trays in the simulator', () => {
  it("reads the real GB200 capture as 4 GPUs of model GB200, never an H100's", () => {
    const batch = parseDcgmText(fixture('dcgm-exporter/gb200-tray-sampled.txt'));
    expect(batch.samples.map((s) => [s.index, s.modelName])).toEqual([0, 1, 2, 3].map((g) => [g, 'NVIDIA GB200']));
    expect(gpuModelAt(findGpuModelIndex(batch.samples[0]?.modelName ?? undefined)).key).toBe('GB200');
    expect(batch.samples.map((s) => s.powerWatts)).toEqual([165.926, 168.57, 156.479, 174.197]);
  });

  it("renders each tray as the real exporter does: 4 GPUs, the capture's labels in its order, its bus ids", () => {
    const sim = createSimulator({ topology: mixedSite(), scenario: 'flat', seed: 4 });
    sim.advance(ANCHOR_MS);
    const real = readExposition(fixture('dcgm-exporter/gb200-tray-sampled.txt')).lines;
    const tray = sim.topology.pods[2]?.nodes[0] ?? -1;
    const text = sim.renderNode(tray);
    const ours = readExposition(text).lines.filter((l) => l.family === 'DCGM_FI_DEV_GPU_TEMP' && !l.labels.some(([k]) => k === 'pod'));
    const theirs = real.filter((l) => l.family === 'DCGM_FI_DEV_GPU_TEMP');
    expect(ours.map((l) => l.labels.map(([k]) => k))).toEqual(theirs.map((l) => l.labels.map(([k]) => k)));
    const field = (lines: typeof ours, name: string): string[] => lines.map((l) => l.labels.find(([k]) => k === name)?.[1] ?? '');
    expect(field(ours, 'pci_bus_id')).toEqual(field(theirs, 'pci_bus_id'));
    expect(new Set(field(ours, 'modelName'))).toEqual(new Set(['NVIDIA GB200']));
  });

  it('parses back through our parser to the right model and counts, per model pool', () => {
    const topology = mixedSite();
    const sim = createSimulator({ topology, scenario: 'decline', seed: 9 });
    const state = createFleetState(topology);
    const start = ANCHOR_MS - 10 * DAY_MS + 15 * HOUR_MS;
    for (let k = 0; k < 3; k++) {
      const t = start + k * 10_000;
      sim.advance(t);
      for (const node of topology.nodes) applyBatch(state, parseDcgmText(sim.renderNode(node.index)), t);
      classifyFleet(state, t, 30_000);
    }
    const summary = summarizeFleet(state, start + 20_000, 30_000);
    expect(summary.models.map((m) => [gpuModelAt(m.modelIndex).key, countsOf(m.figures).total])).toEqual([
      ['H100-SXM', 64],
      ['GB200', 216],
    ]);
    expect(countsOf(summary.unplaced).total).toBe(0);
    const gb200 = topology.nodes.filter((n) => n.modelIndex === GB200);
    expect(gb200.every((n) => state.topology.nodes[n.index]?.slots.length === 4)).toBe(true);
    // Three ticks of a steady site: what the parser and classifier see is the truth, model by model.
    const truth = sim.truthCountsByModel();
    for (const [i, pool] of summary.models.entries()) {
      const seen = countsOf(pool.figures);
      const { busy, held, idle, down } = truth[i]?.counts ?? { busy: -1, held: -1, idle: -1, down: -1 };
      expect([seen.busy + seen.held + seen.idle + seen.down + seen.unknown, seen.unknown]).toEqual([busy + held + idle + down, 0]);
      expect(Math.abs(seen.busy - busy) + Math.abs(seen.held - held) + Math.abs(seen.idle - idle)).toBeLessThanOrEqual(8);
    }
  });

  it("keeps every job on one model and asks for a tray's 4 GPUs or half of them; Slurm reports a tray's own CPUs", () => {
    const sim = createSimulator({ topology: mixedSite(), scenario: 'decline', seed: 2 });
    const topology = sim.topology;
    let trayJobs = 0;
    for (let h = 0; h < 72; h += 5) {
      sim.advance(ANCHOR_MS - 20 * DAY_MS + h * HOUR_MS);
      for (const job of sim.scheduler().jobs) {
        const models = new Set(job.nodes.map((n) => topology.nodes[n]?.modelIndex));
        expect(models.size).toBeLessThanOrEqual(1);
        if (job.nodes.length > 0) expect([...models][0]).toBe(job.modelIndex);
        if (job.modelIndex !== GB200) continue;
        trayJobs++;
        expect([2, 4]).toContain(job.gpusPerNode);
        expect(job.firstGpu + job.gpusPerNode).toBeLessThanOrEqual(4);
      }
    }
    expect(trayJobs).toBeGreaterThan(0);
    const nodes = JSON.parse(sim.slurmJson('nodes')) as {
      nodes: Array<{ name: string; gres: string; cpus: number; architecture: string }>;
    };
    const tray = nodes.nodes.find((n) => n.name === topology.nodes[topology.pods[2]?.nodes[0] ?? -1]?.host);
    expect(tray).toMatchObject({ gres: 'gpu:4', cpus: 144, architecture: 'aarch64' });
    const jobs = JSON.parse(sim.slurmJson('jobs')) as { jobs: Array<{ cpus: number }> };
    expect(sim.scheduler().jobs.some((j) => j.modelIndex === GB200)).toBe(true);
    for (const [i, job] of sim.scheduler().jobs.entries()) {
      const perNodeCpus = job.modelIndex === GB200 ? (144 * job.gpusPerNode) / 4 : (224 * job.gpusPerNode) / 8;
      expect(jobs.jobs[i]?.cpus).toBe(perNodeCpus * job.nodeCount);
    }
  });
});
