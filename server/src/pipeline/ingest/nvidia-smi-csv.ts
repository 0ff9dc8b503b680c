/**
 * `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]` output → IngestBatch.
 * Pure: no I/O, no clock (timestamps are only subtracted from each other).
 */
import { DomainError } from '../../domain/errors.js';
import type { GpuSample, IngestBatch } from '../../domain/fleet/readings.js';
import { labelTooLong, longerThan } from './label-length.js';
import { looksLikeHeader, NVIDIA_SMI_DEFAULT_FIELDS, roleOf, splitHeaderCell, type ColumnRole } from './nvidia-smi-fields.js';

export interface NvidiaSmiParseOptions {
  /** The node the output came from (nvidia-smi does not print it). */
  host: string;
  /** Column order of headerless (`noheader`) output; default NVIDIA_SMI_DEFAULT_FIELDS. Ignored when a header is present. */
  fields?: readonly string[];
  /** Reject outputs with more lines than this (code `too_large`). No limit when omitted. */
  maxLines?: number;
  /** Reject outputs with a cell (header cells too) of more characters than this (code `too_large`). No limit when omitted. */
  maxLabelLength?: number;
}

interface Column {
  name: string;
  /** 1-based position in the row. */
  position: number;
  role: ColumnRole;
}

/** Preference when several columns carry the board power. */
const POWER_COLUMNS = ['power.draw', 'power.draw.average', 'power.draw.instant'];
/** Preference when both power limits are queried. */
const LIMIT_COLUMNS = ['enforced.power.limit', 'power.limit'];

const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const MEASURE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\s*(\S+))?$/;

/**
 * Parses nvidia-smi CSV into GpuSamples, one per row.
 *
 * - A header line is detected and maps columns by name (unit suffixes like ` [W]` stripped,
 *   aliases such as `clocks.sm` ↔ `clocks.current.sm` understood); without one the order is
 *   `opts.fields` or NVIDIA_SMI_DEFAULT_FIELDS.
 * - Values may carry their unit (`119.32 W`) or not (`nounits`); a wrong unit is an error.
 *   `[N/A]`, `[Not Supported]`, `[Unknown Error]` and any other `[…]` become null.
 * - Several rows per GPU (`-lms` traces) give several samples, oldest first, with offsetMs =
 *   row timestamp − the latest timestamp in the batch (so the newest is 0). Timestamps are
 *   local time of unknown zone: only differences are used. Without a timestamp column every
 *   offset is 0 and a second row for a uuid is a duplicate.
 * - Throws DomainError('invalid', 'line N, column C: …', { line, column? }) for a wrong column
 *   count, bad number/unit/timestamp, out-of-range value, missing uuid, duplicate row;
 *   'too_large' past maxLines or a cell past maxLabelLength. Either the whole batch is returned or nothing.
 */
export function parseNvidiaSmiCsv(text: string, opts: NvidiaSmiParseOptions): IngestBatch {
  if (opts.host.trim().length === 0) throw new DomainError('invalid', 'nvidia-smi: host must not be empty', { column: 'host' });
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const maxLines = opts.maxLines ?? Number.POSITIVE_INFINITY;
  if (lines.length > maxLines) {
    throw new DomainError('too_large', `line ${maxLines + 1}: more than ${maxLines} lines (MAX_LINES_PER_BATCH)`, {
      line: maxLines + 1,
      maxLines,
    });
  }

  const maxLabelLength = opts.maxLabelLength ?? Number.POSITIVE_INFINITY;
  let columns: Column[] | null = null;
  const rows: Array<{ sample: GpuSample; timeMs: number; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripCr(lines[i] ?? '');
    if (line.trim().length === 0) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (columns === null) {
      if (looksLikeHeader(cells)) {
        checkCellLengths(cells, null, lineNo, maxLabelLength);
        columns = headerColumns(cells, lineNo);
        continue;
      }
      columns = fieldColumns(opts.fields ?? NVIDIA_SMI_DEFAULT_FIELDS);
    }
    checkCellLengths(cells, columns, lineNo, maxLabelLength);
    rows.push(parseRow(cells, columns, lineNo, opts.host));
  }
  return { samples: orderSamples(rows), nodes: [], meters: [] };
}

