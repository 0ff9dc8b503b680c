import type { FleetState } from './fleet-state.js';
import { isKnownModelIndex } from './gpu-models.js';
import { GpuState } from './gpu-state.js';

/** GPUs of one unknown model: the name they report ('' for GPUs that report none) and how many. */
export interface UnknownModelCount {
  name: string;
  gpus: number;
}

export interface ModelCensus {
  /** Unknown models by GPU count, most first (ties by name). */
  unknownModels: UnknownModelCount[];
  /** GPUs on placed nodes whose telemetry names a known model other than the topology's. */
  mismatchGpus: number;
}

/**
 * A GPU counts while it reports: its verdict is not `unknown`. A slot is kept for every GPU ever
 * seen (and restored at start), so counting every slot would list a removed V100 node for ever and
 * keep its alert firing; one that stops reporting drops out when its samples go stale.
 */
const reporting = (state: FleetState, slot: number): boolean => (state.state[slot] ?? GpuState.unknown) !== GpuState.unknown;

/** GPUs of unknown models that report now: the alert figure `unknown_model_gpus`. Cheap (unknown GPUs only). */
export function unknownModelGpus(state: FleetState): number {
  let n = 0;
  for (const slot of state.unknownModelNames.keys()) if (reporting(state, slot)) n++;
  return n;
}

/**
 * The GPUs reporting now whose model Headroom does not know, by reported name, and those whose reported
 * model differs from the topology's (telemetry's word is used for their classification; the count says
 * the site file or preset needs a look). Walks the slots' model indexes: ≈ 1 ms at 230,000 GPUs, done
 * when the API or /metrics asks, never per GPU sample.
 */
export function modelCensus(state: FleetState): ModelCensus {
  const byName = new Map<string, number>();
  for (const [slot, name] of state.unknownModelNames) if (reporting(state, slot)) byName.set(name, (byName.get(name) ?? 0) + 1);
  const { modelIndex } = state;
  let mismatchGpus = 0;
  for (const node of state.topology.nodes) {
    if (node.podIndex < 0) continue;
    for (const slot of node.slots) {
      const index = modelIndex[slot] ?? 0;
      if (index !== node.modelIndex && isKnownModelIndex(index) && reporting(state, slot)) mismatchGpus++;
    }
  }
  const unknownModels = [...byName]
    .map(([name, gpus]) => ({ name, gpus }))
    .sort((a, b) => b.gpus - a.gpus || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { unknownModels, mismatchGpus };
}
