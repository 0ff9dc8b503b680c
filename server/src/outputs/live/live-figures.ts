import { siteReport } from '../../domain/fleet/fleet-report.js';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import { GPU_STATES } from '../../domain/fleet/gpu-state.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { Topology } from '../../domain/fleet/topology.js';
import {
  HEATMAP_STATES,
  type Headline,
  type Layout,
  type LayoutUnit,
  type PodCell,
  type PlansFigures,
  type SellableOfModel,
} from '../../protocol/live.js';

/**
 * The live view's figures, pure: fleet summary + capacity report + contracts in term → the
 * protocol's Headline and heatmap cells. Built from the same functions the REST answers are
 * (siteReport for /fleet, the capacity service's report for /capacity), so the page and the API
 * cannot disagree at one moment.
 */

/** What the headline and heatmap read of GET /capacity's answer (capacity-service.ts `capacity()`). */
export interface CapacityFigures {
  gpus: { up: number; sold: number; overcommitted: number; outsideBlocks: number; reserve: number };
  power: { strandedWatts: number; headroomWatts: number; reservedGrowthWatts: number };
  sellable: {
    blocks: ReadonlyArray<{ pods: readonly string[]; model: string; gpus: number; watts: number; valueUsdPerMonth: number }>;
    gpus: number;
    watts: number;
    addedWatts: number;
    limitedBy: 'gpus' | 'power' | 'blocks';
    valueUsdPerMonth: number;
  };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null; firstRiskAt: string | null };
}

/** One customer's contracts in term on a day (contract-service.ts `contractedAt`). */
export interface ContractedFigures {
  monthlyUsd: number;
  gpus: number;
  contracts: number;
}

// The heatmap frame stores counts in HEATMAP_STATES order and the summary in GPU_STATES order:
// one mapping, checked once, rather than trusting that the two lists stay alike.
const STATE_CODE = HEATMAP_STATES.map((name) => {
  const code = GPU_STATES.indexOf(name);
  if (code < 0) throw new Error(`heatmap state ${name} is not a GPU state`);
  return code;
});

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The headline at the summary's moment.
 *
 * `gpus` and `power` are siteReport's (GET /api/v1/fleet, rounded the same way); `capacity`, `risk`
 * and `power.strandedWatts` are GET /api/v1/capacity's, or null while it is unavailable (history
 * still loading). `contracts` sums the customers in term: contracts, their monthly prices in force
 * (ramp applied, to the cent) and their GPUs.
 */
export function headlineOf(
  state: FleetState,
  summary: FleetSummary,
  capacity: CapacityFigures | null,
  contracted: readonly ContractedFigures[],
  plans: PlansFigures = { count: 0, revision: 0 },
): Headline {
  const report = siteReport(state, summary);
  const { power } = report;
  return {
    atMs: summary.atMs,
    site: { id: report.site.id, name: report.site.name },
    power: {
      feedWatts: power.feedWatts,
      itDrawWatts: power.itDrawWatts,
      facilityDrawWatts: power.facilityDrawWatts,
      headroomWatts: power.headroomWatts,
      strandedWatts: capacity ? capacity.power.strandedWatts : null,
    },
    gpus: { ...report.gpus },
    capacity: capacity
      ? {
          upGpus: capacity.gpus.up,
          soldGpus: capacity.gpus.sold,
          overcommittedGpus: capacity.gpus.overcommitted,
          outsideBlocksGpus: capacity.gpus.outsideBlocks,
          reserveGpus: capacity.gpus.reserve,
          sellableGpus: capacity.sellable.gpus,
          headroomWatts: capacity.power.headroomWatts,
          reservedGrowthWatts: capacity.power.reservedGrowthWatts,
          sellableAddedWatts: capacity.sellable.addedWatts,
          limitedBy: capacity.sellable.limitedBy,
          sellableWatts: capacity.sellable.watts,
          sellableBlocks: capacity.sellable.blocks.length,
          sellableValueUsdPerMonth: capacity.sellable.valueUsdPerMonth,
          sellableByModel: sellableByModel(capacity.sellable.blocks),
        }
      : null,
    risk: capacity ? { ...capacity.risk } : null,
    contracts: {
      active: contracted.reduce((n, c) => n + c.contracts, 0),
      revenueUsdPerMonth: round2(contracted.reduce((usd, c) => usd + c.monthlyUsd, 0)),
      contractedGpus: contracted.reduce((n, c) => n + c.gpus, 0),
    },
    plans: { ...plans },
    unknownModels: report.unknownModels.map(({ name, gpus }) => ({ name, gpus })),
  };
}

