import { findGpuModelIndex } from './gpu-models.js';
import { NODE_SPECS } from './node-specs.js';
import { addNode, addPod, addSlot, emptyTopology, hostName, type FabricKind, type NodeSpec, type Site, type Topology } from './topology.js';

/**
 * A generated site as runs of identical halls, each hall holding one GPU model: the shape of
 * the presets. A hall's pods are its fabric units (a scalable unit or leaf group of HGX nodes,
 * or one NVL72 rack), so a pod never mixes models and never splits a fabric unit.
 */
export interface HallGroup {
  /** Halls of this shape, numbered on from the previous group's. */
  halls: number;
  /** GPU model key (gpu-models.ts) with a NODE_SPECS entry. */
  model: string;
  podsPerHall: number;
  nodesPerPod: number;
  nodesPerRack: number;
  fabric: FabricKind;
}

export interface SiteSpec {
  site: Site;
  halls: readonly HallGroup[];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function nodeSpecOf(model: string): NodeSpec {
  const spec = NODE_SPECS[model];
  if (!spec) throw new Error(`no node spec for GPU model ${model}`);
  return spec;
}

/** Nodes and GPUs a spec builds, without building it. */
export function sizeOf(spec: SiteSpec): { nodes: number; gpus: number } {
  let nodes = 0;
  let gpus = 0;
  for (const group of spec.halls) {
    const groupNodes = group.halls * group.podsPerHall * group.nodesPerPod;
    nodes += groupNodes;
    gpus += groupNodes * nodeSpecOf(group.model).gpusPerNode;
  }
  return { nodes, gpus };
}

/**
 * Builds every hall, pod, rack, node and GPU slot of a spec, none of them seen yet. Host names
 * are `h01-p003-n07` (hall, pod in hall, node in pod) whatever the model; racks are
 * `<pod>-r01`, `nodesPerRack` nodes each.
 */
export function buildSite(spec: SiteSpec): Topology {
  const topology = emptyTopology(spec.site);
  for (const group of spec.halls) {
    const node = nodeSpecOf(group.model);
    const modelIndex = findGpuModelIndex(node.gpuModelName);
    for (let g = 0; g < group.halls; g++) {
      const h = topology.halls.length;
      const hallId = `h${pad(h + 1, 2)}`;
      topology.halls.push({ id: hallId, index: h });
      for (let p = 0; p < group.podsPerHall; p++) {
        const pod = addPod(topology, { id: `${hallId}-p${pad(p + 1, 3)}`, hallIndex: h, modelIndex, fabric: group.fabric });
        for (let n = 0; n < group.nodesPerPod; n++) {
          const rack = `${pod.id}-r${pad(Math.floor(n / group.nodesPerRack) + 1, 2)}`;
          const added = addNode(topology, hostName(h, p, n), h, pod.index, rack, modelIndex, node);
          for (let s = 0; s < node.gpusPerNode; s++) addSlot(topology, added);
          pod.nodes.push(added.index);
        }
      }
    }
  }
  return topology;
}
