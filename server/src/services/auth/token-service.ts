import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { roleSchema, type Principal, type Role } from '../../domain/auth/roles.js';
import { DomainError } from '../../domain/errors.js';
import type { TokenPort } from './ports.js';

/**
 * API tokens: `hr_<id>_<secret>`. The id (8 hex) is public and finds the row; the secret is 256
 * random bits, shown once at creation and kept only as the SHA-256 of the whole token.
 * The prefix lets secret scanners recognise a leaked token.
 */
const TOKEN_RE = /^hr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** The principal of HEADROOM_ADMIN_TOKEN, which lives in the environment, not in the database. */
export const ENV_ADMIN: Principal = { tokenId: 'env', name: 'HEADROOM_ADMIN_TOKEN', role: 'admin' };
/** last_used is written at most this often per token: a write per request would cost the ingest path. */
const TOUCH_EVERY_MS = 60_000;

export const newTokenSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .describe('What the token is for (shown in the audit log)'),
  role: roleSchema.describe(
    'viewer reads; operator also ingests and runs alerting; admin also changes contracts, prices, rules and tokens',
  ),
});

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type Authentication = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; principal: Principal };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function createTokenService(deps: { store: TokenPort; envAdminToken: string | null; nowMs: () => number }) {
  const { store } = deps;
  const envDigest = deps.envAdminToken === null ? null : digest(deps.envAdminToken);
  const touched = new Map<string, number>();
  const revokeListeners: Array<(tokenId: string) => void> = [];

  const view = (t: ReturnType<TokenPort['list']>[number]): TokenView => ({
    id: t.id,
    name: t.name,
    role: t.role,
    createdAt: new Date(t.createdAtMs).toISOString(),
    createdBy: t.createdBy,
    lastUsedAt: iso(t.lastUsedMs),
    revokedAt: iso(t.revokedAtMs),
  });

  function create(body: unknown, createdBy: string): TokenView & { token: string } {
    const parsed = newTokenSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DomainError('invalid', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, {
        path: issue?.path.join('.') ?? '',
      });
    }
    const id = randomBytes(8).toString('hex');
    const token = `hr_${id}_${randomBytes(32).toString('base64url')}`;
    const createdAtMs = deps.nowMs();
    store.insert({ id, name: parsed.data.name, role: parsed.data.role, hash: digest(token), createdAtMs, createdBy });
    const stored = store.get(id);
    if (!stored) throw new Error(`token ${id} vanished after insert`);
    return { ...view(stored), token };
  }

  /** What an Authorization header proves. Unknown, revoked and malformed tokens are all `invalid`. */
  function authenticate(header: string | undefined): Authentication {
    if (header === undefined || header === '') return { kind: 'none' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return { kind: 'invalid', reason: 'Authorization must be "Bearer <token>"' };
    const token = match[1];
    const presented = digest(token);
    if (envDigest !== null && timingSafeEqual(presented, envDigest)) return { kind: 'ok', principal: ENV_ADMIN };
    const id = TOKEN_RE.exec(token)?.[1];
    const stored = id === undefined ? null : store.get(id);
    if (!stored || !timingSafeEqual(presented, stored.hash)) return { kind: 'invalid', reason: 'unknown token' };
    if (stored.revokedAtMs !== null) return { kind: 'invalid', reason: 'token revoked' };
    const nowMs = deps.nowMs();
    if (nowMs - (touched.get(stored.id) ?? 0) >= TOUCH_EVERY_MS) {
      touched.set(stored.id, nowMs);
      store.touch(stored.id, nowMs);
    }
    return { kind: 'ok', principal: { tokenId: stored.id, name: stored.name, role: stored.role } };
  }

  return {
    create,
    authenticate,
    list: (): TokenView[] => store.list().map(view),
    revoke(id: string): TokenView {
      if (!store.revoke(id, deps.nowMs())) {
        throw new DomainError('not_found', store.get(id) ? `token ${id} is already revoked` : `no token with id ${id}`);
      }
      const stored = store.get(id);
      if (!stored) throw new DomainError('not_found', `no token with id ${id}`);
      for (const listener of revokeListeners) listener(id);
      return view(stored);
    },
    revocationRevision: (): string => store.revocationRevision(),
    /** Revoked, or gone: what a connection opened with `tokenId` may no longer read by. */
    isRevoked(tokenId: string): boolean {
      if (tokenId === ENV_ADMIN.tokenId) return false;
      const stored = store.get(tokenId);
      return stored === null || stored.revokedAtMs !== null;
    },
    /** Told of each revocation made here (the live view drops that token's connections at once). */
    onRevoke(listener: (tokenId: string) => void): void {
      revokeListeners.push(listener);
    },
    /**
     * At first start (no env token, no live admin token), makes an admin token for the person who
     * started the server; the caller prints it once. Null when one exists already.
     */
    bootstrapAdmin(): string | null {
      if (envDigest !== null || store.countLiveAdmins() > 0) return null;
      return create({ name: 'initial admin (made at first start)', role: 'admin' }, 'first start').token;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
