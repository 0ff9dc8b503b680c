import type { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { durationSeconds } from '../../../domain/duration.js';
import { DomainError } from '../../../domain/errors.js';
import { GPU_HISTORY_METRICS, HISTORY_METRICS, type HistoryMetric } from '../../../domain/fleet/rollup.js';
import type { HISTORY_METRICS as ANSWERED_METRICS } from '../../../protocol/history.js';
import { historyAnswer } from '../../../protocol/history.js';
import type { Sent } from '../../../protocol/sent.js';
import { formatParam, sendCsv, withCsv } from '../csv.js';
import type { AppDeps } from '../deps.js';
import { errorAnswers, jsonAnswer } from '../openapi-parts.js';
import { newRouter } from '../router.js';

/** Finest step each scope is stored at (see docs/operations.md "History and storage"). */
const RESOLUTION_S = { site: 60, hall: 60, pod: 300, gpu: 3600 } as const;
/** Bounds one answer, so a careless query cannot ask for millions of points. */
const MAX_POINTS = 20_000;

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Math.floor(Date.parse(s) / 1000));

const historyQuery = z.object({
  scope: z
    .string()
    .regex(/^(site|(hall|pod|gpu):.+)$/, 'must be site, hall:<id>, pod:<id> or gpu:<uuid>')
    .describe('site, hall:<id>, pod:<id> or gpu:<uuid>'),
  metric: z.enum(HISTORY_METRICS).describe(`Per GPU only ${GPU_HISTORY_METRICS.join(' and ')}`),
  from: isoTime.optional().describe('Start, RFC 3339; default `to` − 24 h'),
  to: isoTime.optional().describe('End, RFC 3339; default now'),
  step: durationSeconds(1).optional().describe("Duration like 30s, 5m, 1h, 7d (or seconds); rounded up to the scope's stored resolution"),
  format: formatParam,
});

const HISTORY_COLUMNS = ['timestamp', 'unixSeconds', 'value'];

type AnsweredMetric = (typeof ANSWERED_METRICS)[number];
// The protocol restates the metric list (it may not import domain/): this stops compiling when the two differ.
const _sameMetrics: [HistoryMetric, AnsweredMetric] extends [AnsweredMetric, HistoryMetric] ? true : false = true;

export function historyRoutes(deps: AppDeps): Router {
  const router = newRouter();
  router.get('/history', (req, res) => {
    const q = historyQuery.parse(req.query);
    const [kind, id = ''] =
      q.scope === 'site' ? ['site', ''] : [q.scope.slice(0, q.scope.indexOf(':')), q.scope.slice(q.scope.indexOf(':') + 1)];
    const resolution = RESOLUTION_S[kind as keyof typeof RESOLUTION_S];
    const nowS = Math.floor(deps.now() / 1000);
    const toS = q.to ?? nowS;
    const fromS = q.from ?? toS - 86_400;
    if (fromS >= toS) throw new DomainError('invalid', 'from: must be before to', { path: 'from' });
    const requested = q.step ?? resolution;
    const stepS = Math.max(resolution, Math.ceil(requested / resolution) * resolution);
    if ((toS - fromS) / stepS > MAX_POINTS) {
      throw new DomainError('invalid', `step: ${stepS}s over this range gives more than ${MAX_POINTS} points; use a larger step`, {
        path: 'step',
      });
    }
    const { state } = deps.fleet;
    let points: Array<[number, number]>;
    if (kind === 'gpu') {
      const slot = state.slotByUuid.get(id);
      if (slot === undefined) throw new DomainError('not_found', `no GPU with UUID ${id} has reported`);
      const metric = q.metric;
      if (!(GPU_HISTORY_METRICS as readonly string[]).includes(metric)) {
        throw new DomainError('invalid', `metric: ${metric} is not recorded per GPU (use ${GPU_HISTORY_METRICS.join(' or ')})`, {
          path: 'metric',
        });
      }
      points = deps.gpuHistory.query(slot, metric as (typeof GPU_HISTORY_METRICS)[number], fromS, toS, stepS);
    } else {
      if (kind === 'hall' && !state.topology.halls.some((h) => h.id === id)) throw new DomainError('not_found', `no hall ${id}`);
      if (kind === 'pod' && !state.topology.pods.some((p) => p.id === id)) throw new DomainError('not_found', `no pod ${id}`);
      points = deps.history.query(q.scope, q.metric, fromS, toS, stepS);
    }
    if (q.format === 'csv') {
      const rows = points.map(([t, value]) => [new Date(t * 1000).toISOString(), t, value]);
      sendCsv(res, `history-${q.scope}-${q.metric}.csv`, HISTORY_COLUMNS, rows);
      return;
    }
    res.json({ scope: q.scope, metric: q.metric, from: fromS, to: toS, stepSeconds: stepS, points } satisfies Sent<typeof historyAnswer>);
  });
  return router;
}

/** The operation above for the OpenAPI document. */
export const historyPaths: ZodOpenApiPathsObject = {
  '/api/v1/history': {
    get: {
      operationId: 'getHistory',
      summary: 'History of one metric for a scope, at most 20,000 points',
      tags: ['history'],
      requestParams: { query: historyQuery },
      responses: {
        200: withCsv(
          jsonAnswer('The series', historyAnswer),
          `one line per point: ${HISTORY_COLUMNS.join(', ')} (timestamp in ISO 8601 UTC)`,
        ),
        ...errorAnswers(400, 404),
      },
    },
  },
};
