import { describe, expect, it } from 'vitest';
import { revocationWatch, type RevocationSource } from '../../../server/src/outputs/live/live-revocation.js';

/** A token table in memory: the revision is the count of revocations, as the store's moves with each. */
function tokens(revoked: string[] = []) {
  const lookups: string[] = [];
  const source: RevocationSource = {
    revocationRevision: () => String(revoked.length),
    isRevoked: (id) => {
      lookups.push(id);
      return revoked.includes(id);
    },
  };
  return { source, lookups, revoke: (id: string) => revoked.push(id) };
}
const socket = (tokenId: string | null) => ({ data: { principal: tokenId === null ? null : { tokenId } } });

describe('revocationWatch', () => {
  it('looks nothing up while no token was revoked since the last look', () => {
    const t = tokens();
    const watch = revocationWatch(t.source);
    expect(watch.revokedAmong([socket('a'), socket('b')])).toEqual([]);
    expect(t.lookups).toEqual([]);
  });

  it('finds the sockets of a token revoked elsewhere, each token looked up once, public readers skipped', () => {
    const t = tokens();
    const watch = revocationWatch(t.source);
    const sockets = [socket('a'), socket('b'), socket('a'), socket(null)];
    t.revoke('a');
    expect(watch.revokedAmong(sockets)).toEqual([sockets[0], sockets[2]]);
    expect(t.lookups).toEqual(['a', 'b']);
    expect(watch.revokedAmong(sockets)).toEqual([]);
  });
});
