import { z } from 'zod';

/** The answer of GET /api/v1/history. */

/** Every metric kept per scope (domain/fleet/rollup.ts HISTORY_METRICS; routes/history.ts checks the two agree). */
export const HISTORY_METRICS = [
  'utilization',
  'power_watts',
  'facility_watts',
  'gpus_busy',
  'gpus_held',
  'gpus_idle',
  'gpus_sold',
  'gpus_down',
  'gpus_unknown',
] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export const historyAnswer = z
  .strictObject({
    scope: z.string(),
    metric: z.enum(HISTORY_METRICS),
    from: z.number().int().describe('Unix seconds'),
    to: z.number().int().describe('Unix seconds'),
    stepSeconds: z.number().int(),
    points: z.array(z.tuple([z.number().int(), z.number()])).describe('`[unix seconds, value]` pairs'),
  })
  .meta({ id: 'History' });
export type HistoryAnswer = z.output<typeof historyAnswer>;
