import { DomainError } from '../errors.js';
import type { GpuReplacement } from './fleet-state.js';
import type { IngestBatch } from './readings.js';

/**
 * Idempotency-Keys of pushed batches (issue 16 item 4): kept per endpoint and caller with a
 * digest of the request, so a retry gets the first answer and a reused key with new data is
 * refused rather than silently dropped.
 */

export interface PushResult {
  seq: number;
  samples: number;
  /** Distinct GPUs in the batch. */
  gpus: number;
  /** True when the idempotency key was seen before with the same request: this is the first answer, nothing was applied again. */
  replayed: boolean;
  /** GPUs this batch swapped out of their slots (new UUIDs at a known host and index), for the caller to audit. */
  replaced?: GpuReplacement[];
}

/** A client's Idempotency-Key, whose it is, and a digest of the request it came with. */
export interface PushKey {
  key: string;
  /** The caller (e.g. the token's id): keys are the client's own, so two clients' keys never meet. */
  scope: string;
  digest: string;
}

/** Where a key is kept: by source and caller, so one endpoint's or one token's keys never collide with another's. */
export const storedKey = (source: string, key: PushKey): string => `${source}:${key.scope}:${key.key}`;

export const distinctGpus = (batch: IngestBatch): number => new Set(batch.samples.map((s) => s.uuid)).size;

/** The first answer under a key, or a 422 when the key comes back with another request. */
export function replayOf(
  key: PushKey,
  first: { seq: number; digest: string | null; samples: number | null; gpus: number | null },
): PushResult {
  // A row from before digests were kept cannot be compared: answered as a replay, as it was then.
  if (first.digest !== null && first.digest !== key.digest) {
    throw new DomainError(
      'unprocessable',
      `idempotency-key: "${key.key}" was already used with a different request; use a new key for new data`,
      { path: 'idempotency-key', seq: first.seq },
    );
  }
  return { seq: first.seq, samples: first.samples ?? 0, gpus: first.gpus ?? 0, replayed: true };
}
