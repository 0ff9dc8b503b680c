import { findGpuModelIndex } from './gpu-models.js';

/**
 * The power and network hierarchy: site → hall → pod → rack → node → GPU.
 * Held as flat arrays with integer indexes, because a Colossus-scale site has ≈ 30,000
 * nodes and ≈ 230,000 GPUs and every tick walks them.
 *
 * A pod is the unit that sells: one fabric unit of one GPU model — an NVL72 rack (one NVLink
 * domain), a leaf or scalable-unit group of HGX nodes, or, where no fabric is given, the
 * preset's pod. Contracts allocate pods and blocks are made of them, so a block never mixes
 * models and never splits a fabric unit.
 */

export interface Site {
  id: string;
  name: string;
  /** Contracted utility feed, facility watts. */
  feedWatts: number;
  /** Power usage effectiveness: facility watts per IT watt. */
  pue: number;
}

export interface Hall {
  id: string;
  index: number;
}

/** What ties a pod's GPUs together: see the module comment. */
export const FABRIC_KINDS = ['nvlink', 'leaf', 'scalable-unit', 'pod'] as const;
export type FabricKind = (typeof FABRIC_KINDS)[number];

export interface Pod {
  /** Unique across the site, e.g. `h01-p003`. */
  id: string;
  index: number;
  hallIndex: number;
  /** Node indexes, in rack order. */
  nodes: number[];
  /** GPU model of every node in the pod (index into GPU_MODELS). */
  modelIndex: number;
  fabric: FabricKind;
}

/** Marks a node or GPU that telemetry introduced and no topology places. */
export const UNPLACED = -1;

export interface FleetNode {
  host: string;
  index: number;
  hallIndex: number;
  podIndex: number;
  rack: string;
  /** GPU slot per GPU index on the node; unplaced nodes grow as GPUs appear. */
  slots: number[];
  modelIndex: number;
  /** Rated maximum input power of the node (DGX H100: 10.2 kW), IT watts. */
  maxInputWatts: number;
  /** Non-GPU draw (CPUs, NICs, fans, NVSwitch) at idle, IT watts. */
  baseWatts: number;
}

export interface Topology {
  site: Site;
  halls: Hall[];
  pods: Pod[];
  nodes: FleetNode[];
  /** GPU slot → node index. Slots are never reused, so indexes stay stable for history. */
  slotNode: number[];
  /** GPU slot → index on its node. */
  slotGpuIndex: number[];
  nodeByHost: Map<string, number>;
}

/** The GPU models the site's pods are made of, each once, in pod order: the model pools. */
export function podModels(topology: Topology): number[] {
  return [...new Set(topology.pods.map((p) => p.modelIndex))];
}

export interface NodeSpec {
  gpusPerNode: number;
  gpuModelName: string;
  maxInputWatts: number;
  baseWatts: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Host name of a node in a generated topology: `h01-p003-n07`. */
export function hostName(hall: number, podInHall: number, nodeInPod: number): string {
  return `h${pad(hall + 1, 2)}-p${pad(podInHall + 1, 3)}-n${pad(nodeInPod + 1, 2)}`;
}

/** A site with nothing in it yet: the builders (site-spec.ts, site-topology.ts) add halls, pods, nodes and slots. */
export function emptyTopology(site: Site): Topology {
  return { site: { ...site }, halls: [], pods: [], nodes: [], slotNode: [], slotGpuIndex: [], nodeByHost: new Map() };
}

/** Appends a pod (no nodes yet) and returns it. */
export function addPod(topology: Topology, pod: Omit<Pod, 'index' | 'nodes'>): Pod {
  const added: Pod = { ...pod, index: topology.pods.length, nodes: [] };
  topology.pods.push(added);
  return added;
}

/** Appends a node (no GPU slots yet; see addSlot) and returns it. */
export function addNode(
  topology: Topology,
  host: string,
  hallIndex: number,
  podIndex: number,
  rack: string,
  modelIndex: number,
  spec: Pick<NodeSpec, 'maxInputWatts' | 'baseWatts'>,
): FleetNode {
  const node: FleetNode = {
    host,
    index: topology.nodes.length,
    hallIndex,
    podIndex,
    rack,
    slots: [],
    modelIndex,
    maxInputWatts: spec.maxInputWatts,
    baseWatts: spec.baseWatts,
  };
  topology.nodes.push(node);
  topology.nodeByHost.set(host, node.index);
  return node;
}

/** Appends a GPU slot to a node and returns the slot. */
export function addSlot(topology: Topology, node: FleetNode): number {
  const slot = topology.slotNode.length;
  topology.slotNode.push(node.index);
  topology.slotGpuIndex.push(node.slots.length);
  node.slots.push(slot);
  return slot;
}

/**
 * Registers a host that telemetry named but no topology places. It is counted in the site
 * totals (never dropped) but belongs to no hall or pod, so it is never part of a sellable block.
 */
export function addUnplacedNode(topology: Topology, host: string, modelName: string | null): FleetNode {
  const reference = topology.nodes[0];
  return addNode(topology, host, UNPLACED, UNPLACED, 'unplaced', findGpuModelIndex(modelName ?? undefined), {
    maxInputWatts: reference?.maxInputWatts ?? 10_200,
    baseWatts: reference?.baseWatts ?? 2_000,
  });
}

export function gpuCount(topology: Topology): number {
  return topology.slotNode.length;
}
