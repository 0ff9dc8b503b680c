import { describe, expect, it } from 'vitest';
import {
  allocateCovering,
  allocatePods,
  podsCovering,
  podsNeeded,
  podsShort,
  termsOverlap,
} from '../../../server/src/domain/contracts/allocation.js';
import { DomainError } from '../../../server/src/domain/errors.js';

/** Colossus: 768 pods of 256 H100s on a 300 MW feed (presets.ts). */
const COLOSSUS = { gpusPerPod: 256, gpusPerFacilityWatt: 196_608 / 300_000_000 };
/** The small preset: 6 pods of 64 GPUs on round(300 MW / 196,608 × 384) = 585,938 W. */
const SMALL = { gpusPerPod: 64, gpusPerFacilityWatt: 384 / 585_938 };

describe('podsNeeded', () => {
  it('takes a pods capacity as given', () => {
    expect(podsNeeded({ pods: 3 }, COLOSSUS)).toBe(3);
  });

  it('rounds GPUs up to whole pods', () => {
    expect(podsNeeded({ gpus: 1 }, COLOSSUS)).toBe(1);
    expect(podsNeeded({ gpus: 256 }, COLOSSUS)).toBe(1);
    expect(podsNeeded({ gpus: 257 }, COLOSSUS)).toBe(2);
    expect(podsNeeded({ gpus: 2_048 }, COLOSSUS)).toBe(8);
  });

  it('turns facility watts into the pods holding the GPUs that power feeds', () => {
    // The whole 300 MW feed is 196,608 GPUs = exactly 768 pods; binary noise must not make it 769.
    expect(podsNeeded({ watts: 300_000_000 }, COLOSSUS)).toBe(768);
    // 10 MW × 196,608 / 300e6 = 6,553.6 GPUs / 256 = 25.6 → 26 pods.
    expect(podsNeeded({ watts: 10_000_000 }, COLOSSUS)).toBe(26);
    // One small pod is 64 × 585,938 / 384 = 97,656.33 W: 97,656 W fits in one pod, 97,657 W needs two.
    expect(podsNeeded({ watts: 97_656 }, SMALL)).toBe(1);
    expect(podsNeeded({ watts: 97_657 }, SMALL)).toBe(2);
  });

  it('counts the reference deal at 220,000 GPUs as 860 pods of 256', () => {
    // 300 MW × 220,000 / 300 MW = 220,000 GPUs; 220,000 / 256 = 859.375 → 860.
    expect(podsNeeded({ watts: 300_000_000 }, { gpusPerPod: 256, gpusPerFacilityWatt: 220_000 / 300_000_000 })).toBe(860);
  });

  it('needs no pods for power on a site with no GPUs per watt', () => {
    expect(podsNeeded({ watts: 1_000_000 }, { gpusPerPod: 256, gpusPerFacilityWatt: 0 })).toBe(0);
  });

  it('refuses a site without whole GPUs per pod or with negative GPUs per watt', () => {
    expect(() => podsNeeded({ gpus: 8 }, { gpusPerPod: 0, gpusPerFacilityWatt: 0 })).toThrow(DomainError);
    expect(() => podsNeeded({ gpus: 8 }, { gpusPerPod: 2.5, gpusPerFacilityWatt: 0.001 })).toThrow(/gpusPerPod/);
    expect(() => podsNeeded({ watts: 8 }, { gpusPerPod: 8, gpusPerFacilityWatt: -1 })).toThrow(/gpusPerFacilityWatt/);
  });
});

