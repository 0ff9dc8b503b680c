import type { Router } from 'express';
import express from 'express';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { priceBookSchema } from '../../../domain/contracts/price-book.js';
import { priceBookAnswer } from '../../../protocol/contracts.js';
import type { Sent } from '../../../protocol/sent.js';
import type { ContractsDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

/** The book as answered (protocol/contracts.ts): what priceBookSchema parses to, restated where the client can import it. */
type PriceBookAnswer = Sent<typeof priceBookAnswer>;

/** GET/PUT `/pricebook`: the price book in force; PUT replaces it whole (400 naming a bad field). */
export function priceBookRoutes(contracts: ContractsDeps): Router {
  const router = newRouter();
  router.get('/pricebook', (_req, res) => {
    res.json(contracts.getPriceBook() satisfies PriceBookAnswer);
  });
  router.put('/pricebook', express.json({ limit: 65_536 }), (req, res) => {
    res.json(contracts.putPriceBook(req.body) satisfies PriceBookAnswer);
  });
  return router;
}

/** The operations above for the OpenAPI document; PUT's body is the schema the service parses with. */
export const priceBookPaths: ZodOpenApiPathsObject = {
  '/api/v1/pricebook': {
    get: {
      operationId: 'getPriceBook',
      summary: 'Prices per GPU-hour (by model) and per facility MW-month, with their sources',
      tags: ['pricing'],
      responses: { 200: jsonAnswer('The price book in force', priceBookAnswer) },
    },
    put: {
      operationId: 'putPriceBook',
      summary: 'Replace the price book whole',
      tags: ['pricing'],
      requestBody: { required: true, content: { 'application/json': { schema: priceBookSchema } } },
      responses: { 200: jsonAnswer('The price book now in force', priceBookAnswer), ...errorAnswers(400, 413) },
    },
  },
};
