/**
 * The one CSV writer, for the server's exports (`?format=csv`) and the dashboard's own (a chart's
 * series), so both follow the same rules: RFC 4180 — CRLF after every record, a field quoted when
 * it holds a double quote, CR, LF or the separator of any locale (`,`, `;`, tab), a quote inside
 * doubled — and text that a spreadsheet would run as a formula arrives as text, also where a
 * reader that splits on another locale's separator would start a cell. Small enough that a
 * library would be more to audit.
 */

export type CsvCell = string | number | boolean | null | undefined;

/** Spreadsheets run a text cell starting with one of these as a formula (CSV injection, OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A formula start after a separator of some locale (spaces between): a cell of its own to a reader that splits there. */
const FORMULA_AFTER_SEPARATOR = /([,;\t] *)([=+\-@])/g;
const NEEDS_QUOTES = /[",;\t\r\n]/;

function field(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  // A customer named `=HYPERLINK(…)` must arrive as text: a leading apostrophe keeps it one, and
  // `Acme;=cmd|…` must not become a formula cell where `;` separates (issue 16).
  const guarded = cell.replace(FORMULA_AFTER_SEPARATOR, "$1'$2");
  const text = FORMULA_START.test(guarded) ? `'${guarded}` : guarded;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line and one line per row, CRLF-terminated (RFC 4180 §2). Numbers as JavaScript prints them. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}