describe('allocatePods', () => {
  it('takes the first candidates, best first', () => {
    expect(allocatePods(2, [5, 1, 3, 0], new Set())).toEqual({ pods: [5, 1], shortfallPods: 0 });
  });

  it('skips pods taken by overlapping contracts', () => {
    expect(allocatePods(2, [5, 1, 3, 0], new Set([5, 3]))).toEqual({ pods: [1, 0], shortfallPods: 0 });
  });

  it('takes a repeated candidate once', () => {
    expect(allocatePods(3, [2, 2, 4, 2, 6], new Set())).toEqual({ pods: [2, 4, 6], shortfallPods: 0 });
  });

  it('records what does not fit as a shortfall rather than refusing', () => {
    expect(allocatePods(4, [0, 1, 2], new Set([1]))).toEqual({ pods: [0, 2], shortfallPods: 2 });
    expect(allocatePods(3, [0, 1, 2], new Set([0, 1, 2]))).toEqual({ pods: [], shortfallPods: 3 });
  });

  it('takes nothing when nothing is needed', () => {
    expect(allocatePods(0, [0, 1], new Set())).toEqual({ pods: [], shortfallPods: 0 });
  });

  it('refuses a negative or fractional need', () => {
    expect(() => allocatePods(-1, [0], new Set())).toThrow(DomainError);
    expect(() => allocatePods(1.5, [0], new Set())).toThrow(/needed/);
  });
});

describe('termsOverlap', () => {
  const term = (start: string, end: string) => ({ start, end });

  it('counts a shared single day as overlap (ends are inclusive)', () => {
    expect(termsOverlap(term('2026-06-01', '2026-06-30'), term('2026-06-30', '2026-07-31'))).toBe(true);
  });

  it('does not count back-to-back terms as overlapping', () => {
    expect(termsOverlap(term('2026-06-01', '2026-06-30'), term('2026-07-01', '2026-07-31'))).toBe(false);
    expect(termsOverlap(term('2026-07-01', '2026-07-31'), term('2026-06-01', '2026-06-30'))).toBe(false);
  });

  it('counts a term inside another as overlapping', () => {
    expect(termsOverlap(term('2026-01-01', '2029-12-31'), term('2027-03-01', '2027-03-02'))).toBe(true);
  });
});

describe('podsCovering (pods of several sizes)', () => {
  const rack = { gpus: 72, feedShareWatts: 204_966 };
  const leaf = { gpus: 32, feedShareWatts: 63_356 };
  it('equals podsNeeded on uniform pods, the whole-site 300 MW deal included', () => {
    const site = { gpusPerPod: 256, gpusPerFacilityWatt: 196_608 / 300e6 };
    const pod = { gpus: 256, feedShareWatts: 256 / site.gpusPerFacilityWatt };
    const pods = Array.from({ length: 768 }, () => pod);
    for (const capacity of [{ watts: 300e6 }, { watts: 1e6 }, { gpus: 257 }, { gpus: 196_608 }, { pods: 3 }]) {
      expect(podsCovering(capacity, pods, pod), JSON.stringify(capacity)).toBe(podsNeeded(capacity, site));
    }
  });

  it('takes whole pods in order until their GPUs or feed shares cover it, then counts pods of the largest kind', () => {
    expect(podsCovering({ gpus: 80 }, [leaf, rack], rack)).toBe(2);
    expect(podsCovering({ gpus: 30 }, [leaf, rack], rack)).toBe(1);
    // 104 GPUs in the two pods; 50 more are one more rack.
    expect(podsCovering({ gpus: 154 }, [leaf, rack], rack)).toBe(3);
    expect(podsShort({ gpus: 154 }, [leaf, rack], rack)).toBe(1);
    expect(podsCovering({ watts: 204_966 }, [rack], rack)).toBe(1);
  });

  it('allocates free pods of a contract until covered, a top-up counting the pods it holds', () => {
    const units = [rack, leaf, leaf];
    expect(allocateCovering({ gpus: 40 }, [1, 2, 0], new Set([1]), units, rack)).toEqual({ pods: [2, 0], shortfallPods: 0 });
    expect(allocateCovering({ gpus: 40 }, [0, 1, 2], new Set([0, 1, 2]), units, rack)).toEqual({ pods: [], shortfallPods: 1 });
    expect(allocateCovering({ gpus: 64 }, [0, 1, 2], new Set(), units, rack, [1])).toEqual({ pods: [0], shortfallPods: 0 });
  });
});
