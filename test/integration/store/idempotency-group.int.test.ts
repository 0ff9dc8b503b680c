import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { IngestBatch } from '../../../server/src/domain/fleet/readings.js';
import { createCollector } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { tempDir } from '../helpers/harness.js';
import { sample } from '../../unit/fleet/builders.js';

/**
 * Pushes that arrive in one event-loop turn share one journal commit (group commit), so a key
 * reused inside a group is found in the group, not in the table: the same rules must hold there.
 */
const db = openDatabase(join(tempDir(), 'idempotency.db'));
afterAll(() => closeDatabase(db));

function batch(uuids: string[]): IngestBatch {
  return { samples: uuids.map((uuid) => sample({ uuid, host: 'idem-node', powerWatts: 300 })), nodes: [], meters: [] };
}

describe('idempotency keys within one group commit', () => {
  const stores = createStores(db);
  const collector = createCollector({
    topology: buildPreset('small'),
    staleAfterMs: 30_000,
    ports: { ...stores, transaction: (work) => db.transaction(work).immediate() },
  });
  const nowMs = Date.parse('2026-11-27T12:00:00Z');
  const key = (k: string, digest: string, scope = 'token-a') => ({ key: k, scope, digest });

  it('answers the same request twice with the first answer and refuses another request under the key', async () => {
    // Not awaited between: all four are journalled in the same commit.
    const pushes = [
      collector.push(batch(['GPU-g-1', 'GPU-g-2']), 'push:json', key('k', 'd1'), nowMs),
      collector.push(batch(['GPU-g-1', 'GPU-g-2']), 'push:json', key('k', 'd1'), nowMs),
      collector.push(batch(['GPU-g-3']), 'push:json', key('k', 'd2'), nowMs),
      collector.push(batch(['GPU-g-4']), 'push:json', key('k', 'd2', 'token-b'), nowMs),
    ];
    const [first, same, other, otherToken] = await Promise.allSettled(pushes);
    expect(first).toMatchObject({ status: 'fulfilled', value: { samples: 2, gpus: 2, replayed: false } });
    const firstSeq = first?.status === 'fulfilled' ? first.value.seq : -1;
    expect(same).toEqual({ status: 'fulfilled', value: { seq: firstSeq, samples: 2, gpus: 2, replayed: true } });
    expect(other?.status).toBe('rejected');
    const reason = other?.status === 'rejected' ? (other.reason as unknown) : null;
    expect(reason).toBeInstanceOf(DomainError);
    expect(reason).toMatchObject({ code: 'unprocessable', detail: { path: 'idempotency-key', seq: firstSeq } });
    expect(otherToken).toMatchObject({ status: 'fulfilled', value: { samples: 1, replayed: false } });
    expect(collector.state.slotByUuid.has('GPU-g-3')).toBe(false);
    expect(collector.state.slotByUuid.has('GPU-g-4')).toBe(true);
    // And once committed, the table gives the same answers.
    await expect(collector.push(batch(['GPU-g-1', 'GPU-g-2']), 'push:json', key('k', 'd1'), nowMs)).resolves.toEqual({
      seq: firstSeq,
      samples: 2,
      gpus: 2,
      replayed: true,
    });
    // Refused before anything is queued, as an invalid batch is (push throws at once).
    expect(() => collector.push(batch(['GPU-g-5']), 'push:json', key('k', 'd3'), nowMs)).toThrow(/"k" was already used/);
  });
});
