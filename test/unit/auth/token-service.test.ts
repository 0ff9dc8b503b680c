import { describe, expect, it } from 'vitest';
import { createTokenService, ENV_ADMIN } from '../../../server/src/services/auth/token-service.js';
import { openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createTokenStore } from '../../../server/src/pipeline/store/token-store.js';

function service(envAdminToken: string | null = null, now = { ms: 1_000_000 }) {
  const db = openDatabase(':memory:');
  return { tokens: createTokenService({ store: createTokenStore(db), envAdminToken, nowMs: () => now.ms }), db, now };
}

describe('token service', () => {
  it('authenticates a token it made, and nothing close to it', () => {
    const { tokens } = service();
    const { token, id } = tokens.create({ name: 'collector', role: 'operator' }, 'test');
    expect(tokens.authenticate(`Bearer ${token}`)).toEqual({ kind: 'ok', principal: { tokenId: id, name: 'collector', role: 'operator' } });
    expect(tokens.authenticate(`bearer   ${token}`)).toMatchObject({ kind: 'ok' });
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(tokens.authenticate(`Bearer ${token.slice(0, -1)}${last}`)).toEqual({ kind: 'invalid', reason: 'unknown token' });
    expect(tokens.authenticate(`Bearer ${token.replace(id, '0000000000000000')}`)).toEqual({ kind: 'invalid', reason: 'unknown token' });
    expect(tokens.authenticate(`Basic ${token}`)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/Bearer/) });
    expect(tokens.authenticate(`Bearer ${token} extra`)).toMatchObject({ kind: 'invalid' });
    expect(tokens.authenticate(undefined)).toEqual({ kind: 'none' });
    expect(tokens.authenticate('')).toEqual({ kind: 'none' });
  });

  it('stores the SHA-256 of the token, never the token', () => {
    const { tokens, db } = service();
    const { token } = tokens.create({ name: 'x', role: 'viewer' }, 'test');
    const row = db.prepare('SELECT * FROM api_tokens').get() as Record<string, unknown>;
    expect(Object.values(row).some((v) => typeof v === 'string' && v.includes(token.slice(20)))).toBe(false);
    expect((row.hash as Buffer).length).toBe(32);
  });

  it('takes HEADROOM_ADMIN_TOKEN as admin, and then makes no first-start token', () => {
    const env = 'e'.repeat(40);
    const { tokens } = service(env);
    expect(tokens.authenticate(`Bearer ${env}`)).toEqual({ kind: 'ok', principal: ENV_ADMIN });
    expect(tokens.bootstrapAdmin()).toBeNull();
  });

  it('makes a first admin token once, and again only when every admin token is revoked', () => {
    const { tokens } = service();
    const first = tokens.bootstrapAdmin();
    expect(first).toMatch(/^hr_/);
    expect(tokens.bootstrapAdmin()).toBeNull();
    const [admin] = tokens.list();
    tokens.revoke(admin?.id ?? '');
    expect(tokens.authenticate(`Bearer ${first}`)).toEqual({ kind: 'invalid', reason: 'token revoked' });
    expect(tokens.bootstrapAdmin()).toMatch(/^hr_/);
  });

  it('records last use at most once a minute per token', () => {
    const { tokens, now } = service();
    const { token, id } = tokens.create({ name: 'x', role: 'viewer' }, 'test');
    const lastUsed = () => tokens.list().find((t) => t.id === id)?.lastUsedAt;
    tokens.authenticate(`Bearer ${token}`);
    expect(lastUsed()).toBe(new Date(1_000_000).toISOString());
    now.ms += 30_000;
    tokens.authenticate(`Bearer ${token}`);
    expect(lastUsed()).toBe(new Date(1_000_000).toISOString());
    now.ms += 30_000;
    tokens.authenticate(`Bearer ${token}`);
    expect(lastUsed()).toBe(new Date(1_060_000).toISOString());
  });
});
