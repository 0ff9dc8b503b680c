import type { GpuSample, IngestBatch } from '../../../server/src/domain/fleet/readings.js';
import { buildSite, SMALL, type SiteSpec } from '../../../server/src/domain/fleet/presets.js';

/** A tiny site: `halls` × `pods` × `nodes` × 8 H100s, hosts named h01-p001-n01…, 1 MW feed. */
export function tinySpec(halls = 1, pods = 2, nodes = 2): SiteSpec {
  return {
    site: { id: 'tiny', name: 'Tiny', feedWatts: 1_000_000, pue: 1.25 },
    halls: [{ halls, model: 'H100-SXM', podsPerHall: pods, nodesPerPod: nodes, nodesPerRack: 2, fabric: 'pod' }],
  };
}

export const tinyTopology = (halls = 1, pods = 2, nodes = 2) => buildSite(tinySpec(halls, pods, nodes));

export function sample(over: Partial<GpuSample> & { uuid: string; host: string }): GpuSample {
  return {
    index: -1,
    modelName: 'NVIDIA H100 80GB HBM3',
    utilPercent: 0,
    powerWatts: 70,
    memUsedMiB: 0,
    memTotalMiB: 81559,
    xid: 0,
    offsetMs: 0,
    ...over,
  };
}

/** Readings that the per-sample classifier reads as each state on an H100. */
export const READINGS = {
  idle: { utilPercent: 0, powerWatts: 70, memUsedMiB: 0 },
  held: { utilPercent: 0, powerWatts: 120, memUsedMiB: 785 },
  busy: { utilPercent: 100, powerWatts: 690, memUsedMiB: 1011 },
  blank: { utilPercent: null, powerWatts: null, memUsedMiB: null },
} as const;

export function batch(samples: GpuSample[], extra: Partial<IngestBatch> = {}): IngestBatch {
  return { samples, nodes: [], meters: [], ...extra };
}

export const uuidFor = (host: string, index: number): string => `GPU-${host}-${index}`;

/** One sample for every GPU of a node, all in the same readings. */
export function nodeSamples(host: string, readings: Partial<GpuSample>, gpus = 8): GpuSample[] {
  return Array.from({ length: gpus }, (_, i) => sample({ uuid: uuidFor(host, i), host, index: i, ...readings }));
}

/**
 * The small preset's shape (2 halls × 3 pods × 8 nodes × 8 GPUs, its feed) with one model in both
 * halls: for tests of one pool's figures, now that the small preset's second hall is H200.
 */
export const smallOneModel = () =>
  buildSite({
    site: SMALL.site,
    halls: [{ halls: 2, model: 'H100-SXM', podsPerHall: 3, nodesPerPod: 8, nodesPerRack: 4, fabric: 'leaf' }],
  });
