import { GPU_MODELS } from '../../server/src/domain/fleet/gpu-models.js';
import { addNode, addPod, addSlot, type FabricKind, type Topology } from '../../server/src/domain/fleet/topology.js';

/**
 * A small site of two models, built by hand (test/unit/capacity/mixed-site.test.ts computes its
 * capacity by hand): one hall; `h01-nvl01`, one GB200 NVL72 rack (18 trays × 4 GPUs, 7,333 W a
 * tray, node-specs.ts); `h01-leaf01` and `h01-leaf02`, leaf groups of 4 and 2 DGX H100 nodes
 * (8 GPUs, 10,200 W); PUE 1.25. GPU slots: the rack's 0–71, leaf01's 72–103, leaf02's 104–119.
 */
const PUE = 1.25;
export const modelIndex = (key: string): number => GPU_MODELS.findIndex((m) => m.key === key);

export function smallMixedSite(feedWatts: number): Topology {
  const topology: Topology = {
    site: { id: 'mixed', name: 'Small mixed', feedWatts, pue: PUE },
    halls: [{ id: 'h01', index: 0 }],
    pods: [],
    nodes: [],
    slotNode: [],
    slotGpuIndex: [],
    nodeByHost: new Map(),
  };
  const pod = (id: string, model: string, fabric: FabricKind, nodes: number, gpusPerNode: number, maxInputWatts: number) => {
    const p = addPod(topology, { id, hallIndex: 0, modelIndex: modelIndex(model), fabric });
    for (let n = 0; n < nodes; n++) {
      const node = addNode(topology, `${id}-n${n + 1}`, 0, p.index, `${id}-r01`, modelIndex(model), { maxInputWatts, baseWatts: 1_000 });
      for (let g = 0; g < gpusPerNode; g++) addSlot(topology, node);
      p.nodes.push(node.index);
    }
  };
  pod('h01-nvl01', 'GB200', 'nvlink', 18, 4, 7_333);
  pod('h01-leaf01', 'H100-SXM', 'leaf', 4, 8, 10_200);
  pod('h01-leaf02', 'H100-SXM', 'leaf', 2, 8, 10_200);
  return topology;
}