/** Every cell within the limit; named by its column once the columns are known (a header's own cells by position). */
function checkCellLengths(cells: readonly string[], columns: readonly Column[] | null, lineNo: number, max: number): void {
  for (let i = 0; i < cells.length; i++) {
    if (!longerThan(cells[i] ?? '', max)) continue;
    const column = columns?.[i];
    const where = column ? `line ${lineNo}, column ${column.name} (${i + 1})` : `line ${lineNo}, column ${i + 1}`;
    throw labelTooLong(where, 'cell', max, { line: lineNo, column: column?.name ?? i + 1 });
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function headerColumns(cells: readonly string[], lineNo: number): Column[] {
  const columns = cells.map((cell, i) => {
    const { name, unit } = splitHeaderCell(cell);
    const role = roleOf(name);
    if (role.kind === 'measure' && unit !== null && unit !== role.unit) {
      fail(lineNo, name, i + 1, `header unit [${unit}] where [${role.unit}] is expected`);
    }
    return { name, position: i + 1, role };
  });
  return checkColumns(columns, lineNo);
}

function fieldColumns(fields: readonly string[]): Column[] {
  const columns = fields.map((field, i) => {
    const name = splitHeaderCell(field.trim()).name;
    return { name, position: i + 1, role: roleOf(name) };
  });
  return checkColumns(columns, null);
}

/** Rejects repeated columns, needs uuid and a utilization or power column, keeps one power column and one limit column. */
function checkColumns(columns: Column[], lineNo: number | null): Column[] {
  const where = lineNo === null ? 'nvidia-smi fields' : `line ${lineNo}`;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new DomainError('invalid', `${where}: column ${c.name} appears twice`, { line: lineNo, column: c.name });
    seen.add(c.name);
  }
  if (!seen.has('uuid')) throw new DomainError('invalid', `${where}: no uuid column`, { line: lineNo, column: 'uuid' });
  const power = POWER_COLUMNS.find((name) => seen.has(name));
  if (!seen.has('utilization.gpu') && power === undefined) {
    throw new DomainError('invalid', `${where}: needs a utilization.gpu or power.draw column`, { line: lineNo, column: 'utilization.gpu' });
  }
  const limit = LIMIT_COLUMNS.find((name) => seen.has(name));
  return columns.map((c) =>
    c.role.kind === 'measure' &&
    ((c.role.field === 'powerWatts' && c.name !== power) || (c.role.field === 'powerLimitWatts' && c.name !== limit))
      ? { ...c, role: { kind: 'ignored' } }
      : c,
  );
}

function parseRow(
  cells: readonly string[],
  columns: readonly Column[],
  lineNo: number,
  host: string,
): { sample: GpuSample; timeMs: number; line: number } {
  if (cells.length !== columns.length) {
    throw new DomainError('invalid', `line ${lineNo}: expected ${columns.length} columns, found ${cells.length}`, { line: lineNo });
  }
  const sample: GpuSample = {
    uuid: '',
    host,
    index: -1,
    modelName: null,
    utilPercent: null,
    powerWatts: null,
    powerLimitWatts: null,
    memUsedMiB: null,
    memTotalMiB: null,
    xid: null,
    offsetMs: 0,
  };
  let timeMs = 0;
  for (const column of columns) {
    const cell = cells[column.position - 1] ?? '';
    const role = column.role;
    switch (role.kind) {
      case 'timestamp': {
        const t = isNullToken(cell) ? null : parseTimestamp(cell);
        if (t === null) fail(lineNo, column.name, column.position, `bad timestamp "${cell}" (expected YYYY/MM/DD HH:MM:SS.mmm)`);
        timeMs = t;
        break;
      }
      case 'index':
        if (!isNullToken(cell)) {
          if (!/^\d{1,6}$/.test(cell)) fail(lineNo, column.name, column.position, `bad index "${cell}"`);
          sample.index = Number(cell);
        }
        break;
      case 'uuid':
        if (isNullToken(cell) || cell.length === 0) fail(lineNo, column.name, column.position, 'missing uuid');
        if (cell.length > 256) fail(lineNo, column.name, column.position, 'uuid longer than 256 characters');
        sample.uuid = cell;
        break;
      case 'name':
        sample.modelName = isNullToken(cell) || cell.length === 0 ? null : cell;
        break;
      case 'measure':
        sample[role.field] = parseMeasure(cell, role, lineNo, column);
        break;
      case 'ignored':
        break;
    }
  }
  return { sample, timeMs, line: lineNo };
}

/** `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, … and bare N/A. */
function isNullToken(cell: string): boolean {
  return (cell.startsWith('[') && cell.endsWith(']')) || cell === 'N/A';
}

function parseMeasure(cell: string, role: Extract<ColumnRole, { kind: 'measure' }>, lineNo: number, column: Column): number | null {
  if (isNullToken(cell)) return null;
  const m = MEASURE.exec(cell);
  if (m === null) fail(lineNo, column.name, column.position, `bad number "${cell}"`);
  const unit = m[2];
  if (unit !== undefined && unit !== role.unit)
    fail(lineNo, column.name, column.position, `unit "${unit}" where ${role.unit} is expected in "${cell}"`);
  const value = Number(m[1]);
  if (!(value >= role.min && value <= role.max)) {
    const range = role.max === Number.POSITIVE_INFINITY ? `≥ ${role.min}` : `${role.min}–${role.max}`;
    fail(lineNo, column.name, column.position, `${value} ${role.unit} is out of range (must be ${range} ${role.unit})`);
  }
  return value;
}

/** `YYYY/MM/DD HH:MM:SS[.fff]` read as if UTC (the zone is unknown; only differences matter), or null. */
export function parseTimestamp(cell: string): number | null {
  const m = TIMESTAMP.exec(cell);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7] ?? '';
  // Whole milliseconds as an integer (no 0.886 × 1000 rounding), finer digits as a fraction.
  const ms =
    fraction === '' ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3)) + (fraction.length > 3 ? Number(`0.${fraction.slice(3)}`) : 0);
  const t = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(t);
  // Date.UTC rolls 2026/02/30 over to March: a round trip catches impossible dates.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  return t + ms;
}

