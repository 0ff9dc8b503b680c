import { findGpuModelIndex } from '../../server/src/domain/fleet/gpu-models.js';
import { NODE_SPECS, NVL72_TRAYS } from '../../server/src/domain/fleet/node-specs.js';
import { addNode, addPod, addSlot, type FabricKind, type Site, type Topology } from '../../server/src/domain/fleet/topology.js';

/**
 * Mixed sites for tests of what the page, the API and /metrics show per GPU model, built with the
 * topology's own builders (the presets are uniform H100 until the mixed preset lands).
 */

/** Some pods of one model and fabric in one hall. */
export interface PodGroup {
  model: keyof typeof NODE_SPECS;
  fabric: FabricKind;
  pods: number;
  nodesPerPod: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Halls in order, each with its pod groups in order; pods are `h01-p001`…, nodes `h01-p001-n01`…, racks of 4 nodes (an NVL72 rack is its pod). */
export function mixedTopology(site: Site, halls: ReadonlyArray<readonly PodGroup[]>): Topology {
  const topology: Topology = { site: { ...site }, halls: [], pods: [], nodes: [], slotNode: [], slotGpuIndex: [], nodeByHost: new Map() };
  halls.forEach((groups, h) => {
    const hallId = `h${pad(h + 1, 2)}`;
    topology.halls.push({ id: hallId, index: h });
    let podInHall = 0;
    for (const group of groups) {
      const spec = NODE_SPECS[group.model];
      if (!spec) throw new Error(`no node spec for ${group.model}`);
      const modelIndex = findGpuModelIndex(spec.gpuModelName);
      for (let p = 0; p < group.pods; p++) {
        const pod = addPod(topology, { id: `${hallId}-p${pad(++podInHall, 3)}`, hallIndex: h, modelIndex, fabric: group.fabric });
        for (let n = 0; n < group.nodesPerPod; n++) {
          const rack = group.fabric === 'nvlink' ? pod.id : `${pod.id}-r${pad(Math.floor(n / 4) + 1, 2)}`;
          const node = addNode(topology, `${pod.id}-n${pad(n + 1, 2)}`, h, pod.index, rack, modelIndex, spec);
          for (let g = 0; g < spec.gpusPerNode; g++) addSlot(topology, node);
          pod.nodes.push(node.index);
        }
      }
    }
  });
  return topology;
}

/**
 * The dashboard's mixed test site, 504 GPUs: hall h01 has 6 H100 leaf groups of 4 nodes (32 GPUs
 * each); hall h02 has 3 H200 scalable units of 4 nodes (32 GPUs) and 3 GB200 NVL72 racks (18 trays
 * × 4 = 72 GPUs). 1.5 MW feed, PUE 1.2.
 */
export function smallMixedSite(): Topology {
  return mixedTopology({ id: 'mixed', name: 'Mixed test site', feedWatts: 1_500_000, pue: 1.2 }, [
    [{ model: 'H100-SXM', fabric: 'leaf', pods: 6, nodesPerPod: 4 }],
    [
      { model: 'H200-SXM', fabric: 'scalable-unit', pods: 3, nodesPerPod: 4 },
      { model: 'GB200', fabric: 'nvlink', pods: 3, nodesPerPod: NVL72_TRAYS },
    ],
  ]);
}

/** `total` split into `parts` as evenly as whole numbers go, larger parts first. */
function spread(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/**
 * A Colossus-sized mixed site of 230,216 GPUs in 1,199 fabric units: 586 H100 leaf groups of 256
 * GPUs (32 nodes) in halls h01–h09, 196 H200 leaf groups of 256 in h10–h12, 417 GB200 NVL72 racks in
 * h13–h16; 300 MW, PUE 1.2.
 */
export function colossusMixedSite(): Topology {
  const halls = [
    ...spread(586, 9).map((pods) => [{ model: 'H100-SXM', fabric: 'leaf', pods, nodesPerPod: 32 } as const]),
    ...spread(196, 3).map((pods) => [{ model: 'H200-SXM', fabric: 'leaf', pods, nodesPerPod: 32 } as const]),
    ...spread(417, 4).map((pods) => [{ model: 'GB200', fabric: 'nvlink', pods, nodesPerPod: NVL72_TRAYS } as const]),
  ];
  return mixedTopology({ id: 'colossus-mixed', name: 'Colossus (mixed, test)', feedWatts: 300_000_000, pue: 1.2 }, halls);
}
