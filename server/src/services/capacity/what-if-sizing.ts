import { podsCovering, type PodUnit } from '../../domain/contracts/allocation.js';
import type { ContractCapacity } from '../../domain/contracts/contract.js';
import { GpuState } from '../../domain/fleet/gpu-state.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';

export interface SizingSite {
  podGpus: readonly number[];
  podUnits: readonly PodUnit[];
  poolOfPod: Int32Array;
  pools: number;
}

/**
 * The whole pods a what-if sale takes and its GPUs per model pool: `candidates` (one pool's pods,
 * or every pod) in the order they would be sold, emptiest of internal work first, until the
 * capacity is covered (allocation.ts podsCovering); a sale past them counts more pods of the
 * largest candidate's size in its pool (the oversold risk shows it). On uniform pods: today's
 * ⌈capacity / pod⌉ pods.
 */
export function sizeWhatIf(capacity: ContractCapacity, candidates: readonly number[], summary: FleetSummary, site: SizingSite) {
  const internal = (i: number): number => {
    const c = summary.pods[i]?.counts;
    return c ? (c[GpuState.busy] ?? 0) + (c[GpuState.held] ?? 0) : 0;
  };
  const ranked = [...candidates].sort((a, b) => internal(a) - internal(b) || a - b);
  const gpusOf = (i: number): number => site.podGpus[i] ?? 0;
  const largest = ranked.reduce((best, i) => (gpusOf(i) > gpusOf(best) ? i : best), ranked[0] ?? 0);
  const beyond = site.podUnits[largest] ?? { gpus: 0, feedShareWatts: 0 };
  const pods = podsCovering(
    capacity,
    ranked.map((i) => site.podUnits[i] ?? beyond),
    beyond,
  );
  const gpusByPool = Array.from({ length: site.pools }, () => 0);
  const add = (pod: number, gpus: number): void => {
    const k = site.poolOfPod[pod] ?? 0;
    gpusByPool[k] = (gpusByPool[k] ?? 0) + gpus;
  };
  ranked.slice(0, pods).forEach((i) => add(i, gpusOf(i)));
  add(largest, Math.max(0, pods - ranked.length) * beyond.gpus);
  return { pods, gpusByPool };
}
