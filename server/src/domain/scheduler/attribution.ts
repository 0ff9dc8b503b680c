import type { FleetState } from '../fleet/fleet-state.js';
import { GPU_MODELS, UNKNOWN_MODEL_INDEX } from '../fleet/gpu-models.js';
import { GpuState } from '../fleet/gpu-state.js';
import { heldForMs, type HeldSince } from './held-since.js';

/**
 * Who the site's GPUs belong to, by tenant class and state: the owner's teams (internal busy and
 * held), customers (sold), work no tenant could be named for (unattributed: no scheduler covers
 * the node, or no rule names the job's account), idle, orphaned, down and unknown. The classes
 * partition the site, as the six states do, and follow the states classify wrote.
 */
export interface TenantClassCounts {
  internal: { busy: number; held: number };
  customer: { sold: number };
  unattributed: { busy: number; held: number };
  idle: number;
  orphaned: number;
  down: number;
  unknown: number;
}

export interface TeamAttribution {
  team: string;
  busy: number;
  held: number;
  /** GPUs of the team's jobs on pods the contract book says are sold (counted as sold there). */
  onSoldGpus: number;
  /** Held GPUs whose spell under the same job is at least the threshold. */
  heldOverThreshold: number;
  /** GPU-hours those GPUs have been held so far (their spells summed). */
  heldOverThresholdGpuHours: number;
  /** What the held GPUs would earn sold, at the price book's list price of their model; null when none has a price. */
  heldValueUsdPerMonth: number | null;
  /** The same for the GPUs held over the threshold. */
  heldOverThresholdValueUsdPerMonth: number | null;
}

export interface CustomerAttribution {
  customer: string;
  /** Sold GPUs: the customer's jobs' and, where no job is named, its contract's pods'. */
  gpus: number;
  /** GPUs in the customer's jobs on pods the contract book says are unsold (unbilled use). */
  onUnsoldGpus: number;
}

export interface TenantAttribution {
  classes: TenantClassCounts;
  /** The same counts split by how each GPU's state was told (scheduler allocation or telemetry alone). */
  toldBy: { scheduler: TenantClassCounts; telemetry: TenantClassCounts };
  /** Every team with GPUs, by held GPUs, most first (then by name). */
  teams: TeamAttribution[];
  /** Every customer with GPUs, by GPUs, most first (then by name). */
  customers: CustomerAttribution[];
  crossChecks: {
    /** GPUs in internal jobs on pods the contract book says are sold (a breach of the sale). */
    internalOnSoldGpus: number;
    internalOnSoldPods: number;
    internalOnSoldTeams: string[];
    /** GPUs in customers' jobs on pods the book says are unsold. */
    customerOnUnsoldGpus: number;
    heldThresholdSeconds: number;
  };
}

export interface AttributionInput {
  nowMs: number;
  held: HeldSince;
  heldThresholdMs: number;
  /** The customer the contract book sold a pod to (in term now); null when unsold. */
  podCustomer: (podIndex: number) => string | null;
  /** Value of one GPU-month of a GPU model (key) at its list price; null when the book has no price. */
  gpuMonthUsd: (modelKey: string) => number | null;
}

export const emptyClassCounts = (): TenantClassCounts => ({
  internal: { busy: 0, held: 0 },
  customer: { sold: 0 },
  unattributed: { busy: 0, held: 0 },
  idle: 0,
  orphaned: 0,
  down: 0,
  unknown: 0,
});

const HOUR_MS = 3_600_000;
const UNNAMED_CUSTOMER = 'unknown';

interface TeamSums {
  onSold: number;
  busy: number;
  held: number;
  over: number;
  overMs: number;
  heldUsd: number;
  heldPriced: number;
  overUsd: number;
  overPriced: number;
}

/**
 * Attributes every GPU slot of the fleet (its state as classify left it) to a tenant class, team
 * or customer, with the cross-checks against the contract book (state.podSold) and the teams'
 * held spells. A GPU in a job counts under the job's tenant (state.sched.jobTenant) only where a
 * scheduler covers its node; sold GPUs with no customer job are the contract's customer's.
 * Pure; O(slots).
 */
