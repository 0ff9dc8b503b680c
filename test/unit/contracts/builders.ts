import { expect } from 'vitest';
import type { Contract, SiteLimits } from '../../../server/src/domain/contracts/contract.js';
import { DomainError } from '../../../server/src/domain/errors.js';

/**
 * A plain 3-month contract at $3,000 a month, no ramp, 30 days' notice; override any term. A
 * term shorter than 30 days gets notice as long as the term (notice may not outlast it).
 */
export function contract(over: Partial<Contract> = {}): Contract {
  const start = over.start ?? '2026-06-01';
  const end = over.end ?? '2026-08-31';
  const termDays = (Date.parse(end) - Date.parse(start)) / 86_400_000 + 1;
  return {
    customer: 'Acme Labs',
    capacity: { gpus: 256 },
    start,
    end,
    monthlyPriceUsd: 3_000,
    ramp: [],
    noticeDays: Math.max(0, Math.min(30, termDays)),
    status: 'active',
    ...over,
  };
}

/** The reference deal (DESIGN.md: press reports of SpaceX's S-1, May 2026). */
export function referenceDeal(): Contract {
  return contract({
    customer: 'Reference deal',
    capacity: { watts: 300_000_000 },
    start: '2026-06-01',
    end: '2029-05-31',
    monthlyPriceUsd: 1_250_000_000,
    ramp: [{ months: 2, factor: 0.5 }],
    noticeDays: 90,
  });
}

/** A site of 2,048 GPUs in 8 pods on a 3 MW feed. */
export function site(over: Partial<SiteLimits> = {}): SiteLimits {
  return { gpus: 2_048, facilityWatts: 3_000_000, pods: 8, ...over };
}

/** A dollar figure as whole cents, so assertions read "to the cent". */
export const cents = (usd: number): number => Math.round(usd * 100);

/** Asserts `run` throws DomainError('invalid') whose detail.path is `path` and whose message names it. */
export function expectInvalid(run: () => unknown, path: string, message?: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const err = caught as DomainError;
  expect(err.code).toBe('invalid');
  expect(err.detail).toEqual({ path });
  expect(err.message).toContain(path);
  if (message) expect(err.message).toMatch(message);
}
