import { Gauge, type Registry } from 'prom-client';
import type { CapacityView } from '../../services/capacity/capacity-service.js';
import type { AllocatedContract } from '../../domain/contracts/allocation.js';
import type { ContractValuation } from '../../domain/contracts/valuation.js';
import { CONTRACT_STATUSES } from '../../domain/contracts/contract.js';
import type { ContractedCustomer } from '../../services/contracts/contract-service.js';

const NO_HALL = 'none';

/** Sellable capacity, reserve, forecast and oversold risk, from the capacity report; its value only with `money` (METRICS_MONEY). */
export function capacityGauges(registry: Registry, money: boolean) {
  const registers = [registry];
  const g = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  const capacityGpus = g('headroom_capacity_gpus', 'Site GPU capacity by class: total, up, internal (busy + held), reserve, sellable.', [
    'class',
  ]);
  const sellableGpus = g('headroom_sellable_gpus', 'GPUs in whole sellable blocks, by hall.', ['hall']);
  const sellableWatts = g('headroom_sellable_watts', 'Facility watts the sellable blocks draw at full load, by hall.', ['hall']);
  const sellableBlocks = g('headroom_sellable_blocks', 'Sellable blocks, by hall.', ['hall']);
  const sellableValue = money
    ? g('headroom_sellable_value_usd_per_month', 'Price-book value of the sellable blocks, USD per month, by hall.', ['hall'])
    : null;
  const stranded = g('headroom_power_stranded_watts', 'Feed no GPU could use even at full load, watts.');
  const strandedGpus = g('headroom_stranded_gpus', 'GPUs the feed could not carry at full load.');
  const peak = g('headroom_forecast_peak_internal_gpus', 'Peak forecast internal demand over the horizon, GPUs, by band (median, high).', [
    'band',
  ]);
  const horizon = g('headroom_capacity_horizon_seconds', 'How far ahead the forecast and the reserve look, seconds.');
  const oversold = g('headroom_oversold', '1 when sold + median forecast internal demand exceeds up capacity within the horizon.');
  const shortfall = g(
    'headroom_oversold_shortfall_gpus',
    'GPUs by which sold + median forecast internal demand exceeds up capacity at its worst.',
  );
  const lead = g(
    'headroom_oversold_lead_seconds',
    'Seconds until the first forecast shortfall (band="median") or first risk (band="high"); +Inf when none within the horizon.',
    ['band'],
  );
  const planned = g(
    'headroom_planned_internal_gpus',
    'Planned internal demand (demand plans), GPUs: the largest plan in force now (when="now") or at some moment of the horizon (when="horizon"); 0 without one.',
    ['when'],
  );
  // Per model pool: bounded by the GPU model table (≈ 15 keys × 4 classes at most).
  const modelGpus = g('headroom_model_capacity_gpus', 'GPUs of one model pool by class: up, internal (busy + held), reserve, sellable.', [
    'model',
    'class',
  ]);
  const modelValue = money
    ? g('headroom_model_sellable_value_usd_per_month', "Price-book value of one model pool's sellable blocks, USD per month.", ['model'])
    : null;
  const modelShortfall = g(
    'headroom_model_oversold_shortfall_gpus',
    "GPUs by which one model pool's sold + median forecast internal demand exceeds its up GPUs at its worst (0: not oversold).",
    ['model'],
  );
  const all = [
    capacityGpus,
    modelGpus,
    ...(modelValue ? [modelValue] : []),
    modelShortfall,
    sellableGpus,
    sellableWatts,
    sellableBlocks,
    ...(sellableValue ? [sellableValue] : []),
    stranded,
    strandedGpus,
    peak,
    horizon,
    oversold,
    shortfall,
    lead,
    planned,
  ];

  return {
    /** No report (history still loading): the families go empty rather than stale. */
    clear(): void {
      for (const gauge of all) gauge.reset();
    },
    update(report: CapacityView): void {
      // Lead times count from the report's moment, as the API's timestamps do.
      const nowMs = Date.parse(report.updatedAt);
      this.clear();
      const { gpus } = report;
      for (const [cls, value] of Object.entries({
        total: gpus.total,
        up: gpus.up,
        internal: gpus.internal,
        reserve: gpus.reserve,
        sellable: gpus.sellable,
      })) {
        capacityGpus.set({ class: cls }, value);
      }
      for (const m of report.models) {
        for (const cls of ['up', 'internal', 'reserve', 'sellable'] as const) modelGpus.set({ model: m.model, class: cls }, m.gpus[cls]);
        modelValue?.set({ model: m.model }, m.sellable.valueUsdPerMonth);
        modelShortfall.set({ model: m.model }, m.risk.shortfallGpus);
      }
      const byHall = new Map<string, { gpus: number; watts: number; blocks: number; usd: number }>();
      for (const block of report.sellable.blocks) {
        const hall = block.hall ?? NO_HALL;
        const sum = byHall.get(hall) ?? { gpus: 0, watts: 0, blocks: 0, usd: 0 };
        sum.gpus += block.gpus;
        sum.watts += block.watts;
        sum.blocks += 1;
        sum.usd += block.valueUsdPerMonth;
        byHall.set(hall, sum);
      }
      // A site with nothing to sell still answers 0, so dashboards and rules see the site.
      if (byHall.size === 0) byHall.set(NO_HALL, { gpus: 0, watts: 0, blocks: 0, usd: 0 });
      for (const [hall, sum] of byHall) {
        sellableGpus.set({ hall }, sum.gpus);
        sellableWatts.set({ hall }, Math.round(sum.watts));
        sellableBlocks.set({ hall }, sum.blocks);
        sellableValue?.set({ hall }, Math.round(sum.usd * 100) / 100);
      }
      stranded.set(report.power.strandedWatts);
      strandedGpus.set(report.power.strandedGpus);
      let peakMedian = 0;
      let peakHigh = 0;
      for (const [, median, high] of report.forecast.points) {
        peakMedian = Math.max(peakMedian, median);
        peakHigh = Math.max(peakHigh, high);
      }
      peak.set({ band: 'median' }, Math.round(peakMedian));
      peak.set({ band: 'high' }, Math.round(peakHigh));
      horizon.set(report.forecast.horizonDays * 86_400);
      planned.set({ when: 'now' }, report.plans.inForceGpus);
      planned.set({ when: 'horizon' }, report.plans.horizonPeakGpus);
      oversold.set(report.risk.oversold ? 1 : 0);
      shortfall.set(report.risk.shortfallGpus);
      lead.set({ band: 'median' }, secondsUntil(report.risk.firstShortfallAt, nowMs));
      lead.set({ band: 'high' }, secondsUntil(report.risk.firstRiskAt, nowMs));
    },
  };
}

