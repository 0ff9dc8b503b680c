import { describe, expect, it } from 'vitest';
import { FABRIC_KINDS as DOMAIN_KINDS } from '../../../server/src/domain/fleet/topology.js';
import { FABRIC_KINDS as PROTOCOL_KINDS } from '../../../server/src/protocol/capacity.js';
import { POD_FABRICS } from '../../../server/src/protocol/fleet.js';

describe('fabric kinds', () => {
  it('the API names the same kinds the topology knows', () => {
    expect([...PROTOCOL_KINDS]).toEqual([...DOMAIN_KINDS]);
    expect([...POD_FABRICS]).toEqual([...DOMAIN_KINDS]);
  });
});
