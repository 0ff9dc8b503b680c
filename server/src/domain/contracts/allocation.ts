import { DomainError } from '../errors.js';
import type { Contract, ContractCapacity } from './contract.js';

/**
 * Which pods a contract is delivered on. Buyers rent whole pods (DESIGN.md: the natural
 * sellable block), so every capacity is rounded up to whole pods, and no pod carries two
 * contracts whose terms overlap. A contract that does not fit is still recorded, with a
 * shortfall: contracts that together exceed what is free raise oversold risk, not a refusal.
 */

/** A contract as the API shows it: its terms, its id and where it is delivered. */
export interface AllocatedContract extends Contract {
  id: string;
  /** Ids of the pods it is delivered on (`h01-p003`), in pod order. */
  pods: string[];
  /** Pods it needs beyond those it got: > 0 when it was sold past what was free. */
  shortfallPods: number;
}

/** What allocation needs to know of the site. */
export interface AllocationSite {
  /** GPUs in one pod (pods are uniform); a whole number > 0. */
  gpusPerPod: number;
  /** GPUs per facility watt (site GPUs / feed watts); ≥ 0. */
  gpusPerFacilityWatt: number;
}

/**
 * Rounds a non-negative count up, forgiving binary noise: 300e6 × (196,608 / 300e6) / 256 must be
 * 768, not 769. (Math.max also turns the -0 of ceil(-1e-9) into 0.)
 */
function ceilCount(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x))));
}

/**
 * Whole pods a capacity takes.
 * @param capacity `{ pods }` as given; `{ gpus }` → ⌈gpus / gpusPerPod⌉; `{ watts }` (facility
 *   watts) → ⌈watts × gpusPerFacilityWatt / gpusPerPod⌉, i.e. the pods holding the GPUs that
 *   power feeds.
 * @returns a whole number ≥ 0 (0 only for a watts contract on a site with no GPUs per watt).
 * @throws DomainError('invalid') if gpusPerPod is not a whole number > 0 or gpusPerFacilityWatt
 *   is negative or not finite.
 */
export function podsNeeded(capacity: ContractCapacity, site: AllocationSite): number {
  const { gpusPerPod, gpusPerFacilityWatt } = site;
  if (!Number.isSafeInteger(gpusPerPod) || gpusPerPod <= 0) {
    throw new DomainError('invalid', `gpusPerPod: must be a whole number > 0, got ${gpusPerPod}`, { path: 'gpusPerPod' });
  }
  if (!Number.isFinite(gpusPerFacilityWatt) || gpusPerFacilityWatt < 0) {
    throw new DomainError('invalid', `gpusPerFacilityWatt: must be finite and ≥ 0, got ${gpusPerFacilityWatt}`, {
      path: 'gpusPerFacilityWatt',
    });
  }
  if ('pods' in capacity) return capacity.pods;
  if ('gpus' in capacity) return ceilCount(capacity.gpus / gpusPerPod);
  return ceilCount((capacity.watts * gpusPerFacilityWatt) / gpusPerPod);
}

/** A pod as sizing sees it: its GPUs and its share of the feed, facility watts. */
export interface PodUnit {
  gpus: number;
  feedShareWatts: number;
}

/**
 * Whole pods a capacity takes when pods differ in size (a 72-GPU NVL72 rack, a 256-GPU leaf
 * group): `{ pods }` as given; `{ gpus }` or `{ watts }` (facility, as a share of the feed): the
 * pods of `ranked`, in order, until their GPUs or feed shares cover it; past the end of `ranked`,
 * more pods of `beyond`'s size (what a sale past the pool still needs). On uniform pods it equals
 * podsNeeded.
 * @returns a whole number ≥ 0; 0 for a capacity `beyond` cannot cover (an empty pool).
 */
