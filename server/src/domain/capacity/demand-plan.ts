import { DomainError } from '../errors.js';
import type { DemandForecast, ForecastPoint } from './forecast-types.js';

/**
 * Internal demand the owner has planned: work it knows is coming back (a training run booked,
 * a launch), which no forecast of the past can see until it shows in telemetry — by then
 * capacity sold meanwhile is already short (measured in the rebound backtest: the size of a
 * comeback is invisible before it happens, and once pods are sold, after it too, because the
 * owner's work cannot run on them).
 *
 * A plan states the whole of internal demand (busy + held GPUs) the owner expects from its
 * start to its end; it is a floor under the forecast, not an addition to it. Overlapping plans
 * do not add up: the largest in force counts, as each one states the whole.
 */
export interface DemandPlan {
  /** GPUs the owner's own work will need in all, while the plan is in force. */
  gpus: number;
  /** Unix seconds, inclusive. */
  startS: number;
  /** Unix seconds, exclusive; null: until further notice. */
  endS: number | null;
}

const inForceDuring = (plan: DemandPlan, fromS: number, toS: number): boolean =>
  plan.startS < toS && (plan.endS === null || plan.endS > fromS);

/**
 * The GPUs planned at some instant of [fromS, toS): the largest plan in force then, 0 if none.
 * A forecast point holds its step's peak, so a plan starting mid-step counts for the whole step.
 */
export function plannedDemandDuring(plans: ReadonlyArray<DemandPlan>, fromS: number, toS: number): number {
  let gpus = 0;
  for (const plan of plans) if (inForceDuring(plan, fromS, toS)) gpus = Math.max(gpus, plan.gpus);
  return gpus;
}

/** Throws DomainError('invalid') naming the field of a plan that cannot be applied. */
export function checkDemandPlan(plan: DemandPlan): void {
  if (!(plan.gpus >= 0) || !Number.isFinite(plan.gpus)) {
    throw new DomainError('invalid', `gpus must be a finite number ≥ 0, got ${plan.gpus}`, { field: 'gpus' });
  }
  if (!Number.isFinite(plan.startS))
    throw new DomainError('invalid', `start must be a finite time, got ${plan.startS}`, { field: 'start' });
  if (plan.endS !== null && !(plan.endS > plan.startS)) {
    throw new DomainError('invalid', 'end must be after start', { field: 'end' });
  }
}

/**
 * The forecast with the plans as a floor: each point's median and high quantile are at least
 * the GPUs planned during its step. Points no plan touches are returned as they were; the
 * forecast's capacity clamp does not apply to plans (a plan above the site is a shortfall the
 * owner should see). The reserve, the sellable capacity and the oversold risk computed from the
 * result all account for the plans.
 */
export function withDemandPlans(forecast: DemandForecast, plans: ReadonlyArray<DemandPlan>): DemandForecast {
  if (plans.length === 0) return forecast;
  for (const plan of plans) checkDemandPlan(plan);
  let raised = 0;
  const points = forecast.points.map((point): ForecastPoint => {
    const [t, median, high] = point;
    const floor = plannedDemandDuring(plans, t, t + forecast.stepSeconds);
    if (floor <= median && floor <= high) return point;
    raised++;
    return [t, Math.max(median, floor), Math.max(high, floor)];
  });
  if (raised === 0) return forecast;
  const hours = (raised * forecast.stepSeconds) / 3_600;
  return {
    ...forecast,
    points,
    notes: [...forecast.notes, `planned internal demand raises the forecast over ${hours.toFixed(0)} h of the horizon`],
  };
}
