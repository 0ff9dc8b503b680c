import { z } from 'zod';
import { epochDay, isIsoDate, type IsoDate } from '../contracts/calendar.js';
import { invalidBody, invalidField } from '../invalid-input.js';
import type { DemandPlan } from './demand-plan.js';

const DAY_S = 86_400;

/**
 * The API body of a demand plan (POST/PUT `/api/v1/demand-plans`): shape only. The rules that
 * need the site or relate fields (gpus ≤ the site's GPUs, end ≥ start) are in
 * {@link parseDemandPlanTerms}.
 */
export const demandPlanBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('What the demand is for (a training run, a launch)'),
  gpus: z
    .number()
    .int()
    .min(1)
    .describe("GPUs the owner's own work will need in all (busy + held) while the plan is in force; at most the site's GPUs"),
  start: z.iso.date().describe('First day in force, YYYY-MM-DD (from 00:00 UTC)'),
  end: z.iso.date().nullable().default(null).describe('Last day in force (inclusive), YYYY-MM-DD; null or omitted: until further notice'),
  note: z.string().max(2_000).nullable().default(null),
});

/** A plan as the operator states it, in calendar days (no id: storage owns ids). */
export type DemandPlanTerms = z.output<typeof demandPlanBodySchema>;

/**
 * Parses an API body into valid plan terms.
 * @param siteGpus the site's GPUs: a plan may not need more (it states the owner's whole demand).
 * @throws DomainError('invalid', message naming the field first, { path }) at the first bad
 *   field: shape (zod), a day not on the calendar, gpus above the site, end before start.
 */
export function parseDemandPlanTerms(body: unknown, siteGpus: number): DemandPlanTerms {
  const parsed = demandPlanBodySchema.safeParse(body);
  if (!parsed.success) invalidBody(parsed.error, 'invalid demand plan');
  const terms = parsed.data;
  // zod's date pattern is the shape; the calendar check is ours (2027-02-29 does not exist).
  if (!isIsoDate(terms.start)) invalidField('start', `is not a calendar date: ${terms.start}`);
  if (terms.end !== null && !isIsoDate(terms.end)) invalidField('end', `is not a calendar date: ${terms.end}`);
  if (terms.gpus > siteGpus) invalidField('gpus', `${terms.gpus} GPUs is more than the site's total of ${siteGpus} GPUs`);
  if (terms.end !== null && epochDay(terms.end) < epochDay(terms.start)) invalidField('end', `${terms.end} is before start ${terms.start}`);
  return terms;
}

/** 00:00:00 UTC of a day, unix seconds. */
const dayStartS = (date: IsoDate): number => epochDay(date) * DAY_S;

/**
 * The plan as the capacity engine applies it: from 00:00:00 UTC of `start` to 00:00:00 UTC of
 * the day after `end` (`end` is the last day in force, so the engine's exclusive end is the next
 * midnight); a null `end` stays null (until further notice).
 */
export function demandPlanOf(terms: Pick<DemandPlanTerms, 'gpus' | 'start' | 'end'>): DemandPlan {
  return {
    gpus: terms.gpus,
    startS: dayStartS(terms.start),
    endS: terms.end === null ? null : dayStartS(terms.end) + DAY_S,
  };
}
