import { z } from 'zod';

/** The answer of every push (POST /api/v1/ingest/dcgm, /nvidia-smi, /json). */
export const ingestAnswer = z
  .strictObject({
    accepted: z.number().int().describe('Samples taken'),
    gpus: z.number().int().describe('Distinct GPUs in the batch'),
    seq: z.number().int().describe('Journal sequence number of the batch'),
    replayed: z
      .boolean()
      .describe('true when the same request came before under this Idempotency-Key: this is its first answer, nothing was applied again'),
  })
  .meta({ id: 'IngestAnswer' });
