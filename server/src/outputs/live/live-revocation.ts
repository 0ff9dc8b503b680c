/** What the live view asks of the token store (services/auth/token-service.ts). */
export interface RevocationSource {
  /** Changes whenever a token is revoked, by this process or another (the token CLI). */
  revocationRevision(): string;
  isRevoked(tokenId: string): boolean;
}

interface Watched {
  data: unknown;
}

/**
 * Finds the sockets whose token was revoked since they connected. The API's revocation drops
 * them at once (token-service `onRevoke`), but `npm run token -- --revoke` writes the database
 * from another process; so before each broadcast the revision is read (one small query) and only
 * when it moved are the sockets' tokens looked up, each token once.
 */
export function revocationWatch(source: RevocationSource) {
  let seen = source.revocationRevision();
  return {
    revokedAmong<S extends Watched>(sockets: Iterable<S>): S[] {
      const revision = source.revocationRevision();
      if (revision === seen) return [];
      seen = revision;
      const verdicts = new Map<string, boolean>();
      const revoked: S[] = [];
      for (const socket of sockets) {
        const tokenId = tokenIdOf(socket.data);
        if (tokenId === null) continue;
        let isRevoked = verdicts.get(tokenId);
        if (isRevoked === undefined) {
          isRevoked = source.isRevoked(tokenId);
          verdicts.set(tokenId, isRevoked);
        }
        if (isRevoked) revoked.push(socket);
      }
      return revoked;
    },
  };
}

/** The token a socket signed in with (live-access.ts sets `data.principal`); null for public reads. */
export function tokenIdOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('principal' in data)) return null;
  const principal = data.principal;
  if (typeof principal !== 'object' || principal === null || !('tokenId' in principal)) return null;
  return typeof principal.tokenId === 'string' ? principal.tokenId : null;
}
