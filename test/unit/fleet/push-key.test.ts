import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { distinctGpus, replayOf, storedKey } from '../../../server/src/domain/fleet/push-key.js';

const key = { key: 'batch-7', scope: 'a1b2c3d4', digest: 'd1' };

describe('idempotency keys of pushes', () => {
  it('keeps a key per endpoint and caller', () => {
    expect(storedKey('push:json', key)).toBe('push:json:a1b2c3d4:batch-7');
    expect(storedKey('push:json', { ...key, scope: 'other' })).not.toBe(storedKey('push:json', key));
    expect(storedKey('push:dcgm', key)).not.toBe(storedKey('push:json', key));
  });

  it('answers the same request with the first answer', () => {
    expect(replayOf(key, { seq: 12, digest: 'd1', samples: 16, gpus: 8 })).toEqual({ seq: 12, samples: 16, gpus: 8, replayed: true });
  });

  it('refuses another request under the key, naming the key and the first seq', () => {
    const refuse = () => replayOf({ ...key, digest: 'd2' }, { seq: 12, digest: 'd1', samples: 16, gpus: 8 });
    expect(refuse).toThrow(DomainError);
    expect(refuse).toThrow('idempotency-key: "batch-7" was already used with a different request');
    try {
      refuse();
    } catch (err) {
      expect(err).toMatchObject({ code: 'unprocessable', detail: { path: 'idempotency-key', seq: 12 } });
    }
  });

  it('replays a key kept before digests were (nothing to compare), with what is known', () => {
    expect(replayOf(key, { seq: 3, digest: null, samples: null, gpus: null })).toEqual({ seq: 3, samples: 0, gpus: 0, replayed: true });
  });

  it('counts distinct GPUs, not samples', () => {
    const s = (uuid: string) => ({ uuid }) as never;
    expect(distinctGpus({ samples: [s('a'), s('a'), s('b')], nodes: [], meters: [] })).toBe(2);
  });
});
