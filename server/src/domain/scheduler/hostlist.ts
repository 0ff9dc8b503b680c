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

/** Quotes input for an error message, cut short: garbage may be long. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
