import type { FleetState } from '../../domain/fleet/fleet-state.js';
import type { AllocationReport } from '../../domain/scheduler/allocation.js';
import { attributeTenants } from '../../domain/scheduler/attribution.js';
import { createHeldSince, trackHeld } from '../../domain/scheduler/held-since.js';
import type { TenancyView } from '../../domain/scheduler/scheduler-report.js';
import type { Tenants, TenantsSource } from '../../domain/scheduler/tenants.js';

export interface TenancyDeps {
  fleet: { state: FleetState; allocation(): AllocationReport | null };
  tenants(): { source: TenantsSource; tenants: Tenants };
  podCustomer(podIndex: number, nowMs: number): string | null;
  gpuMonthUsd(modelKey: string): number | null;
  heldThresholdMs: number;
}

/**
 * The tenants' share of the site, once per collection round (after classify): it keeps the held
 * spells between rounds and the last attribution for the API, /metrics and alert rules. Null
 * while no scheduler covers any node (every GPU would be unattributed: nothing to tell).
 */
export function createTenancyService(deps: TenancyDeps) {
  const held = createHeldSince();
  let last: TenancyView | null = null;
  return {
    /** After each round: the spells and the attribution as of `nowMs`. */
    update(nowMs: number): void {
      const { state } = deps.fleet;
      trackHeld(held, state, nowMs);
      const allocation = deps.fleet.allocation();
      if (!allocation?.covered || allocation.nodesCovered === 0) {
        last = null;
        return;
      }
      const attribution = attributeTenants(state, {
        nowMs,
        held,
        heldThresholdMs: deps.heldThresholdMs,
        podCustomer: (pod) => deps.podCustomer(pod, nowMs),
        gpuMonthUsd: deps.gpuMonthUsd,
      });
      last = { source: deps.tenants().source, attribution };
    },
    latest(): TenancyView | null {
      return last;
    },
  };
}

export type TenancyService = ReturnType<typeof createTenancyService>;