export function attributeTenants(state: FleetState, input: AttributionInput): TenantAttribution {
  const { topology, sched } = state;
  const classes = emptyClassCounts();
  const toldBy = { scheduler: emptyClassCounts(), telemetry: emptyClassCounts() };
  const teams = new Map<string, TeamSums>();
  const customers = new Map<string, CustomerAttribution>();
  const soldPodsBreached = new Set<number>();
  const breachTeams = new Set<string>();
  let internalOnSold = 0;
  let customerOnUnsold = 0;
  const teamRow = (name: string): TeamSums => {
    let row = teams.get(name);
    if (!row)
      teams.set(name, (row = { onSold: 0, busy: 0, held: 0, over: 0, overMs: 0, heldUsd: 0, heldPriced: 0, overUsd: 0, overPriced: 0 }));
    return row;
  };
  const customerRow = (name: string): CustomerAttribution => {
    let row = customers.get(name);
    if (!row) customers.set(name, (row = { customer: name, gpus: 0, onUnsoldGpus: 0 }));
    return row;
  };
  const slots = topology.slotNode.length;
  for (let slot = 0; slot < slots; slot++) {
    const nodeIndex = topology.slotNode[slot] ?? 0;
    const podIndex = topology.nodes[nodeIndex]?.podIndex ?? -1;
    const podSold = podIndex >= 0 && (state.podSold[podIndex] ?? 0) === 1;
    const j = (sched.cover[nodeIndex] ?? 0) !== 0 ? (sched.job[slot] ?? -1) : -1;
    const tenant = j >= 0 ? (sched.jobTenant[j] ?? null) : null;
    const verdict = state.state[slot];
    const told = (sched.source[slot] ?? 0) === 1 ? toldBy.scheduler : toldBy.telemetry;
    const add = (count: (c: TenantClassCounts) => void): void => {
      count(classes);
      count(told);
    };
    if (tenant?.kind === 'internal' && podSold) {
      internalOnSold++;
      soldPodsBreached.add(podIndex);
      breachTeams.add(tenant.team);
      teamRow(tenant.team).onSold++;
    }
    if (tenant?.kind === 'customer' && !podSold) {
      customerOnUnsold++;
      customerRow(tenant.customer).onUnsoldGpus++;
    }
    if (verdict === GpuState.down) add((c) => c.down++);
    else if (verdict === GpuState.unknown || verdict === undefined) add((c) => c.unknown++);
    else if (verdict === GpuState.idle) add((c) => c.idle++);
    else if (verdict === GpuState.sold) {
      add((c) => c.customer.sold++);
      const name = tenant?.kind === 'customer' ? tenant.customer : podIndex >= 0 ? input.podCustomer(podIndex) : null;
      customerRow(name ?? UNNAMED_CUSTOMER).gpus++;
    } else {
      const key = verdict === GpuState.busy ? 'busy' : 'held';
      if ((sched.orphaned[slot] ?? 0) === 1) add((c) => c.orphaned++);
      else if (tenant?.kind !== 'internal') add((c) => c.unattributed[key]++);
      else {
        add((c) => c.internal[key]++);
        const team = teamRow(tenant.team);
        team[key]++;
        if (key === 'held') {
          // An unknown model has no price: its held hours are not valued (never an H100's).
          const model = GPU_MODELS[state.modelIndex[slot] ?? UNKNOWN_MODEL_INDEX];
          const usd = model ? input.gpuMonthUsd(model.key) : null;
          if (usd !== null) {
            team.heldUsd += usd;
            team.heldPriced++;
          }
          const forMs = heldForMs(input.held, slot, input.nowMs);
          if (forMs >= input.heldThresholdMs && forMs > 0) {
            team.over++;
            team.overMs += forMs;
            if (usd !== null) {
              team.overUsd += usd;
              team.overPriced++;
            }
          }
        }
      }
    }
  }
  const cents = (usd: number): number => Math.round(usd * 100) / 100;
  return {
    classes,
    toldBy,
    teams: [...teams]
      .map(([team, t]) => ({
        team,
        busy: t.busy,
        held: t.held,
        onSoldGpus: t.onSold,
        heldOverThreshold: t.over,
        heldOverThresholdGpuHours: t.overMs / HOUR_MS,
        heldValueUsdPerMonth: t.heldPriced > 0 ? cents(t.heldUsd) : t.held > 0 ? null : 0,
        heldOverThresholdValueUsdPerMonth: t.overPriced > 0 ? cents(t.overUsd) : t.over > 0 ? null : 0,
      }))
      .sort((a, b) => b.held - a.held || a.team.localeCompare(b.team)),
    customers: [...customers.values()].sort((a, b) => b.gpus - a.gpus || a.customer.localeCompare(b.customer)),
    crossChecks: {
      internalOnSoldGpus: internalOnSold,
      internalOnSoldPods: soldPodsBreached.size,
      internalOnSoldTeams: [...breachTeams].sort(),
      customerOnUnsoldGpus: customerOnUnsold,
      heldThresholdSeconds: input.heldThresholdMs / 1000,
    },
  };
}
