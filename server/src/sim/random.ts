/**
 * Counter-based randomness for the simulator: every random number is a pure function of
 * (seed, stream, a, b), never of call order, so any moment can be computed without replaying
 * the past and two simulators with the same seed agree bit for bit. No Math.random.
 *
 * The mixer is the 32-bit finaliser of lowbias32 (Chris Wellons' hash-prospector), chained
 * over the inputs. Inputs are taken as 32-bit integers: indexes and tick numbers are far
 * below 2^32 (a 10 s tick index in 2026 is ≈ 1.8 × 10^8).
 */

/** One round of a 32-bit integer mixer with full avalanche. Returns an unsigned 32-bit value. */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of (seed, stream, a, b) as an unsigned 32-bit integer. */
export function hash4(seed: number, stream: number, a: number, b: number): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32((h + Math.imul(stream | 0, 0x85ebca6b)) | 0);
  h = mix32((h ^ (a | 0)) + 0x632be5ab);
  return mix32((h ^ (b | 0)) + 0x27d4eb2f);
}

const TWO_POW_32 = 4_294_967_296;

/** Uniform in [0, 1) from (seed, stream, a, b). */
export function unit4(seed: number, stream: number, a: number, b: number): number {
  return hash4(seed, stream, a, b) / TWO_POW_32;
}

/** Uniform in [0, 1) from a hash already computed. */
export function toUnit(hash: number): number {
  return (hash >>> 0) / TWO_POW_32;
}

/** A second, independent uniform derived from one hash (for several draws from one key). */
export function rehash(hash: number, k: number): number {
  return mix32((hash ^ Math.imul(k + 1, 0x9e3779b9)) | 0);
}

/**
 * Independent streams, one per kind of draw. Changing a stream number reshuffles only that
 * kind of randomness, so tuning one part of the model leaves the rest of a seeded history alone.
 */
export const Stream = {
  podRole: 1,
  podPhase: 2,
  trainingSegment: 3,
  trainingJob: 4,
  nodePhase: 5,
  inferenceSegment: 6,
  inferenceSlot: 7,
  failure: 8,
  failureWave: 9,
  maintenance: 10,
  demandNoise: 11,
  gpuIdentity: 12,
  gpuBase: 13,
  sample: 14,
  sampleExtra: 15,
  nodeDuty: 16,
  jobMemory: 17,
  orphan: 18,
  schedulerQueue: 19,
} as const;
