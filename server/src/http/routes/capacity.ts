import express, { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { CapacityDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';

const isoDay = z.iso.date();

/** `{ gpus | pods | watts, start, months, monthlyPriceUsd? }`: exactly one capacity field. */
export const whatIfSchema = z
  .strictObject({
    gpus: z.number().int().positive().optional(),
    pods: z.number().int().positive().optional(),
    watts: z.number().positive().optional(),
    start: isoDay,
    months: z.number().int().min(1).max(600),
    monthlyPriceUsd: z.number().positive().max(10_000_000_000).optional(),
  })
  .refine((b) => [b.gpus, b.pods, b.watts].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of gpus, pods or watts',
    path: ['gpus'],
  });

export function capacityRoutes(capacity: CapacityDeps): Router {
  const router = Router();
  router.get('/capacity', (_req, res) => {
    res.json(capacity.capacity());
  });
  // A what-if body is a few fields: a small limit keeps a careless client's megabytes out.
  router.post('/what-if', express.json({ limit: 16 * 1024 }), (req, res) => {
    const body = whatIfSchema.parse(req.body);
    const sold = body.gpus !== undefined ? { gpus: body.gpus } : body.pods !== undefined ? { pods: body.pods } : { watts: body.watts ?? 0 };
    res.json(
      capacity.whatIf({
        capacity: sold,
        startS: Date.parse(`${body.start}T00:00:00Z`) / 1000,
        months: body.months,
        monthlyPriceUsd: body.monthlyPriceUsd ?? null,
      }),
    );
  });
  return router;
}

/**
 * The operations above for the OpenAPI document. Both answers are TypeScript types of
 * capacity/capacity-service.ts with no zod schema, so they are described in words only.
 */
export const capacityPaths: ZodOpenApiPathsObject = {
  '/api/v1/capacity': {
    get: {
      operationId: 'getCapacity',
      summary: 'Sellable capacity in whole pods, its value, the reserve, stranded power and oversold risk',
      tags: ['capacity'],
      responses: {
        200: jsonAnswer('GPUs by state, power, sellable blocks with their value, risk and the demand forecast (capacity-service.ts `capacity()`)'),
        ...errorAnswers(503),
      },
    },
  },
  '/api/v1/what-if': {
    post: {
      operationId: 'whatIf',
      summary: 'What selling this much from this date would do: fit, shortfall, value and risk',
      tags: ['capacity'],
      requestBody: { required: true, content: { 'application/json': { schema: whatIfSchema } } },
      responses: { 200: jsonAnswer('The what-if answer (capacity-service.ts `whatIf()`)'), ...errorAnswers(400, 413, 503) },
    },
  },
};
