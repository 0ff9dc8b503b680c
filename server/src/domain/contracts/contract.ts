import { z } from 'zod';
import { invalidBody, invalidField } from '../invalid-input.js';
import { calendarMonthsSpanned, epochDay, isIsoDate, type IsoDate } from './calendar.js';
import { usdToCents } from './money.js';

/**
 * A resale contract's terms and the rules every contract must satisfy on its own.
 * Whether contracts *together* exceed free capacity is not checked here: that is recorded
 * and raised as oversold risk by the capacity engine, never refused.
 */

/** What is sold: facility watts (as the reference deal counts them), GPUs, or whole pods. */
export type ContractCapacity = { watts: number } | { gpus: number } | { pods: number };

/** One ramp step: `months` consecutive calendar months billed at `factor` × the monthly price. */
export interface RampStep {
  months: number;
  factor: number;
}

export const CONTRACT_STATUSES = ['active', 'ended', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export interface Contract {
  id?: string;
  customer: string;
  capacity: ContractCapacity;
  /** GPU model key (`GB200`): delivered on pods of that model only; absent: on any pods. */
  model?: string;
  /** First day billed, ISO `YYYY-MM-DD`. */
  start: IsoDate;
  /** Last day billed (inclusive), ISO `YYYY-MM-DD`. */
  end: IsoDate;
  /** Full-rate price of one whole calendar month, USD, whole cents. */
  monthlyPriceUsd: number;
  /** Applied consecutively from the calendar month containing `start`; see docs/capacity-and-billing.md "Billing convention". */
  ramp: RampStep[];
  /** Days of notice either side; what is guaranteed if notice were given on a date. */
  noticeDays: number;
  status: ContractStatus;
}

/** The whole site, to refuse a single contract larger than it. */
export interface SiteLimits {
  gpus: number;
  /** Contracted utility feed, facility watts. */
  facilityWatts: number;
  pods: number;
  /** Per GPU model key of the site, its GPUs and pods: a contract naming a model may not exceed them. */
  models?: Readonly<Record<string, { gpus: number; pods: number }>>;
}

/**
 * Caps that keep every valuation figure below 2⁵³ cents ($90 trillion), so each one is an exact
 * JSON number: $10B a month (8× the reference deal) × factor ≤ 10 × 600 months = $6 × 10¹³.
 */
export const MAX_MONTHLY_PRICE_USD = 10_000_000_000;
export const MAX_TERM_MONTHS = 600;
export const MAX_RAMP_FACTOR = 10;
/** Ten years: no notice period means more; a larger number is a typo. */
export const MAX_NOTICE_DAYS = 3_653;

const isoDateSchema = z.iso.date().describe('ISO calendar date YYYY-MM-DD (UTC)');

export const contractCapacitySchema = z
  .union([
    z.strictObject({ watts: z.number().positive().describe('Facility watts (not IT watts)') }),
    z.strictObject({ gpus: z.number().int().positive() }),
    z.strictObject({ pods: z.number().int().positive() }),
  ])
  .describe('Exactly one of watts (facility), gpus or pods');

export const rampStepSchema = z.strictObject({
  months: z.number().int().min(0).describe('Consecutive calendar months at this factor'),
  factor: z.number().gt(0).max(MAX_RAMP_FACTOR).describe('Multiplier of the monthly price, in (0, 10]'),
});

/**
 * The API body of a contract (POST/PUT `/api/v1/contracts`). Structural checks only; domain
 * rules that relate fields (end ≥ start, ramp ≤ term, capacity ≤ site) are in
 * {@link validateContract}. `id` is accepted so a client can PUT back what it got; routes take
 * the id from the URL.
 */
export const contractBodySchema = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  customer: z.string().trim().min(1).max(200),
  capacity: contractCapacitySchema,
  model: z.string().min(1).max(64).optional().describe("GPU model key (`GB200`): delivered on that model's pods only; absent: any pods"),
  start: isoDateSchema.describe('First billed day, YYYY-MM-DD'),
  end: isoDateSchema.describe('Last billed day (inclusive), YYYY-MM-DD'),
  monthlyPriceUsd: z.number().positive().max(MAX_MONTHLY_PRICE_USD).describe('Full-rate monthly price, USD, whole cents'),
  ramp: z.array(rampStepSchema).max(MAX_TERM_MONTHS).default([]).describe('Discounted (or premium) first months'),
  noticeDays: z.number().int().min(0).max(MAX_NOTICE_DAYS).describe("Days' notice either side (at most ten years)"),
  status: z.enum(CONTRACT_STATUSES).default('active'),
});

