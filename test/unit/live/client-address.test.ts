import { describe, expect, it } from 'vitest';
import { addressKeyOf } from '../../../server/src/outputs/live/client-address.js';

describe('addressKeyOf', () => {
  it('counts an IPv4 address as itself, mapped into IPv6 or not', () => {
    expect(addressKeyOf('10.0.0.1')).toBe('10.0.0.1');
    expect(addressKeyOf('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });

  it('counts every IPv6 address of one /64 as one client', () => {
    const a = addressKeyOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8:1:2::1')).toBe(a);
    expect(addressKeyOf('2001:db8:1:3::1')).not.toBe(a);
  });

  it('keeps what it cannot parse as it is', () => {
    expect(addressKeyOf(undefined)).toBe('unknown');
    expect(addressKeyOf('not an address')).toBe('not an address');
  });
});