const secondsUntil = (iso: string | null, nowMs: number): number =>
  iso === null ? Infinity : Math.max(0, (Date.parse(iso) - nowMs) / 1000);

export interface ContractsView {
  list(): AllocatedContract[];
  valuation(id: number): ContractValuation;
  contractedAt(date: string): ContractedCustomer[];
}

/**
 * Contracted capacity by customer, as of the collection day, and contract counts; revenue and
 * value only with `money` (METRICS_MONEY): /metrics is often open to the network, money need not be.
 */
export function contractGauges(registry: Registry, money: boolean) {
  const registers = [registry];
  const g = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers });
  const revenue = money
    ? g('headroom_contract_revenue_usd_per_month', 'Monthly price in force (ramp applied) of the contracts in term, by customer, USD.', [
        'customer',
      ])
    : null;
  const contractedGpus = g('headroom_contracted_gpus', 'GPUs of contracts in term, by customer.', ['customer']);
  const contractedWatts = g('headroom_contracted_watts', 'Facility watts of contracts in term, by customer.', ['customer']);
  const value = money
    ? g(
        'headroom_contract_value_usd',
        'Value of active contracts by customer and measure: total (TCV), to_date, guaranteed (if notice were given today), USD.',
        ['customer', 'measure'],
      )
    : null;
  const count = g('headroom_contracts', 'Contracts by status (active, ended, terminated).', ['status']);

  return {
    update(contracts: ContractsView, today: string): void {
      for (const gauge of [revenue, contractedGpus, contractedWatts, value, count]) gauge?.reset();
      const statuses = new Map<string, number>(CONTRACT_STATUSES.map((s) => [s, 0]));
      const values = new Map<string, { total: number; to_date: number; guaranteed: number }>();
      for (const contract of contracts.list()) {
        statuses.set(contract.status, (statuses.get(contract.status) ?? 0) + 1);
        // Valuing costs a walk over the contract's months: skipped when no value is shown.
        if (contract.status !== 'active' || value === null) continue;
        const v = contracts.valuation(Number(contract.id));
        const sum = values.get(contract.customer) ?? { total: 0, to_date: 0, guaranteed: 0 };
        sum.total += v.tcvUsd;
        sum.to_date += v.revenueToDateUsd;
        sum.guaranteed += v.guaranteedUsd;
        values.set(contract.customer, sum);
      }
      for (const [customer, sum] of values) {
        for (const [measure, usd] of Object.entries(sum)) value?.set({ customer, measure }, Math.round(usd * 100) / 100);
      }
      for (const row of contracts.contractedAt(today)) {
        revenue?.set({ customer: row.customer }, row.monthlyUsd);
        contractedGpus.set({ customer: row.customer }, row.gpus);
        contractedWatts.set({ customer: row.customer }, Math.round(row.facilityWatts));
      }
      for (const [status, n] of statuses) count.set({ status }, n);
    },
  };
}
