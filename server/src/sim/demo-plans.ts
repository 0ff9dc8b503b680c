import type { IsoDate } from '../domain/contracts/calendar.js';
import type { ScenarioName, ScenarioParams } from './scenario.js';
import { isoDateOfMs } from '../domain/contracts/calendar.js';

/** A plan of the owner's internal demand as the API takes it: whole days, end inclusive or open. */
export interface DemoPlan {
  name: string;
  gpus: number;
  start: IsoDate;
  end: IsoDate | null;
  note: string;
}

/**
 * The plan a simulated owner enters for its own comeback, as a lab's planning team would: in
 * `rebound`, the work that returns at `reboundAtMs` needs the rebound level at the daily peak
 * (reboundLevel × (1 + dailyAmplitude) of the site: 211,834 of Colossus's 226,560 GPUs, 183,828
 * of the all-H100 site's 196,608), from the day it begins, until further notice. The slow noise (±3 % of the site) is what no plan states.
 * Other scenarios have no comeback to plan.
 */
export function demoPlans(scenario: ScenarioName, params: Readonly<ScenarioParams>, totalGpus: number): DemoPlan[] {
  if (scenario !== 'rebound') return [];
  return [
    {
      name: 'Own training returns',
      gpus: Math.round(params.reboundLevel * (1 + params.dailyAmplitude) * totalGpus),
      start: isoDateOfMs(params.reboundAtMs),
      end: null,
      note: `simulated: internal demand comes back to ${Math.round(params.reboundLevel * 100)} % of the site (daily peaks ${Math.round(params.reboundLevel * (1 + params.dailyAmplitude) * 100)} %)`,
    },
  ];
}
