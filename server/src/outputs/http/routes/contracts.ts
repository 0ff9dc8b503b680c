import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { contractBodySchema, type ContractCapacity } from '../../../domain/contracts/contract.js';
import { DomainError } from '../../../domain/errors.js';
import { formatParam, sendCsv, withCsv } from '../csv.js';
import { contractAnswer, contractListAnswer, valuationAnswer } from '../../../protocol/contracts.js';
import type { Sent } from '../../../protocol/sent.js';
import type { ContractsDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const idParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a contract id (a whole number ≥ 1)')
    .describe('Contract id')
    .transform(Number),
});
const valuationQuery = z.object({
  asOf: z.iso.date('must be an ISO date YYYY-MM-DD').optional().describe('Valuation date; today by the collection clock if omitted'),
});

type ContractAnswer = Sent<typeof contractAnswer>;

const listQuery = z.object({ format: formatParam });

/** The book as CSV: terms, pods delivered and the valuation as of today (by the collection clock). */
const CONTRACT_COLUMNS = [
  'id',
  'customer',
  'capacity',
  'start',
  'end',
  'monthlyPriceUsd',
  'status',
  'podCount',
  'tcvUsd',
  'revenueToDateUsd',
  'guaranteedUsd',
  'asOf',
];

/** `{ pods: 4 }` → `4 pods`: one column a person reads and a sheet can split. */
function capacityText(capacity: ContractCapacity): string {
  if ('pods' in capacity) return `${capacity.pods} pods`;
  if ('gpus' in capacity) return `${capacity.gpus} gpus`;
  return `${capacity.watts} watts`;
}

/** A contract's JSON body is small; 64 KiB leaves room for a long ramp. */
const JSON_LIMIT_BYTES = 65_536;

/**
 * Contracts: POST/GET `/contracts`, GET/PUT/DELETE `/contracts/:id`,
 * GET `/contracts/:id/valuation?asOf=YYYY-MM-DD`. Bodies are validated by the service
 * (parseContract) and errors name the field.
 */
export function contractRoutes(contracts: ContractsDeps): Router {
  const router = newRouter();
  const json = express.json({ limit: JSON_LIMIT_BYTES });

  router.get('/contracts', (req, res) => {
    const { format } = listQuery.parse(req.query);
    const list = contracts.list() satisfies readonly ContractAnswer[];
    if (format !== 'csv') {
      res.json({ contracts: list } satisfies Sent<typeof contractListAnswer>);
      return;
    }
    const rows = list.map((c) => {
      const v = contracts.valuation(Number(c.id));
      return [
        c.id,
        c.customer,
        capacityText(c.capacity),
        c.start,
        c.end,
        c.monthlyPriceUsd,
        c.status,
        c.pods.length,
        v.tcvUsd,
        v.revenueToDateUsd,
        v.guaranteedUsd,
        v.asOf,
      ];
    });
    sendCsv(res, 'contracts.csv', CONTRACT_COLUMNS, rows);
  });

  router.post('/contracts', json, (req, res) => {
    const created = contracts.create(req.body);
    res
      .status(201)
      .location(`/api/v1/contracts/${created.id}`)
      .json(created satisfies ContractAnswer);
  });

  router.get('/contracts/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    const found = contracts.get(id);
    if (!found) throw new DomainError('not_found', `no contract with id ${id}`);
    res.json(found satisfies ContractAnswer);
  });

  router.put('/contracts/:id', json, (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(contracts.update(id, req.body) satisfies ContractAnswer);
  });

  router.delete('/contracts/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    contracts.remove(id);
    res.status(204).end();
  });

  router.get('/contracts/:id/valuation', (req, res) => {
    const { id } = idParams.parse(req.params);
    const { asOf } = valuationQuery.parse(req.query);
    res.json(contracts.valuation(id, asOf) satisfies Sent<typeof valuationAnswer>);
  });
  return router;
}

/** The operations above for the OpenAPI document; request bodies are the `contractBodySchema` the service parses with, answers protocol/contracts.ts. */
export const contractPaths: ZodOpenApiPathsObject = {
  '/api/v1/contracts': {
    get: {
      operationId: 'listContracts',
      summary: 'The contract book',
      tags: ['contracts'],
      requestParams: { query: listQuery },
      responses: {
        200: withCsv(
          jsonAnswer('Every contract, with the pods it is delivered on', contractListAnswer),
          `one line per contract: ${CONTRACT_COLUMNS.join(', ')} (valued as of today; capacity as \`4 pods\`, \`64 gpus\` or \`30000000 watts\`)`,
        ),
        ...errorAnswers(400),
      },
    },
    post: {
      operationId: 'createContract',
      summary: 'Record a contract; it is allocated whole pods at once',
      tags: ['contracts'],
      requestBody: { required: true, content: { 'application/json': { schema: contractBodySchema } } },
      responses: {
        201: { ...jsonAnswer('Recorded; `Location` is its URL', contractAnswer), headers: z.object({ location: z.string() }) },
        ...errorAnswers(400, 413),
      },
    },
  },
  '/api/v1/contracts/{id}': {
    get: {
      operationId: 'getContract',
      summary: 'One contract',
      tags: ['contracts'],
      requestParams: { path: idParams },
      responses: { 200: jsonAnswer('The contract', contractAnswer), ...errorAnswers(400, 404) },
    },
    put: {
      operationId: 'replaceContract',
      summary: "Replace a contract's terms (the id comes from the URL; `pods` and `shortfallPods` sent back are ignored)",
      tags: ['contracts'],
      requestParams: { path: idParams },
      requestBody: { required: true, content: { 'application/json': { schema: contractBodySchema } } },
      responses: { 200: jsonAnswer('The contract as now allocated', contractAnswer), ...errorAnswers(400, 404, 413) },
    },
    delete: {
      operationId: 'deleteContract',
      summary: 'Delete a contract; its pods go back to the pool',
      tags: ['contracts'],
      requestParams: { path: idParams },
      responses: { 204: { description: 'Deleted' }, ...errorAnswers(400, 404) },
    },
  },
  '/api/v1/contracts/{id}/valuation': {
    get: {
      operationId: 'valueContract',
      summary: 'What a contract is worth on a date: TCV, revenue to date, guaranteed, implied rates',
      tags: ['contracts'],
      requestParams: { path: idParams, query: valuationQuery },
      responses: {
        200: jsonAnswer('What the contract is worth as of the date; fields in USD', valuationAnswer),
        ...errorAnswers(400, 404),
      },
    },
  },
};
