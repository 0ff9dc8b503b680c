/** What is closed to make room: an engine.io connection (closing it ends its sockets too). */
export interface Closable {
  close(): void;
}

export interface PendingLimits {
  /** Unauthenticated sessions held at once, from all addresses. */
  maxPending: number;
  /** Unauthenticated sessions held at once from one address key (client-address.ts). */
  maxPendingPerAddress: number;
}

/**
 * Engine.io sessions whose socket has not yet passed the token check. They are bounded apart from
 * the authenticated limits, and a new one is never refused for want of room: the oldest pending
 * session (of the same address if that address is at its bound, else of all) is closed instead.
 * A browser sends its token one round trip after the handshake, so a flood would have to open
 * `maxPending` sessions within that round trip to push a real client out; refusing instead would
 * let a flood that merely holds sessions lock everyone out, which is what this replaces.
 * Sessions that never authenticate are also closed by socket.io's connectTimeout.
 */
export function pendingSessions(limits: PendingLimits) {
  // Maps and Sets iterate in insertion order: the first entry is the oldest.
  const all = new Map<Closable, string>();
  const byAddress = new Map<string, Set<Closable>>();

  function forget(conn: Closable): void {
    const key = all.get(conn);
    if (key === undefined) return;
    all.delete(conn);
    const own = byAddress.get(key);
    own?.delete(conn);
    if (own?.size === 0) byAddress.delete(key);
  }

  function evict(conn: Closable | undefined): void {
    if (conn === undefined) return;
    forget(conn);
    conn.close();
  }

  return {
    /** A new session from `key`: counted until `settle` or `forget`, making room first if needed. */
    add(conn: Closable, key: string): void {
      const own = byAddress.get(key) ?? new Set<Closable>();
      if (own.size >= limits.maxPendingPerAddress) evict(own.values().next().value);
      if (all.size >= limits.maxPending) evict(all.keys().next().value);
      own.add(conn);
      byAddress.set(key, own);
      all.set(conn, key);
    },
    /** Its socket authenticated (it is counted by the authenticated limits from now), or it closed. */
    forget,
    size: (): number => all.size,
  };
}
