import { describe, expect, it } from 'vitest';
import { cell, formatTable, TABLE_COLUMNS, type TableRow } from '../../bench/lib/table.js';

const row = (over: Partial<TableRow> = {}): TableRow => ({
  id: '1',
  benchmark: 'ingest',
  figure: '3.1M samples/s',
  goal: '≥ 8×',
  baseline: 'parser 0.4M samples/s',
  ratio: '7.8×',
  verdict: 'miss',
  ...over,
});

describe('formatTable', () => {
  it('prints a header, a separator and one line per row, verdicts in capitals', () => {
    const lines = formatTable([row(), row({ id: '2', verdict: 'pass' })]).split('\n');
    expect(lines).toHaveLength(4);
    expect(
      lines[0]
        ?.split('|')
        .map((s) => s.trim())
        .filter(Boolean),
    ).toEqual([...TABLE_COLUMNS]);
    expect(lines[1]).toMatch(/^\|-+(\|-+)+\|$/);
    expect(lines[2]).toContain('| MISS');
    expect(lines[3]).toContain('| PASS');
  });

  it('pads every column to its widest cell, counting ≥ and × as one character each', () => {
    const lines = formatTable([row({ goal: '≥ 8× baseline and ≥ 2M/s' }), row({ goal: 'short' })]).split('\n');
    const widths = lines.map((l) => [...l].length);
    expect(new Set(widths).size).toBe(1);
  });

  it('keeps a cell holding | or a newline inside its column', () => {
    expect(cell('a|b\nc')).toBe('a\\|b c');
    const table = formatTable([row({ figure: 'x | y' })]);
    expect(table.split('\n')[2]?.match(/(?<!\\)\|/g)).toHaveLength(TABLE_COLUMNS.length + 1);
  });
});
