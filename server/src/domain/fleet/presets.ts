import { buildTopology, type Site, type Topology, type TopologySpec } from './topology.js';

/**
 * DGX/HGX H100 node: 8 GPUs, 10.2 kW maximum input (DGX H100 user guide). Non-GPU draw is
 * modelled as 2 kW plus 15 % on top of GPU power (fans and NVSwitch follow GPU load), which
 * puts a fully busy node at ≈ 8.4 kW — the top of the guide's 6.5–8.5 kW typical range.
 */
export const DGX_H100 = {
  gpusPerNode: 8,
  gpuModelName: 'NVIDIA H100 80GB HBM3',
  maxInputWatts: 10_200,
  baseWatts: 2_000,
} as const;

/** Share of GPU power drawn again by node fans and switches; see DGX_H100. */
export const NODE_GPU_OVERHEAD = 0.15;

/**
 * The reference site: a 300 MW utility feed, PUE 1.25 (liquid-cooled hyperscale is
 * 1.1–1.2, air-cooled H100 1.3–1.4), 12 halls × 64 pods × 32 nodes × 8 H100 SXM
 * = 196,608 GPUs — ≈ 655 GPUs per facility MW, inside DESIGN.md's 650–730.
 */
export const COLOSSUS: TopologySpec = {
  site: { id: 'colossus', name: 'Colossus (simulated)', feedWatts: 300_000_000, pue: 1.25 },
  halls: 12,
  podsPerHall: 64,
  nodesPerPod: 32,
  nodesPerRack: 4,
  node: DGX_H100,
};

/** A few hundred GPUs with the same shape and the same feed per GPU, for tests and laptops. */
export const SMALL: TopologySpec = {
  site: { id: 'small', name: 'Small site (simulated)', feedWatts: Math.round((300_000_000 / 196_608) * 384), pue: 1.25 },
  halls: 2,
  podsPerHall: 3,
  nodesPerPod: 8,
  nodesPerRack: 4,
  node: DGX_H100,
};

export const PRESETS = { colossus: COLOSSUS, small: SMALL } as const;
export type PresetName = keyof typeof PRESETS;

/** `site` renames the site (two processes of one preset are two sites to Prometheus). */
export function buildPreset(name: PresetName, site: Partial<Pick<Site, 'id' | 'name'>> = {}): Topology {
  const spec = PRESETS[name];
  return buildTopology({ ...spec, site: { ...spec.site, ...site } });
}
