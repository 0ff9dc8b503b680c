import type { NodeSpec } from './topology.js';

/**
 * What one node of each model is, for presets and for site-file nodes that give no power
 * figures of their own. Keys are GPU model keys (gpu-models.ts).
 *
 * - H100 / H200 SXM: DGX/HGX, 8 GPUs, 10.2 kW maximum input (DGX H100 and DGX H200 user guides).
 * - GB200: one NVL72 compute tray, 4 GPUs (two superchips). An NVL72 rack is 18 trays plus
 *   9 NVLink switch trays and power shelves at ≈ 120–132 kW (press reports, 2026; DESIGN.md);
 *   132 kW / 18 trays = 7,333 W per tray, switch trays' share included. Base draw 1,200 W:
 *   two Grace CPUs, NICs and the tray's share of the switch trays at idle.
 */
export const NODE_SPECS: Readonly<Record<string, NodeSpec>> = {
  'H100-SXM': { gpusPerNode: 8, gpuModelName: 'NVIDIA H100 80GB HBM3', maxInputWatts: 10_200, baseWatts: 2_000 },
  'H200-SXM': { gpusPerNode: 8, gpuModelName: 'NVIDIA H200', maxInputWatts: 10_200, baseWatts: 2_000 },
  GB200: { gpusPerNode: 4, gpuModelName: 'NVIDIA GB200', maxInputWatts: 7_333, baseWatts: 1_200 },
};

/** Nodes of an NVL72 rack (one NVLink domain of 72 GPUs). */
export const NVL72_TRAYS = 18;
