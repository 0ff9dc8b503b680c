import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonPushSchema, parseJsonPush } from '../../../server/src/pipeline/ingest/json-push.js';
import { domainErrorOf } from './builders.js';

function gpu(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { uuid: `GPU-${i}`, host: 'node-a', ...overrides };
}

describe('parseJsonPush', () => {
  it('maps a full body to samples, node statuses and meter readings', () => {
    const body = {
      gpus: [
        gpu(0, {
          index: 0,
          model: 'NVIDIA H100 80GB HBM3',
          utilizationPercent: 97.5,
          powerWatts: 690.2,
          powerLimitWatts: 650,
          memoryUsedMiB: 1011,
          memoryTotalMiB: 81559,
          xid: 0,
        }),
      ],
      nodes: [{ host: 'node-b', drained: true, reason: 'NVLink replacement' }],
      meters: [
        { id: 'utility-main', scope: 'site', watts: 31_200_000 },
        { id: 'hall-2-pdu', scope: 'hall:h2', watts: 7_400_000 },
      ],
    };
    expect(parseJsonPush(body)).toEqual({
      samples: [
        {
          uuid: 'GPU-0',
          host: 'node-a',
          index: 0,
          modelName: 'NVIDIA H100 80GB HBM3',
          utilPercent: 97.5,
          powerWatts: 690.2,
          powerLimitWatts: 650,
          memUsedMiB: 1011,
          memTotalMiB: 81559,
          xid: 0,
          offsetMs: 0,
        },
      ],
      nodes: [{ host: 'node-b', drained: true, reason: 'NVLink replacement' }],
      meters: [
        { id: 'utility-main', scope: 'site', watts: 31_200_000 },
        { id: 'hall-2-pdu', scope: 'hall:h2', watts: 7_400_000 },
      ],
    });
  });

  it('reads absent and null readings as null, an absent index as -1 and an absent reason as null', () => {
    const batch = parseJsonPush({ gpus: [gpu(0, { powerWatts: null })], nodes: [{ host: 'n', drained: false }] });
    expect(batch.samples[0]).toEqual({
      uuid: 'GPU-0',
      host: 'node-a',
      index: -1,
      modelName: null,
      utilPercent: null,
      powerWatts: null,
      powerLimitWatts: null,
      memUsedMiB: null,
      memTotalMiB: null,
      xid: null,
      offsetMs: 0,
    });
    expect(batch.nodes).toEqual([{ host: 'n', drained: false, reason: null }]);
  });

  it('accepts a body with only meters', () => {
    expect(parseJsonPush({ meters: [{ id: 'm', scope: 'site', watts: 0 }] }).meters).toHaveLength(1);
  });

  it('exports a schema that converts to JSON Schema for the OpenAPI document', () => {
    const schema = z.toJSONSchema(jsonPushSchema) as { properties?: Record<string, unknown>; additionalProperties?: unknown };
    expect(Object.keys(schema.properties ?? {})).toEqual(['gpus', 'nodes', 'meters']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('parseJsonPush errors name the JSON path', () => {
  const four = [gpu(0), gpu(1), gpu(2)];

  it.each([
    ['power over 5000 W', { gpus: [...four, gpu(3, { powerWatts: 5000.5 })] }, 'gpus[3].powerWatts', 'must be ≤ 5000'],
    ['negative power', { gpus: [gpu(0, { powerWatts: -1 })] }, 'gpus[0].powerWatts', 'must be ≥ 0'],
    ['utilization over 100', { gpus: [gpu(0, { utilizationPercent: 100.1 })] }, 'gpus[0].utilizationPercent', 'must be ≤ 100'],
    ['negative memory', { gpus: [gpu(0, { memoryUsedMiB: -1 })] }, 'gpus[0].memoryUsedMiB', 'must be ≥ 0'],
    ['a fractional index', { gpus: [gpu(0, { index: 1.5 })] }, 'gpus[0].index', 'must be an integer'],
    ['a negative index', { gpus: [gpu(0, { index: -1 })] }, 'gpus[0].index', 'must be ≥ 0'],
    ['a fractional xid', { gpus: [gpu(0, { xid: 13.5 })] }, 'gpus[0].xid', 'must be an integer'],
    ['a reading sent as a string', { gpus: [gpu(0, { utilizationPercent: '50' })] }, 'gpus[0].utilizationPercent', 'must be a number'],
    ['a null index', { gpus: [gpu(0, { index: null })] }, 'gpus[0].index', 'must be a number (not null)'],
    ['an unknown key', { gpus: [gpu(0, { temperatureC: 40 })] }, 'gpus[0].temperatureC', 'unknown key'],
    ['an unknown top-level key', { gpus: [gpu(0)], alerts: [] }, 'alerts', 'unknown key'],
    ['a missing uuid', { gpus: [{ host: 'node-a' }] }, 'gpus[0].uuid', 'is required'],
    ['an empty host', { gpus: [gpu(0, { host: '' })] }, 'gpus[0].host', 'must not be empty'],
    ['an over-long uuid', { gpus: [gpu(0, { uuid: 'G'.repeat(257) })] }, 'gpus[0].uuid', 'must be at most 256 characters'],
    ['a missing drained flag', { nodes: [{ host: 'n' }] }, 'nodes[0].drained', 'is required'],
    ['a bad meter scope', { meters: [{ id: 'm', scope: 'row:7', watts: 1 }] }, 'meters[0].scope', 'must be "site" or "hall:<id>"'],
    ['an empty hall id', { meters: [{ id: 'm', scope: 'hall:', watts: 1 }] }, 'meters[0].scope', 'must be "site" or "hall:<id>"'],
    ['negative meter watts', { meters: [{ id: 'm', scope: 'site', watts: -5 }] }, 'meters[0].watts', 'must be ≥ 0'],
    ['gpus that is not an array', { gpus: {} }, 'gpus', 'must be an array'],
    ['a body with every array empty', { gpus: [], nodes: [] }, 'body', 'must hold at least one of gpus, nodes, meters'],
    ['an empty body', {}, 'body', 'must hold at least one of gpus, nodes, meters'],
    ['a body that is an array', [], 'body', 'must be an object'],
    ['a null body', null, 'body', 'must be an object (not null)'],
    ['a duplicate uuid', { gpus: [gpu(0), gpu(1), gpu(0)] }, 'gpus[2].uuid', 'duplicate uuid "GPU-0" (first at gpus[0].uuid)'],
    [
      'a duplicate node host',
      {
        nodes: [
          { host: 'n', drained: true },
          { host: 'n', drained: false },
        ],
      },
      'nodes[1].host',
      'duplicate host "n" (first at nodes[0].host)',
    ],
    [
      'a duplicate meter id',
      {
        meters: [
          { id: 'm', scope: 'site', watts: 1 },
          { id: 'm', scope: 'hall:a', watts: 1 },
        ],
      },
      'meters[1].id',
      'duplicate meter id "m" (first at meters[0].id)',
    ],
  ])('rejects %s', (_what, body, path, problem) => {
    const error = domainErrorOf(() => parseJsonPush(body));
    expect(error.code).toBe('invalid');
    expect(error.message).toBe(`${path}: ${problem}`);
    expect(error.detail).toEqual({ path });
  });

  it('rejects more entries than maxSamples with code too_large before validating them', () => {
    const body = { gpus: [gpu(0), gpu(1), { nonsense: true }] };
    const error = domainErrorOf(() => parseJsonPush(body, { maxSamples: 2 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('gpus: more than 2 entries (3; MAX_SERIES_PER_BATCH)');
  });

  it('accepts exactly maxSamples entries', () => {
    expect(parseJsonPush({ gpus: [gpu(0), gpu(1)] }, { maxSamples: 2 }).samples).toHaveLength(2);
  });
});
