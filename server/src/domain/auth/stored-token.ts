import type { Role } from './roles.js';

/** An API token as stored (table `api_tokens`, migration 4): never the token itself, only its hash. */
export interface StoredToken {
  id: string;
  name: string;
  role: Role;
  hash: Buffer;
  createdAtMs: number;
  createdBy: string;
  lastUsedMs: number | null;
  revokedAtMs: number | null;
}
