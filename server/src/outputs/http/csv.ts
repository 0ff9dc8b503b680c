import type { Response } from 'express';
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';

/**
 * CSV exports (`?format=csv`) for the people who take the figures to finance.
 *
 * A tiny RFC 4180 writer rather than a library: no CSV library is installed (csv-stringify would
 * be the one to add if exports grow streaming or options), and the rules are few — CRLF between
 * records, a field quoted when it holds a comma, a double quote, CR or LF, a quote inside doubled.
 */

export type CsvCell = string | number | boolean | null;

/** Spreadsheets run a text cell starting with one of these as a formula (CSV injection, OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

function field(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  // A customer named `=HYPERLINK(…)` must arrive as text: a leading apostrophe keeps it one.
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line and one line per row, CRLF-terminated (RFC 4180 §2). Numbers as JavaScript prints them. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}

/** Answers with a CSV download named `filename`. */
export function sendCsv(res: Response, filename: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  res.send(toCsv(header, rows));
}

/** `format`: the query parameter of every operation that can answer CSV. */
export const formatParam = z.enum(['json', 'csv']).optional().describe('`csv` answers the same as a CSV download (RFC 4180, UTF-8); default `json`');

/** A JSON answer that also comes as text/csv with `?format=csv`. */
export function withCsv(answer: ZodOpenApiResponseObject, columns: string): ZodOpenApiResponseObject {
  return {
    ...answer,
    content: { ...answer.content, 'text/csv': { schema: z.string().describe(`With \`?format=csv\`: a header line, then ${columns}`) } },
  };
}
