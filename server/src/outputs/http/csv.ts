import type { Response } from 'express';
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { toCsv, type CsvCell } from '../../protocol/csv.js';

/** CSV exports (`?format=csv`) for the people who take the figures to finance; the writer is protocol/csv.ts. */

/** Answers with a CSV download named `filename`. */
export function sendCsv(res: Response, filename: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  res.send(toCsv(header, rows));
}

/** `format`: the query parameter of every operation that can answer CSV. */
export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe('`csv` answers the same as a CSV download (RFC 4180, UTF-8); default `json`');

/** A JSON answer that also comes as text/csv with `?format=csv`. */
export function withCsv(answer: ZodOpenApiResponseObject, columns: string): ZodOpenApiResponseObject {
  return {
    ...answer,
    content: { ...answer.content, 'text/csv': { schema: z.string().describe(`With \`?format=csv\`: a header line, then ${columns}`) } },
  };
}
