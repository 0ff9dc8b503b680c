import { hash4, rehash, toUnit } from './random.js';

/**
 * Stateless timelines of random-length slots (a pod's training jobs, a node's inference
 * allocations). Random lengths normally need the whole history to find the slot holding a
 * moment; here time is cut into fixed blocks of twice the maximum slot length (shifted by a
 * per-owner phase), and each block is cut into slots from its own seeded draws. Finding the
 * slot holding tMs then takes a handful of hashes, for any tMs, in any order.
 *
 * Every slot is within [minMs, maxMs]: while more than maxMs of a block remains, the next
 * slot is drawn from [minMs, min(maxMs, remaining − minMs)], which leaves at least minMs;
 * the last slot is the remainder (≤ maxMs, ≥ minMs). This needs 2 × minMs ≤ maxMs ≤ 16 × minMs.
 */

export interface Segment {
  startMs: number;
  endMs: number;
  /** Seeded 32-bit key of this slot, independent of its length: draw the slot's content from it. */
  key: number;
}

export interface TimelineSpec {
  seed: number;
  /** Random stream of this kind of timeline (see Stream). */
  stream: number;
  minMs: number;
  maxMs: number;
}

/** Block length of a timeline: twice the longest slot. */
export function blockLengthMs(spec: TimelineSpec): number {
  return 2 * spec.maxMs;
}

/** Slots per block are at most block / min; keys reserve this many per block. */
const MAX_SLOTS_PER_BLOCK = 64;

/**
 * Finds the slot of owner `id` that holds tMs and writes it to `out` (no allocation; the
 * simulator calls this for thousands of owners per tick).
 *
 * @param phaseMs the owner's phase in [0, block length): staggers owners' boundaries
 */
export function segmentAt(spec: TimelineSpec, id: number, phaseMs: number, tMs: number, out: Segment): Segment {
  const blockMs = 2 * spec.maxMs;
  const block = Math.floor((tMs - phaseMs) / blockMs);
  const blockEnd = phaseMs + (block + 1) * blockMs;
  let start = blockEnd - blockMs;
  for (let k = 0; k < MAX_SLOTS_PER_BLOCK; k++) {
    const draw = hash4(spec.seed, spec.stream, id, block * MAX_SLOTS_PER_BLOCK + k);
    const remaining = blockEnd - start;
    let length = remaining;
    if (remaining > spec.maxMs) {
      const upper = Math.min(spec.maxMs, remaining - spec.minMs);
      length = spec.minMs + Math.floor(toUnit(draw) * (upper - spec.minMs));
    }
    if (tMs < start + length || length === remaining) {
      out.startMs = start;
      out.endMs = start + length;
      out.key = rehash(draw, 7);
      return out;
    }
    start += length;
  }
  // Unreachable while maxMs ≤ 16 × minMs (a block then holds at most 32 slots); kept total for safety.
  out.startMs = start;
  out.endMs = blockEnd;
  out.key = hash4(spec.seed, spec.stream, id, block);
  return out;
}

export function emptySegment(): Segment {
  return { startMs: 0, endMs: 0, key: 0 };
}
