import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { demandPlanBodySchema } from '../../../domain/capacity/demand-plan-terms.js';
import { demandPlanAnswer, demandPlanListAnswer } from '../../../protocol/demand-plans.js';
import type { Sent } from '../../../protocol/sent.js';
import type { DemandPlansDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const idParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a demand plan id (a whole number ≥ 1)')
    .describe('Demand plan id')
    .transform(Number),
});

type DemandPlanAnswer = Sent<typeof demandPlanAnswer>;

/** A plan's body is a few short fields and a note of at most 2,000 characters. */
const JSON_LIMIT_BYTES = 16_384;

/**
 * Planned internal demand: GET/POST `/demand-plans`, GET/PUT/DELETE `/demand-plans/:id`.
 * Bodies are validated by the service (parseDemandPlanTerms) and errors name the field.
 */
export function demandPlanRoutes(plans: DemandPlansDeps): Router {
  const router = newRouter();
  const json = express.json({ limit: JSON_LIMIT_BYTES });

  router.get('/demand-plans', (_req, res) => {
    res.json({ plans: plans.list() } satisfies Sent<typeof demandPlanListAnswer>);
  });

  router.post('/demand-plans', json, (req, res) => {
    const created = plans.create(req.body);
    res
      .status(201)
      .location(`/api/v1/demand-plans/${created.id}`)
      .json(created satisfies DemandPlanAnswer);
  });

  router.get('/demand-plans/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(plans.get(id) satisfies DemandPlanAnswer);
  });

  router.put('/demand-plans/:id', json, (req, res) => {
    const { id } = idParams.parse(req.params);
    res.json(plans.update(id, req.body) satisfies DemandPlanAnswer);
  });

  router.delete('/demand-plans/:id', (req, res) => {
    const { id } = idParams.parse(req.params);
    plans.remove(id);
    res.status(204).end();
  });
  return router;
}

const TAGS = ['capacity'];

/** The operations above for the OpenAPI document; bodies are the `demandPlanBodySchema` the service parses with. */
export const demandPlanPaths: ZodOpenApiPathsObject = {
  '/api/v1/demand-plans': {
    get: {
      operationId: 'listDemandPlans',
      summary: 'Planned internal demand: every plan',
      tags: TAGS,
      responses: { 200: jsonAnswer('Every plan, by id', demandPlanListAnswer) },
    },
    post: {
      operationId: 'createDemandPlan',
      summary: 'Record a plan: the whole internal demand expected from start to end, a floor under the forecast',
      tags: TAGS,
      requestBody: { required: true, content: { 'application/json': { schema: demandPlanBodySchema } } },
      responses: {
        201: { ...jsonAnswer('Recorded; `Location` is its URL', demandPlanAnswer), headers: z.object({ location: z.string() }) },
        ...errorAnswers(400, 413),
      },
    },
  },
  '/api/v1/demand-plans/{id}': {
    get: {
      operationId: 'getDemandPlan',
      summary: 'One plan',
      tags: TAGS,
      requestParams: { path: idParams },
      responses: { 200: jsonAnswer('The plan', demandPlanAnswer), ...errorAnswers(400, 404) },
    },
    put: {
      operationId: 'replaceDemandPlan',
      summary: 'Replace a plan (the id comes from the URL; `id` and `createdAt` sent back are ignored)',
      tags: TAGS,
      requestParams: { path: idParams },
      requestBody: { required: true, content: { 'application/json': { schema: demandPlanBodySchema } } },
      responses: { 200: jsonAnswer('The plan as now stored', demandPlanAnswer), ...errorAnswers(400, 404, 413) },
    },
    delete: {
      operationId: 'deleteDemandPlan',
      summary: 'Delete a plan; the forecast alone applies again',
      tags: TAGS,
      requestParams: { path: idParams },
      responses: { 204: { description: 'Deleted' }, ...errorAnswers(400, 404) },
    },
  },
};