/** Oldest first (stable), offsets relative to the newest row; a uuid twice at one instant is a duplicate. */
function orderSamples(rows: Array<{ sample: GpuSample; timeMs: number; line: number }>): GpuSample[] {
  const firstLineAt = new Map<string, Map<number, number>>();
  for (const row of rows) {
    let times = firstLineAt.get(row.sample.uuid);
    if (times === undefined) {
      times = new Map();
      firstLineAt.set(row.sample.uuid, times);
    }
    const first = times.get(row.timeMs);
    if (first !== undefined) {
      throw new DomainError('invalid', `line ${row.line}: duplicate row for GPU ${row.sample.uuid} (first at line ${first})`, {
        line: row.line,
        firstLine: first,
      });
    }
    times.set(row.timeMs, row.line);
  }
  const latest = rows.reduce((max, r) => Math.max(max, r.timeMs), Number.NEGATIVE_INFINITY);
  const sorted = rows.every((r, i) => i === 0 || (rows[i - 1] as { timeMs: number }).timeMs <= r.timeMs)
    ? rows
    : [...rows].sort((a, b) => a.timeMs - b.timeMs);
  return sorted.map((r) => ({ ...r.sample, offsetMs: r.timeMs - latest }));
}

function fail(line: number, column: string, position: number, problem: string): never {
  throw new DomainError('invalid', `line ${line}, column ${column} (${position}): ${problem}`, { line, column });
}

export { NVIDIA_SMI_DEFAULT_FIELDS };
