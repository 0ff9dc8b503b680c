import { describe, expect, it } from 'vitest';
import { checkWhatIfBounds, type WhatIfSite } from '../../../server/src/domain/capacity/what-if-bounds.js';
import type { ContractCapacity } from '../../../server/src/domain/contracts/contract.js';
import { DomainError } from '../../../server/src/domain/errors.js';

/** Colossus: 768 pods of 256 GPUs on a 300 MW feed. */
const site = (over: Partial<WhatIfSite> = {}): WhatIfSite => ({ pods: 768, gpus: 196_608, feedWatts: 300e6, ...over });
const NOW_MS = Date.parse('2026-12-07T16:40:00Z');

/** The DomainError a call throws, or null. */
function refusal(capacity: ContractCapacity, start = '2027-01-01', nowMs = NOW_MS): DomainError | null {
  try {
    checkWhatIfBounds({ capacity, start }, site(), nowMs);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('checkWhatIfBounds', () => {
  it('allows the whole site, in pods, GPUs or feed watts', () => {
    expect(refusal({ pods: 768 })).toBeNull();
    expect(refusal({ gpus: 196_608 })).toBeNull();
    expect(refusal({ watts: 300e6 })).toBeNull();
  });

  it('refuses 5,000 pods on a 768-pod site, naming pods', () => {
    const e = refusal({ pods: 5_000 });
    expect(e?.code).toBe('invalid');
    expect(e?.message).toBe('pods: 5,000 pods is more than the site has (768)');
    expect(e?.detail).toEqual({ path: 'pods' });
  });

  it('refuses one GPU or one watt more than the site, naming the field', () => {
    expect(refusal({ gpus: 196_609 })?.detail).toEqual({ path: 'gpus' });
    expect(refusal({ watts: 300e6 + 1 })?.message).toBe("watts: 300,000,001 W is more than the site's feed (300,000,000 W)");
  });

  it('allows a start today on the collection clock, and refuses yesterday and 2020', () => {
    expect(refusal({ pods: 1 }, '2026-12-07')).toBeNull();
    expect(refusal({ pods: 1 }, '2026-12-07', Date.parse('2026-12-07T23:59:59.999Z'))).toBeNull();
    expect(refusal({ pods: 1 }, '2026-12-06')?.message).toBe('start: 2026-12-06 is in the past: the earliest start is today, 2026-12-07');
    expect(refusal({ pods: 1 }, '2020-01-01')?.detail).toEqual({ path: 'start' });
  });

  it('takes today from the clock it is given, not the machine (a simulated site can run in 2031)', () => {
    expect(refusal({ pods: 1 }, '2027-01-01', Date.parse('2031-06-01T00:00:00Z'))?.detail).toEqual({ path: 'start' });
  });

  it('names the capacity before the start when both are wrong', () => {
    expect(refusal({ pods: 769 }, '2020-01-01')?.detail).toEqual({ path: 'pods' });
  });
});
