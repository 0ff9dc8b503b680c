import { NVL72_TRAYS } from './node-specs.js';
import { buildSite, sizeOf, type SiteSpec } from './site-spec.js';
import type { Site, Topology } from './topology.js';

export type { HallGroup, SiteSpec } from './site-spec.js';
export { buildSite, sizeOf } from './site-spec.js';

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

/**
 * Share of GPU power drawn again by node fans and switches; see DGX_H100. On a GB200 tray the
 * same share stands for the NVLink switch trays and power shelves: a busy tray draws
 * 1,200 + 1.15 × 4 × 1,200 = 6,720 W, a busy NVL72 rack 18 × 6,720 = 120,960 W — inside the
 * reported 120–132 kW (docs/site-presets.md).
 */
export const NODE_GPU_OVERHEAD = 0.15;

const FEED_WATTS = 300_000_000;

/**
 * The default site, Colossus 1 as public reports put it (≈ 300 MW, over 220,000 GPUs: H100,
 * H200 and GB200 in NVL72 racks; docs/site-presets.md): 9 halls of H100 SXM and 3 of H200 SXM,
 * each 64 scalable units of 32 HGX nodes × 8 GPUs, and 2 halls of 208 GB200 NVL72 racks (one
 * NVLink domain of 18 trays × 4 GPUs each) — 147,456 + 49,152 + 29,952 = 226,560 GPUs. PUE
 * 1.15: the site is liquid-cooled (hyperscale liquid 1.1–1.2), and at 1.25 its full load
 * (257.7 MW IT) would not fit the feed.
 */
export const COLOSSUS: SiteSpec = {
  site: { id: 'colossus', name: 'Colossus (simulated)', feedWatts: FEED_WATTS, pue: 1.15 },
  halls: [
    { halls: 9, model: 'H100-SXM', podsPerHall: 64, nodesPerPod: 32, nodesPerRack: 4, fabric: 'scalable-unit' },
    { halls: 3, model: 'H200-SXM', podsPerHall: 64, nodesPerPod: 32, nodesPerRack: 4, fabric: 'scalable-unit' },
    { halls: 2, model: 'GB200', podsPerHall: 208, nodesPerPod: NVL72_TRAYS, nodesPerRack: NVL72_TRAYS, fabric: 'nvlink' },
  ],
};

/**
 * The uniform site the project ran on before issue 19, kept for side-by-side benchmarks: a
 * 300 MW feed, PUE 1.25 (air-cooled H100 is 1.3–1.4), 12 halls × 64 pods × 32 nodes × 8 H100
 * SXM = 196,608 GPUs — ≈ 655 GPUs per facility MW, inside DESIGN.md's 650–730.
 */
export const COLOSSUS_H100: SiteSpec = {
  site: { id: 'colossus', name: 'Colossus, H100 only (simulated)', feedWatts: FEED_WATTS, pue: 1.25 },
  halls: [{ halls: 12, model: 'H100-SXM', podsPerHall: 64, nodesPerPod: 32, nodesPerRack: 4, fabric: 'pod' }],
};

/**
 * A few hundred GPUs with the uniform site's feed per GPU, for tests and laptops: a hall of
 * H100 SXM and a hall of H200 SXM, 3 leaf groups of 8 HGX nodes each. The H200 node has the
 * H100's shape and power (NODE_SPECS), so the site's power and counts are those of the
 * all-H100 small site it replaces; only its second model pool is new.
 */
export const SMALL: SiteSpec = {
  site: { id: 'small', name: 'Small site (simulated)', feedWatts: Math.round((FEED_WATTS / 196_608) * 384), pue: 1.25 },
  halls: [
    { halls: 1, model: 'H100-SXM', podsPerHall: 3, nodesPerPod: 8, nodesPerRack: 4, fabric: 'leaf' },
    { halls: 1, model: 'H200-SXM', podsPerHall: 3, nodesPerPod: 8, nodesPerRack: 4, fabric: 'leaf' },
  ],
};

export const PRESETS = { colossus: COLOSSUS, 'colossus-h100': COLOSSUS_H100, small: SMALL } as const;
export type PresetName = keyof typeof PRESETS;

/** `site` renames the site (two processes of one preset are two sites to Prometheus). */
export function buildPreset(name: PresetName, site: Partial<Pick<Site, 'id' | 'name'>> = {}): Topology {
  const spec = PRESETS[name];
  return buildSite({ ...spec, site: { ...spec.site, ...site } });
}

/** Nodes of a preset, without building it. */
export function presetNodeCount(name: PresetName): number {
  return sizeOf(PRESETS[name]).nodes;
}
