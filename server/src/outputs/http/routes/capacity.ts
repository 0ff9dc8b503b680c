import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { formatParam, sendCsv, withCsv } from '../csv.js';
import { capacityAnswer, whatIfAnswer } from '../../../protocol/capacity.js';
import type { Sent } from '../../../protocol/sent.js';
import type { CapacityDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

const isoDay = z.iso.date();

/** `{ gpus | pods | watts, start, months, monthlyPriceUsd?, model? }`: exactly one capacity field. */
export const whatIfSchema = z
  .strictObject({
    gpus: z.number().int().positive().optional(),
    pods: z.number().int().positive().optional(),
    watts: z.number().positive().optional(),
    start: isoDay,
    months: z.number().int().min(1).max(600),
    monthlyPriceUsd: z.number().positive().max(10_000_000_000).optional(),
    model: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("GPU model key (`GB200`): the sale takes that model's pods only; absent: any pods"),
  })
  .refine((b) => [b.gpus, b.pods, b.watts].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of gpus, pods or watts',
    path: ['gpus'],
  });

const capacityQuery = z.object({ format: formatParam });

/** The sellable blocks as CSV: one row per block, the columns of `sellable.blocks` in the JSON. */
const BLOCK_COLUMNS = ['id', 'hall', 'pods', 'model', 'fabric', 'gpus', 'watts', 'valueUsdPerMonth'];

export function capacityRoutes(capacity: CapacityDeps): Router {
  const router = newRouter();
  router.get('/capacity', (req, res) => {
    const { format } = capacityQuery.parse(req.query);
    // Typed, not parsed: at Colossus scale the report is large and served every few seconds.
    const report = capacity.capacity() satisfies Sent<typeof capacityAnswer>;
    if (format !== 'csv') {
      res.json(report);
      return;
    }
    const rows = report.sellable.blocks.map((b) => [
      b.id,
      b.hall,
      b.pods.join(' '),
      b.model,
      b.fabric,
      b.gpus,
      b.watts,
      b.valueUsdPerMonth,
    ]);
    sendCsv(res, `sellable-blocks-${report.updatedAt.slice(0, 10)}.csv`, BLOCK_COLUMNS, rows);
  });
  // A what-if body is a few fields: a small limit keeps a careless client's megabytes out.
  router.post('/what-if', express.json({ limit: 16 * 1024 }), (req, res) => {
    const body = whatIfSchema.parse(req.body);
    const sold = body.gpus !== undefined ? { gpus: body.gpus } : body.pods !== undefined ? { pods: body.pods } : { watts: body.watts ?? 0 };
    res.json(
      capacity.whatIf({
        capacity: sold,
        start: body.start,
        months: body.months,
        monthlyPriceUsd: body.monthlyPriceUsd ?? null,
        model: body.model ?? null,
      }) satisfies Sent<typeof whatIfAnswer>,
    );
  });
  return router;
}

/** The operations above for the OpenAPI document; answers are the protocol/capacity.ts schemas. */
export const capacityPaths: ZodOpenApiPathsObject = {
  '/api/v1/capacity': {
    get: {
      operationId: 'getCapacity',
      summary: 'Sellable capacity in whole pods, its value, the reserve, stranded power and oversold risk',
      tags: ['capacity'],
      requestParams: { query: capacityQuery },
      responses: {
        200: withCsv(
          jsonAnswer('GPUs by state, power, sellable blocks with their value, risk and the demand forecast', capacityAnswer),
          `one line per sellable block: ${BLOCK_COLUMNS.join(', ')} (pods separated by spaces)`,
        ),
        ...errorAnswers(400, 503),
      },
    },
  },
  '/api/v1/what-if': {
    post: {
      operationId: 'whatIf',
      summary: 'What selling this much from this date would do: fit, shortfall, value and risk',
      tags: ['capacity'],
      requestBody: { required: true, content: { 'application/json': { schema: whatIfSchema } } },
      responses: { 200: jsonAnswer('The what-if answer', whatIfAnswer), ...errorAnswers(400, 413, 503) },
    },
  },
};
