import { SchedulerInputError } from './scheduler-input-error.js';

/** More hosts than this in one list is not a site's node list but garbage (a Colossus has 24,576). */
export const MAX_HOSTLIST_HOSTS = 100_000;

/**
 * Expands a Slurm hostlist (`n[1-3,7]`, `gpu[01-04]-ib`, `rack[1-2]-n[1-2]`, `a,b[1-2]`) into
 * host names, in Slurm's order (ranges ascending as written, several bracket groups as a
 * cartesian product, left group outermost). Zero padding follows the range's first bound
 * (`[01-10]` → `01 … 10`). An empty string is no hosts. Throws SchedulerInputError on
 * unbalanced or nested brackets, an empty or reversed range, a non-numeric bound, or more than
 * MAX_HOSTLIST_HOSTS hosts.
 */
export function expandHostlist(list: string): string[] {
  const hosts: string[] = [];
  for (const item of splitTopLevel(list)) {
    if (item === '') continue;
    for (const host of expandItem(item)) {
      hosts.push(host);
      if (hosts.length > MAX_HOSTLIST_HOSTS)
        throw new SchedulerInputError('hostlist', `hostlist has more than ${MAX_HOSTLIST_HOSTS} hosts`);
    }
  }
  return hosts;
}

/** Splits at commas outside brackets. */
function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '[') {
      if (depth > 0) throw new SchedulerInputError('hostlist', `nested '[' in hostlist ${quote(list)}`);
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw new SchedulerInputError('hostlist', `unbalanced ']' in hostlist ${quote(list)}`);
      depth--;
    } else if (c === ',' && depth === 0) {
      items.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw new SchedulerInputError('hostlist', `unclosed '[' in hostlist ${quote(list)}`);
  items.push(list.slice(start).trim());
  return items;
}

function expandItem(item: string): string[] {
  // Split into literal text and bracket groups, and size the product before building it.
  const parts: Array<string | string[]> = [];
  let rest = item;
  let count = 1;
  for (let open = rest.indexOf('['); open >= 0; open = rest.indexOf('[')) {
    const close = rest.indexOf(']', open);
    parts.push(rest.slice(0, open));
    const numbers = expandRanges(rest.slice(open + 1, close), item);
    count *= numbers.length;
    if (count > MAX_HOSTLIST_HOSTS)
      throw new SchedulerInputError('hostlist', `hostlist item ${quote(item)} has more than ${MAX_HOSTLIST_HOSTS} hosts`);
    parts.push(numbers);
    rest = rest.slice(close + 1);
  }
  parts.push(rest);
  let out = [''];
  for (const part of parts) {
    if (typeof part === 'string') out = out.map((h) => h + part);
    else out = out.flatMap((h) => part.map((n) => h + n));
  }
  return out;
}

const BOUND = /^\d{1,9}$/;

function expandRanges(inner: string, item: string): string[] {
  const out: string[] = [];
  for (const part of inner.split(',')) {
    const dash = part.indexOf('-');
    const lo = dash < 0 ? part : part.slice(0, dash);
    const hi = dash < 0 ? part : part.slice(dash + 1);
    if (!BOUND.test(lo) || !BOUND.test(hi)) throw new SchedulerInputError('hostlist', `bad range ${quote(part)} in ${quote(item)}`);
    const from = Number(lo);
    const to = Number(hi);
    if (to < from) throw new SchedulerInputError('hostlist', `reversed range ${quote(part)} in ${quote(item)}`);
    if (to - from >= MAX_HOSTLIST_HOSTS) throw new SchedulerInputError('hostlist', `range ${quote(part)} is too long`);
    for (let n = from; n <= to; n++) out.push(String(n).padStart(lo.length, '0'));
  }
  return out;
}

/**
 * Slurm's hostlist compression, as `scontrol show hostlist` and slurmrestd print node lists:
 * names sharing a prefix and a zero-padded numeric suffix fold into one bracket of ranges,
 * `h01-p003-n[01-32]`, `n[1-3,5]`; groups are joined with commas in the order they first
 * appear. A name without a numeric suffix is kept as is; a lone number prints without brackets
 * (`h01-p003-n07`). Duplicates are dropped, as Slurm's `hostlist_uniq` does.
 */
export function compressHostlist(hosts: readonly string[]): string {
  const groups = new Map<string, { prefix: string; width: number; numbers: number[] }>();
  const order: string[] = [];
  for (const host of hosts) {
    const match = /^(.*?)(\d+)$/.exec(host);
    // Suffixes past 2^53 are not Slurm's either (it caps at 10^digits of an unsigned long).
    const digits = match?.[2];
    const key = match && digits && digits.length <= 15 ? `${match[1]}\u0000${digits.length}` : `\u0001${host}`;
    let group = groups.get(key);
    if (!group) {
      group = { prefix: match && digits && digits.length <= 15 ? (match[1] ?? '') : host, width: digits?.length ?? 0, numbers: [] };
      groups.set(key, group);
      order.push(key);
    }
    if (key.startsWith('\u0001')) continue;
    group.numbers.push(Number(digits));
  }
  return order
    .map((key) => {
      const group = groups.get(key);
      if (!group) return '';
      if (key.startsWith('\u0001')) return group.prefix;
      const ranges = numberRanges(group.numbers, group.width);
      return ranges.length === 1 && !ranges[0]?.includes('-') ? `${group.prefix}${ranges[0]}` : `${group.prefix}[${ranges.join(',')}]`;
    })
    .join(',');
}

/** Sorted, de-duplicated numbers as `a-b` / `a` ranges, zero-padded to `width`. */
export function numberRanges(numbers: readonly number[], width: number): string[] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const pad = (n: number): string => String(n).padStart(width, '0');
  const ranges: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] ?? 0;
    let last = first;
    while (sorted[i + 1] === last + 1) last = sorted[++i] ?? last;
    ranges.push(first === last ? pad(first) : `${pad(first)}-${pad(last)}`);
    i++;
  }
  return ranges;
}

/** Quotes input for an error message, cut short: garbage may be long. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