export function podsCovering(capacity: ContractCapacity, ranked: readonly PodUnit[], beyond: PodUnit): number {
  if ('pods' in capacity) return capacity.pods;
  const want = 'gpus' in capacity ? capacity.gpus : capacity.watts;
  const of = (p: PodUnit): number => ('gpus' in capacity ? p.gpus : p.feedShareWatts);
  // The same forgiveness of binary noise as ceilCount: 768 pods' shares of 300 MW cover 300 MW.
  const enough = (got: number): boolean => got >= want - 1e-9 * Math.max(1, Math.abs(want));
  let got = 0;
  let pods = 0;
  for (const p of ranked) {
    if (enough(got)) return pods;
    got += of(p);
    pods++;
  }
  const step = of(beyond);
  if (enough(got) || step <= 0) return enough(got) ? pods : 0;
  return pods + ceilCount((want - got) / step);
}

export interface Allocation {
  /** Pod indexes taken, in the candidates' order. */
  pods: number[];
  /** `needed − pods.length`: pods it could not get. */
  shortfallPods: number;
}

/**
 * Takes the first `needed` free pods of the ranked candidates.
 * @param needed whole pods wanted (≥ 0).
 * @param rankedCandidates pod indexes, best first; repeats are taken once.
 * @param taken pods already delivered on contracts whose terms overlap this one's; never taken.
 * @returns the pods taken and the shortfall (> 0 when fewer than `needed` were free).
 * @throws DomainError('invalid') if `needed` is not a whole number ≥ 0.
 */
export function allocatePods(needed: number, rankedCandidates: readonly number[], taken: ReadonlySet<number>): Allocation {
  if (!Number.isSafeInteger(needed) || needed < 0) {
    throw new DomainError('invalid', `needed: must be a whole number ≥ 0, got ${needed}`, { path: 'needed' });
  }
  const pods: number[] = [];
  const chosen = new Set<number>();
  for (const pod of rankedCandidates) {
    if (pods.length >= needed) break;
    if (taken.has(pod) || chosen.has(pod)) continue;
    chosen.add(pod);
    pods.push(pod);
  }
  return { pods, shortfallPods: needed - pods.length };
}

/**
 * Pods still needed beyond those `held` to cover a capacity: `{ pods }` → the count less those
 * held; `{ gpus }`/`{ watts }` → what the held pods' GPUs or feed shares leave, in pods of
 * `beyond`'s size. On uniform pods: podsNeeded − held.
 */
export function podsShort(capacity: ContractCapacity, held: readonly PodUnit[], beyond: PodUnit): number {
  if ('pods' in capacity) return Math.max(0, capacity.pods - held.length);
  return Math.max(0, podsCovering(capacity, held, beyond) - held.length);
}

/**
 * Takes free pods of the ranked candidates, in order, until they cover the capacity (whole pods
 * of any size: 72-GPU NVL72 racks, 256-GPU leaf groups); the shortfall is counted in pods of
 * `beyond`'s size (podsShort).
 * @param units every pod's GPUs and feed share, by pod index.
 * @param alreadyHeld pods the contract holds already (a top-up): they count, and are not returned.
 */
export function allocateCovering(
  capacity: ContractCapacity,
  rankedCandidates: readonly number[],
  taken: ReadonlySet<number>,
  units: readonly PodUnit[],
  beyond: PodUnit,
  alreadyHeld: readonly number[] = [],
): Allocation {
  const pods: number[] = [];
  const chosen = new Set<number>(alreadyHeld);
  const held: PodUnit[] = alreadyHeld.map((p) => units[p] ?? beyond);
  for (const pod of rankedCandidates) {
    if (podsShort(capacity, held, beyond) === 0) break;
    if (taken.has(pod) || chosen.has(pod)) continue;
    chosen.add(pod);
    pods.push(pod);
    held.push(units[pod] ?? beyond);
  }
  return { pods, shortfallPods: podsShort(capacity, held, beyond) };
}

/** Whether two inclusive ISO-date terms share at least one day. */
export function termsOverlap(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  // YYYY-MM-DD strings order as the dates do.
  return a.start <= b.end && b.start <= a.end;
}
