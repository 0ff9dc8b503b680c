import express, { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import type { ContractsDeps } from '../deps.js';

const idParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a contract id (a whole number ≥ 1)')
    .transform(Number),
});
const valuationQuery = z.object({ asOf: z.iso.date('must be an ISO date YYYY-MM-DD').optional() });

/** A contract's JSON body is small; 64 KiB leaves room for a long ramp. */
const JSON_LIMIT_BYTES = 65_536;

/**
 * Contracts: POST/GET `/contracts`, GET/PUT/DELETE `/contracts/:id`,
 * GET `/contracts/:id/valuation?asOf=YYYY-MM-DD`. Bodies are validated by the service
 * (parseContract) and errors name the field.
 */
export function contractRoutes(contracts: ContractsDeps): Router {
  const router = Router();
  const json = express.json({ limit: JSON_LIMIT_BYTES });

  router.get('/contracts', (_req, res) => {
    res.json({ contracts: contracts.list() });
  });

  router.post('/contracts', json, (req, res) => {
    const created = contracts.create(req.body);
    res.status(201).location(`/api/v1/contracts/${created.id}`).json(created);
  });

  router.get('/contracts/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    const found = contracts.get(id);
    if (!found) throw new DomainError('not_found', `no contract with id ${id}`);
    res.json(found);
  });

  router.put('/contracts/:id', json, (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(contracts.update(id, req.body));
  });

  router.delete('/contracts/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    contracts.remove(id);
    res.status(204).end();
  });

  router.get('/contracts/:id/valuation', (req, res) => {
    const { id } = idParams.parse(req.params);
    const { asOf } = valuationQuery.parse(req.query);
    res.json(contracts.valuation(id, asOf));
  });
  return router;
}
