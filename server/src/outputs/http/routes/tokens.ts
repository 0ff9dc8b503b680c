import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { newTokenSchema, type TokenService } from '../../../services/auth/token-service.js';
import type { AuditPort } from '../../../services/auth/ports.js';
import { principalOf } from '../auth.js';
import { auditAnswer, tokenAnswer, tokenCreatedAnswer, tokenListAnswer, whoAmIAnswer } from '../../../protocol/tokens.js';
import type { Sent } from '../../../protocol/sent.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const idParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'must be a token id (16 hex digits)')
    .describe('Token id (the part after `hr_`)'),
});
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
  const router = newRouter();
  router.get('/whoami', (_req, res) => {
    const who = principalOf(res);
    const refused = res.locals.refusedToken as string | undefined;
    const answer: Sent<typeof whoAmIAnswer> = who
      ? { authenticated: true, id: who.tokenId, name: who.name, role: who.role, publicRead: deps.publicRead }
      : { authenticated: false, publicRead: deps.publicRead, ...(refused ? { reason: refused } : {}) };
    res.json(answer);
  });
  router.post('/tokens', express.json({ limit: 4096 }), (req, res) => {
    const who = principalOf(res);
    const created = deps.tokens.create(req.body, who ? `token:${who.tokenId} (${who.name})` : 'unknown');
    res
      .status(201)
      .location(`/api/v1/tokens/${created.id}`)
      .json(created satisfies Sent<typeof tokenCreatedAnswer>);
  });
  router.get('/tokens', (_req, res) => {
    res.json({ tokens: deps.tokens.list() } satisfies Sent<typeof tokenListAnswer>);
  });
  router.delete('/tokens/:id', (req, res) => {
    res.json(deps.tokens.revoke(idParams.parse(req.params).id) satisfies Sent<typeof tokenAnswer>);
  });
  router.get('/audit', (req, res) => {
    const q = auditQuery.parse(req.query);
    const entries = deps.audit.list(q.limit, q.before).map(({ atMs, ...e }) => ({ ...e, at: new Date(atMs).toISOString() }));
    res.json({ entries } satisfies Sent<typeof auditAnswer>);
  });
  return router;
}

/** The operations above for the OpenAPI document; answers are the protocol/tokens.ts schemas. */
export const tokenPaths: ZodOpenApiPathsObject = {
  '/api/v1/whoami': {
    get: {
      operationId: 'whoAmI',
      summary: 'The caller as its token names it, and whether reads are public',
      tags: ['auth'],
      responses: { 200: jsonAnswer('Who the caller is: `reason` says why a token sent was refused', whoAmIAnswer) },
    },
  },
  '/api/v1/tokens': {
    post: {
      operationId: 'createToken',
      summary: 'Make an API token; the token itself is in this answer only (stored hashed)',
      tags: ['auth'],
      requestBody: { required: true, content: { 'application/json': { schema: newTokenSchema } } },
      responses: {
        201: jsonAnswer('The token record and `token` (`hr_<id>_<secret>`), shown this once', tokenCreatedAnswer),
        ...errorAnswers(400, 401, 403, 413),
      },
    },
    get: {
      operationId: 'listTokens',
      summary: 'Every token, live and revoked (never the token itself)',
      tags: ['auth'],
      responses: { 200: jsonAnswer('Every token', tokenListAnswer), ...errorAnswers(401, 403) },
    },
  },
  '/api/v1/tokens/{id}': {
    delete: {
      operationId: 'revokeToken',
      summary: 'Revoke a token: it is refused from the next request on',
      tags: ['auth'],
      requestParams: { path: idParams },
      responses: { 200: jsonAnswer('The token, revoked', tokenAnswer), ...errorAnswers(400, 401, 403, 404) },
    },
  },
  '/api/v1/audit': {
    get: {
      operationId: 'listAudit',
      summary: 'The audit log, newest first: every change to contracts, price book, rules, webhooks and tokens',
      tags: ['auth'],
      requestParams: { query: auditQuery },
      responses: {
        200: jsonAnswer('Audit entries, newest first (secrets in `detail` masked)', auditAnswer),
        ...errorAnswers(400, 401, 403),
      },
    },
  },
};
