import type { FleetSummary } from '../../domain/fleet/summary.js';
import { GpuState } from '../../domain/fleet/gpu-state.js';
import type { Topology } from '../../domain/fleet/topology.js';
import type { ContractSite } from './contract-service.js';

/**
 * The site as contracts see it, from a topology: its placed pods (pods are uniform, so pod 0
 * gives GPUs per pod), those pods' GPUs, and the contracted feed in facility watts. GPUs on
 * unplaced nodes belong to no pod, so they are never sold and not counted here.
 */
export function contractSiteOf(topology: Topology): ContractSite {
  const first = topology.pods[0];
  const gpusPerPod = first ? first.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.slots.length ?? 0), 0) : 0;
  const pods = topology.pods.length;
  const gpus = pods * gpusPerPod;
  const facilityWatts = topology.site.feedWatts;
  return {
    gpus,
    facilityWatts,
    pods,
    gpusPerPod,
    gpusPerFacilityWatt: facilityWatts > 0 ? gpus / facilityWatts : 0,
    podIds: topology.pods.map((p) => p.id),
  };
}

/**
 * Pod indexes, best to sell first: fewest GPUs in internal use (busy + held) in the latest
 * summary, ties by index. Before the first summary, by index.
 */
export function rankPodsByInternalUse(podCount: number, summary: FleetSummary | null): number[] {
  const used = (i: number): number => {
    const counts = summary?.pods[i]?.counts;
    return counts ? (counts[GpuState.busy] ?? 0) + (counts[GpuState.held] ?? 0) : 0;
  };
  const load = Array.from({ length: podCount }, (_, i) => used(i));
  return Array.from({ length: podCount }, (_, i) => i).sort((a, b) => (load[a] ?? 0) - (load[b] ?? 0) || a - b);
}
