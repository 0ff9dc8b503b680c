/**
 * What the capacity and demand-plan services need from the collector, storage and the contract
 * book, declared here so they depend on no adapter and on no other service: the composition root
 * passes the collector, the SQLite stores and the contract service in, and they fit these shapes.
 */
import type { DemandPlan } from '../../domain/capacity/demand-plan.js';
import type { DemandPlanTerms } from '../../domain/capacity/demand-plan-terms.js';
import type { PriceBook } from '../../domain/contracts/price-book.js';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import type { HistoryMetric } from '../../domain/fleet/rollup.js';
import type { FleetSummary } from '../../domain/fleet/summary.js';
import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';
import type { Tenants } from '../../domain/scheduler/tenants.js';

/** The fleet state and its latest summary (pipeline/collector's fleet collector). */
export interface FleetPort {
  state: FleetState;
  latest(): FleetSummary | null;
}

/** Rollup history (pipeline/store/rollup-store.ts). */
export interface HistoryPort {
  query(scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]>;
}

/** The contract book's sold pods and price book (services/contracts' contract service). */
export interface SoldPodsPort {
  soldPodsAt(date: string): ReadonlySet<number>;
  getPriceBook(): PriceBook;
}

/**
 * The scheduler's latest snapshot (the poller's `latest()`) and the tenants that tell internal work
 * from a customer's: its queue and reservations floor the forecast, its maintenance reservations
 * keep their pods out of sale. Read per report; `staleAfterMs` is SLURM_STALE_AFTER_S.
 */
export interface SchedulerPort {
  latest(): SchedulerSnapshot | null;
  tenants(): Tenants;
  staleAfterMs: number;
}

export interface PlansPort {
  inForce(): ReadonlyArray<DemandPlan>;
  revision(): number;
}

/** One stored plan, as storage returns it (pipeline/store/demand-plan-store.ts fits this shape). */
export interface DemandPlanRecord {
  id: number;
  terms: DemandPlanTerms;
  createdAtMs: number;
}

/** What the service needs from storage, declared here so it depends on no adapter. */
export interface DemandPlanPort {
  list(): DemandPlanRecord[];
  insert(terms: DemandPlanTerms, nowMs: number): DemandPlanRecord;
  update(id: number, terms: DemandPlanTerms, nowMs: number): DemandPlanRecord | null;
  remove(id: number): boolean;
}