export type ContractBody = z.input<typeof contractBodySchema>;

/**
 * Checks the rules a contract must satisfy regardless of site: everything
 * {@link validateContract} checks except capacity against the site. Valuation calls it.
 * @throws DomainError('invalid', message naming the field, { path }) at the first failing field,
 *   `path` being dotted like zod's (`ramp.1.factor`).
 */
export function validateContractTerms(c: Contract): void {
  if (typeof c.customer !== 'string' || c.customer.trim() === '') invalidField('customer', 'must be a non-empty string');
  if (!isIsoDate(c.start)) invalidField('start', `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(c.start)}`);
  if (!isIsoDate(c.end)) invalidField('end', `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(c.end)}`);
  if (epochDay(c.end) < epochDay(c.start)) invalidField('end', `${c.end} is before start ${c.start}`);
  const termMonths = calendarMonthsSpanned(c.start, c.end);
  if (termMonths > MAX_TERM_MONTHS) invalidField('end', `term spans ${termMonths} calendar months; at most ${MAX_TERM_MONTHS}`);

  const price = c.monthlyPriceUsd;
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
    invalidField('monthlyPriceUsd', `must be a positive amount, got ${price}`);
  }
  if (price > MAX_MONTHLY_PRICE_USD) invalidField('monthlyPriceUsd', `must be at most ${MAX_MONTHLY_PRICE_USD}`);
  if (usdToCents(price) === null) invalidField('monthlyPriceUsd', `must be a whole number of cents, got ${price}`);

  if (!Array.isArray(c.ramp)) invalidField('ramp', 'must be an array');
  let rampMonths = 0;
  c.ramp.forEach((step, i) => {
    if (!Number.isInteger(step.months) || step.months < 0) {
      invalidField(`ramp.${i}.months`, `must be a non-negative whole number of months, got ${step.months}`);
    }
    if (!Number.isFinite(step.factor) || step.factor <= 0 || step.factor > MAX_RAMP_FACTOR) {
      invalidField(`ramp.${i}.factor`, `must be in (0, ${MAX_RAMP_FACTOR}], got ${step.factor}`);
    }
    rampMonths += step.months;
  });
  if (rampMonths > termMonths) {
    invalidField('ramp', `covers ${rampMonths} months but the term ${c.start}..${c.end} spans ${termMonths} calendar months`);
  }

  if (!Number.isSafeInteger(c.noticeDays) || c.noticeDays < 0) {
    invalidField('noticeDays', `must be a non-negative whole number of days, got ${c.noticeDays}`);
  }
  // 1e15 days was accepted (issue 16).
  if (c.noticeDays > MAX_NOTICE_DAYS)
    invalidField('noticeDays', `must be at most ${MAX_NOTICE_DAYS} days (ten years), got ${c.noticeDays}`);
  const termDays = epochDay(c.end) - epochDay(c.start) + 1;
  if (c.noticeDays > termDays) {
    invalidField('noticeDays', `${c.noticeDays} days' notice is longer than the term ${c.start}..${c.end} (${termDays} days)`);
  }
  if (!CONTRACT_STATUSES.includes(c.status)) invalidField('status', `must be one of ${CONTRACT_STATUSES.join(', ')}`);
  validateCapacityShape(c.capacity);
}

