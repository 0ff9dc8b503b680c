import type { PodUnit } from '../../domain/contracts/allocation.js';
import { feedShares } from '../../domain/contracts/feed-share.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import { GpuState } from '../../domain/fleet/gpu-state.js';
import type { Topology } from '../../domain/fleet/topology.js';
import type { ContractSite, ModelSite } from './contract-service.js';

/**
 * The site as contracts see it, from a topology: its placed pods with their GPUs, model and share
 * of the feed (domain/contracts/feed-share.ts), per model the same figures, and the contracted
 * feed in facility watts. GPUs on unplaced nodes belong to no pod, so they are never sold and not
 * counted here. `gpusPerPod` is pod 0's GPUs (uniform presets: every pod's); a site of pods of
 * several sizes sizes contracts by each pod's own GPUs and share (podUnits).
 */
export function contractSiteOf(topology: Topology): ContractSite {
  const podGpus = topology.pods.map((pod) => pod.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.slots.length ?? 0), 0));
  const podModels = topology.pods.map((pod) => gpuModelAt(pod.modelIndex).key);
  const fullLoad = topology.pods.map(
    (pod) => pod.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.maxInputWatts ?? 0), 0) * topology.site.pue,
  );
  const facilityWatts = topology.site.feedWatts;
  const shares = feedShares(
    podGpus.map((gpus, i) => ({ gpus, model: podModels[i] ?? '', fullLoadWatts: fullLoad[i] ?? 0 })),
    facilityWatts,
  );
  const podUnits: PodUnit[] = podGpus.map((gpus, i) => ({ gpus, feedShareWatts: shares[i] ?? 0 }));
  const gpus = podGpus.reduce((a, b) => a + b, 0);
  const models: Record<string, ModelSite> = {};
  for (const [i, model] of podModels.entries()) {
    const unit = podUnits[i] ?? { gpus: 0, feedShareWatts: 0 };
    const m = (models[model] ??= { gpus: 0, pods: 0, watts: 0, gpusPerFacilityWatt: 0, gpusPerPod: 0, largest: unit });
    m.gpus += unit.gpus;
    m.pods += 1;
    m.watts += unit.feedShareWatts;
    if (unit.gpus > m.largest.gpus) m.largest = unit;
  }
  for (const m of Object.values(models)) {
    m.gpusPerFacilityWatt = m.watts > 0 ? m.gpus / m.watts : 0;
    m.gpusPerPod = m.largest.gpus;
  }
  return {
    gpus,
    facilityWatts,
    pods: topology.pods.length,
    gpusPerPod: podGpus[0] ?? 0,
    gpusPerFacilityWatt: facilityWatts > 0 ? gpus / facilityWatts : 0,
    podIds: topology.pods.map((p) => p.id),
    podModels,
    podUnits,
    models,
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
