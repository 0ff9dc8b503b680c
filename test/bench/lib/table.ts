/**
 * The result table: one Markdown table, padded so it also reads in a terminal.
 */

export const TABLE_COLUMNS = ['#', 'benchmark', 'figure', 'goal', 'baseline (same run)', 'ratio', 'result'] as const;

export type Verdict = 'pass' | 'miss' | 'skipped' | 'n/a' | 'error';

export interface TableRow {
  id: string;
  benchmark: string;
  figure: string;
  goal: string;
  baseline: string;
  ratio: string;
  verdict: Verdict;
}

/** A cell's text with what would break a Markdown table row escaped or flattened. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Display width: code points, so `≥`, `×` and `µ` count once. */
const width = (s: string): number => [...s].length;

/** Formats rows as a Markdown table with every column padded to its widest cell. */
export function formatTable(rows: readonly TableRow[]): string {
  const body = rows.map((r) => [r.id, r.benchmark, r.figure, r.goal, r.baseline, r.ratio, r.verdict.toUpperCase()].map(cell));
  const header = [...TABLE_COLUMNS];
  const widths = header.map((h, c) => Math.max(3, width(h), ...body.map((line) => width(line[c] ?? ''))));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, c) => text + ' '.repeat((widths[c] ?? 0) - width(text))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