function validateCapacityShape(capacity: ContractCapacity): void {
  const keys = Object.keys(capacity);
  if (keys.length !== 1) invalidField('capacity', 'must have exactly one of watts, gpus or pods');
  if ('watts' in capacity) {
    if (!Number.isFinite(capacity.watts) || capacity.watts <= 0) invalidField('capacity.watts', `must be positive, got ${capacity.watts}`);
  } else if ('gpus' in capacity) {
    if (!Number.isSafeInteger(capacity.gpus) || capacity.gpus <= 0)
      invalidField('capacity.gpus', `must be a positive whole number, got ${capacity.gpus}`);
  } else if ('pods' in capacity) {
    if (!Number.isSafeInteger(capacity.pods) || capacity.pods <= 0)
      invalidField('capacity.pods', `must be a positive whole number, got ${capacity.pods}`);
  } else {
    invalidField('capacity', 'must have exactly one of watts, gpus or pods');
  }
}

/**
 * Checks one contract on its own and against the whole site.
 * @param c the contract (typed, but its strings and numbers are not trusted).
 * @param site the whole site: a contract may not exceed its feed (facility watts), its GPUs or its
 *   pods. A zero-capacity site therefore accepts no contract of that kind.
 * @throws DomainError('invalid', message naming the field, { path }) for: malformed or
 *   non-existent dates (`2026-02-30`), end before start, price ≤ 0 or not whole cents, ramp months
 *   not a non-negative integer, factor outside (0, 10], ramp longer than the term in calendar
 *   months, negative notice or more than ten years of it, capacity larger than the site, and
 *   watts below one GPU's share of the feed (which would take no pod).
 */
export function validateContract(c: Contract, site: SiteLimits): void {
  validateContractTerms(c);
  const capacity = c.capacity;
  if ('watts' in capacity && capacity.watts > site.facilityWatts) {
    invalidField('capacity.watts', `${capacity.watts} W is more than the site's whole feed of ${site.facilityWatts} W`);
  }
  // Fewer watts than one GPU's share of the feed would bill for no pod at all (issue 16).
  const oneGpuWatts = site.gpus > 0 ? site.facilityWatts / site.gpus : 0;
  if ('watts' in capacity && capacity.watts < oneGpuWatts) {
    invalidField('capacity.watts', `${capacity.watts} W is less than one GPU's share of the feed (${oneGpuWatts} W)`);
  }
  if ('gpus' in capacity && capacity.gpus > site.gpus) {
    invalidField('capacity.gpus', `${capacity.gpus} GPUs is more than the site's ${site.gpus}`);
  }
  if ('pods' in capacity && capacity.pods > site.pods) {
    invalidField('capacity.pods', `${capacity.pods} pods is more than the site's ${site.pods}`);
  }
  if (c.model !== undefined && site.models) {
    const pool = Object.hasOwn(site.models, c.model) ? site.models[c.model] : undefined;
    if (!pool) invalidField('model', `the site has no ${c.model} GPUs; its models: ${Object.keys(site.models).join(', ')}`);
    if ('gpus' in capacity && capacity.gpus > pool.gpus) {
      invalidField('capacity.gpus', `${capacity.gpus} GPUs is more than the site's ${pool.gpus} ${c.model} GPUs`);
    }
    if ('pods' in capacity && capacity.pods > pool.pods) {
      invalidField('capacity.pods', `${capacity.pods} pods is more than the site's ${pool.pods} ${c.model} pods`);
    }
  }
}

/**
 * Parses an API body into a valid {@link Contract}: zod for shape, then {@link validateContract}.
 * @throws DomainError('invalid', …, { path }) naming the first offending field either way.
 */
export function parseContract(body: unknown, site: SiteLimits): Contract {
  const parsed = contractBodySchema.safeParse(body);
  if (!parsed.success) invalidBody(parsed.error, 'invalid contract');
  const { id, ...terms } = parsed.data;
  const contract: Contract = id === undefined ? terms : { id, ...terms };
  validateContract(contract, site);
  return contract;
}
