import express, { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { newTokenSchema, type TokenService } from '../../../services/auth/token-service.js';
import type { AuditPort } from '../../../services/auth/ports.js';
import { principalOf } from '../auth.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a token id (16 hex digits)').describe('Token id (the part after `hr_`)') });
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('At most this many entries'),
  before: z.coerce.number().int().min(1).optional().describe('Only entries older than this id (the next page)'),
});

export interface TokenDeps {
  tokens: Pick<TokenService, 'create' | 'list' | 'revoke'>;
  audit: Pick<AuditPort, 'list'>;
  publicRead: boolean;
}

/** API tokens (admin), the audit log (admin) and who the caller is (anyone). */
export function tokenRoutes(deps: TokenDeps): Router {
  const router = Router();
  router.get('/whoami', (_req, res) => {
    const who = principalOf(res);
    const refused = res.locals.refusedToken as string | undefined;
    res.json(
      who
        ? { authenticated: true, id: who.tokenId, name: who.name, role: who.role, publicRead: deps.publicRead }
        : { authenticated: false, publicRead: deps.publicRead, ...(refused ? { reason: refused } : {}) },
    );
  });
  router.post('/tokens', express.json({ limit: 4096 }), (req, res) => {
    const who = principalOf(res);
    const created = deps.tokens.create(req.body, who ? `token:${who.tokenId} (${who.name})` : 'unknown');
    res.status(201).location(`/api/v1/tokens/${created.id}`).json(created);
  });
  router.get('/tokens', (_req, res) => {
    res.json({ tokens: deps.tokens.list() });
  });
  router.delete('/tokens/:id', (req, res) => {
    res.json(deps.tokens.revoke(idParams.parse(req.params).id));
  });
  router.get('/audit', (req, res) => {
    const q = auditQuery.parse(req.query);
    const entries = deps.audit.list(q.limit, q.before).map(({ atMs, ...e }) => ({ ...e, at: new Date(atMs).toISOString() }));
    res.json({ entries });
  });
  return router;
}

const TOKEN_VIEW = '`id`, `name`, `role`, `createdAt`, `createdBy`, `lastUsedAt`, `revokedAt`';

/** The operations above for the OpenAPI document. */
export const tokenPaths: ZodOpenApiPathsObject = {
  '/api/v1/whoami': {
    get: {
      operationId: 'whoAmI',
      summary: 'The caller as its token names it, and whether reads are public',
      tags: ['auth'],
      responses: { 200: jsonAnswer('`{ authenticated, id?, name?, role?, publicRead, reason? }`: `reason` says why a token sent was refused') },
    },
  },
  '/api/v1/tokens': {
    post: {
      operationId: 'createToken',
      summary: 'Make an API token; the token itself is in this answer only (stored hashed)',
      tags: ['auth'],
      requestBody: { required: true, content: { 'application/json': { schema: newTokenSchema } } },
      responses: { 201: jsonAnswer(`${TOKEN_VIEW} and \`token\` (\`hr_<id>_<secret>\`)`), ...errorAnswers(400, 401, 403, 413) },
    },
    get: {
      operationId: 'listTokens',
      summary: 'Every token, live and revoked (never the token itself)',
      tags: ['auth'],
      responses: { 200: jsonAnswer(`\`{ tokens: [...] }\`: ${TOKEN_VIEW}`), ...errorAnswers(401, 403) },
    },
  },
  '/api/v1/tokens/{id}': {
    delete: {
      operationId: 'revokeToken',
      summary: 'Revoke a token: it is refused from the next request on',
      tags: ['auth'],
      requestParams: { path: idParams },
      responses: { 200: jsonAnswer(`The token, revoked: ${TOKEN_VIEW}`), ...errorAnswers(400, 401, 403, 404) },
    },
  },
  '/api/v1/audit': {
    get: {
      operationId: 'listAudit',
      summary: 'The audit log, newest first: every change to contracts, price book, rules, webhooks and tokens',
      tags: ['auth'],
      requestParams: { query: auditQuery },
      responses: { 200: jsonAnswer('`{ entries: [{ id, at, actor, action, target, status, detail }] }` (secrets in `detail` masked)'), ...errorAnswers(400, 401, 403) },
    },
  },
};
