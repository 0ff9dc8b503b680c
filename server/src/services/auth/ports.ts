/**
 * What token authentication and the audit trail need from storage, declared here so they depend on
 * no adapter: the composition root passes the SQLite stores in (pipeline/store/token-store.ts,
 * audit-store.ts), and they fit these shapes.
 */
import type { AuditEntry } from '../../domain/auth/audit-entry.js';
import type { StoredToken } from '../../domain/auth/stored-token.js';

export interface TokenPort {
  get(id: string): StoredToken | null;
  list(): StoredToken[];
  insert(token: Omit<StoredToken, 'lastUsedMs' | 'revokedAtMs'>): void;
  /** Marks it revoked; false when there is no such live token. */
  revoke(id: string, nowMs: number): boolean;
  touch(id: string, nowMs: number): void;
  countLiveAdmins(): number;
  /** Changes with every revocation, whichever process wrote it (tokens are never un-revoked). */
  revocationRevision(): string;
}

export interface AuditPort {
  record(entry: Omit<AuditEntry, 'id'>): number;
  /** Newest first, at most `limit`, ids below `beforeId` when given (paging). */
  list(limit: number, beforeId?: number): AuditEntry[];
}
