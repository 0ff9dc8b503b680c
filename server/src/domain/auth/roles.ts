import { z } from 'zod';

/**
 * Who may do what. Roles are ordered: each includes the ones before it.
 * - viewer: read every figure (fleet, capacity, contracts, alerts);
 * - operator: also push telemetry and run alerting (webhook receivers, test sends);
 * - admin: also change the money and the rules (contracts, price book, alert rules) and tokens.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** What an operation needs: a role, or nothing at all (`public`: health, the API index, static assets). */
export type Access = Role | 'public';

/** The caller of a request as its token names it (null: no token was sent). */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/**
 * The decision for one request. Reads (GET, and POSTs that change nothing such as what-if) of
 * viewer figures are open without a token when reads are public; everything else needs a token
 * of at least the role. A token that was sent but is unknown never gets this far (401).
 */
export function decideAccess(need: Access, who: Principal | null, opts: { read: boolean; publicRead: boolean }): AccessVerdict {
  if (need === 'public') return { ok: true };
  if (who === null) {
    if (need === 'viewer' && opts.read && opts.publicRead) return { ok: true };
    return { ok: false, status: 401, reason: `missing token: this needs role ${need} (send Authorization: Bearer <token>)` };
  }
  if (roleRank(who.role) >= roleRank(need)) return { ok: true };
  return { ok: false, status: 403, reason: `token "${who.name}" has role ${who.role}; this needs ${need}` };
}
