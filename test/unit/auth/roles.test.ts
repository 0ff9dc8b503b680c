import { describe, expect, it } from 'vitest';
import { decideAccess, ROLES, type Access, type Principal, type Role } from '../../../server/src/domain/auth/roles.js';
import { operationRoutes } from '../../../server/src/outputs/http/access.js';
import { auditDetail } from '../../../server/src/outputs/http/auth.js';

const token = (role: Role): Principal => ({ tokenId: 't', name: `a ${role}`, role });
const NEEDS: Access[] = ['public', ...ROLES];

describe('decideAccess', () => {
  it('decides every (need, caller, read, publicRead) case as the table says', () => {
    const rows: string[] = [];
    for (const need of NEEDS) {
      for (const who of [null, ...ROLES.map(token)]) {
        for (const read of [false, true]) {
          for (const publicRead of [false, true]) {
            const v = decideAccess(need, who, { read, publicRead });
            rows.push(
              `${need} ${who?.role ?? 'none'} ${read ? 'read' : 'write'} ${publicRead ? 'public' : 'closed'} → ${v.ok ? 'ok' : v.status}`,
            );
          }
        }
      }
    }
    const allowed = (need: Access, who: Role | 'none', read: boolean, publicRead: boolean): string => {
      if (need === 'public') return 'ok';
      if (who === 'none') return need === 'viewer' && read && publicRead ? 'ok' : '401';
      return ROLES.indexOf(who) >= ROLES.indexOf(need) ? 'ok' : '403';
    };
    // The same table written out by its rule, checked against a few cases written by hand.
    expect(rows).toEqual(
      rows.map((r) => {
        const [need = '', who = '', rw = '', pub = ''] = r.split(' ');
        return `${need} ${who} ${rw} ${pub} → ${allowed(need as Access, who as Role | 'none', rw === 'read', pub === 'public')}`;
      }),
    );
    expect(rows).toContain('viewer none read public → ok');
    expect(rows).toContain('viewer none write public → 401');
    expect(rows).toContain('operator none read public → 401');
    expect(rows).toContain('admin operator write closed → 403');
    expect(rows).toContain('operator admin write closed → ok');
    expect(rows).toContain('public none write closed → ok');
    expect(rows).toHaveLength(4 * 4 * 2 * 2);
  });

  it('names the role held and the role needed', () => {
    expect(decideAccess('admin', token('viewer'), { read: false, publicRead: false })).toEqual({
      ok: false,
      status: 403,
      reason: 'token "a viewer" has role viewer; this needs admin',
    });
  });
});

describe('operationRoutes', () => {
  const { match, routes } = operationRoutes({
    '/api/v1/contracts': { get: { operationId: 'listContracts', responses: {} }, post: { operationId: 'createContract', responses: {} } },
    '/api/v1/contracts/{id}/valuation': { get: { operationId: 'valueContract', responses: {} } },
    '/api/v1/what-if': { post: { operationId: 'whatIf', responses: {} } },
    '/api/v1/new-thing': { post: { operationId: 'somethingNobodyListed', responses: {} } },
  });

  it('matches requests to operations by method and template, HEAD as GET', () => {
    expect(match('GET', '/api/v1/contracts')?.operationId).toBe('listContracts');
    expect(match('HEAD', '/api/v1/contracts')?.operationId).toBe('listContracts');
    expect(match('POST', '/api/v1/contracts/')?.operationId).toBe('createContract');
    expect(match('GET', '/api/v1/contracts/7/valuation')?.operationId).toBe('valueContract');
    expect(match('GET', '/api/v1/contracts/7/8/valuation')).toBeNull();
    expect(match('DELETE', '/api/v1/contracts')).toBeNull();
    // Routing is case-sensitive (router.ts), and so is the policy: another spelling meets the default deny.
    expect(match('POST', '/API/V1/Contracts')).toBeNull();
  });

  it('gives what-if the read it is, and an operation missing from the policy admin', () => {
    expect(routes.find((r) => r.operationId === 'whatIf')).toMatchObject({ access: 'viewer', read: true });
    expect(routes.find((r) => r.operationId === 'createContract')).toMatchObject({ access: 'admin', read: false });
    expect(routes.find((r) => r.operationId === 'somethingNobodyListed')).toMatchObject({ access: 'admin', read: false });
  });
});

describe('auditDetail', () => {
  it('masks secrets at any depth and bounds long strings and lists', () => {
    const d = auditDetail({
      name: 'pager',
      secret: 'whsec_x',
      nested: { apiToken: 'hr_x', password: 'p', keep: 1 },
      list: Array(150).fill({ authorization: 'b' }),
      long: 'x'.repeat(3000),
    }) as Record<string, unknown>;
    expect(d).toMatchObject({ name: 'pager', secret: '***', nested: { apiToken: '***', password: '***', keep: 1 } });
    expect((d.list as unknown[]).length).toBe(100);
    expect((d.list as unknown[])[0]).toEqual({ authorization: '***' });
    expect((d.long as string).length).toBe(2001);
  });
});