/** The blocks summed per model, in the order each model's first block comes; value to the cent. */
export function sellableByModel(blocks: CapacityFigures['sellable']['blocks']): SellableOfModel[] {
  const byModel = new Map<string, SellableOfModel>();
  for (const b of blocks) {
    const sum = byModel.get(b.model) ?? { model: b.model, blocks: 0, gpus: 0, watts: 0, valueUsdPerMonth: 0 };
    sum.blocks += 1;
    sum.gpus += b.gpus;
    sum.watts += b.watts;
    sum.valueUsdPerMonth += b.valueUsdPerMonth;
    byModel.set(b.model, sum);
  }
  return [...byModel.values()].map((m) => ({ ...m, watts: Math.round(m.watts), valueUsdPerMonth: round2(m.valueUsdPerMonth) }));
}

/**
 * Halls in topology order, each with its pods, and each pod's model, fabric kind and GPUs; `podOrder`
 * is the pod indexes in that order (the heatmap's).
 */
export function layoutOf(topology: Topology): { layout: Layout; podOrder: number[] } {
  const halls = topology.halls.map((hall) => ({ id: hall.id, pods: [] as string[], indexes: [] as number[] }));
  for (const pod of topology.pods) {
    const hall = halls[pod.hallIndex];
    if (!hall) continue; // every generated pod has a hall; one without would have no place on the page
    hall.pods.push(pod.id);
    hall.indexes.push(pod.index);
  }
  const podOrder = halls.flatMap((h) => h.indexes);
  const units = podOrder.map((index): LayoutUnit => {
    const pod = topology.pods[index];
    const gpus = pod?.nodes.reduce((n, node) => n + (topology.nodes[node]?.slots.length ?? 0), 0) ?? 0;
    return { model: gpuModelAt(pod?.modelIndex ?? 0).key, fabric: pod?.fabric ?? 'pod', gpus };
  });
  return { layout: { halls: halls.map(({ id, pods }) => ({ id, pods })), units }, podOrder };
}

/** Pod ids in any sellable block of the report (none while it is unavailable). */
export function sellablePodsOf(capacity: CapacityFigures | null): Set<string> {
  return new Set(capacity?.sellable.blocks.flatMap((b) => b.pods) ?? []);
}

/**
 * One heatmap cell per pod of `podOrder`: the mean utilization estimate of the pod's GPUs that
 * have one (null when none has: unknown, not idle), whether the pod is delivered to a customer
 * now (as GET /fleet/pods `sold`), whether it is in a sellable block, and its GPUs by state.
 */
export function podCellsOf(
  state: FleetState,
  summary: FleetSummary,
  podOrder: readonly number[],
  sellablePods: ReadonlySet<string>,
): PodCell[] {
  return podOrder.map((index) => {
    const figures = summary.pods[index];
    const id = state.topology.pods[index]?.id ?? '';
    return {
      utilization: figures && figures.utilizationCount > 0 ? figures.utilizationSum / figures.utilizationCount : null,
      sold: (state.podSold[index] ?? 0) === 1,
      sellable: sellablePods.has(id),
      counts: STATE_CODE.map((code) => figures?.counts[code] ?? 0),
    };
  });
}
