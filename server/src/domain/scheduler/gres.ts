import { numberRanges, quote } from './hostlist.js';
import { SchedulerInputError } from './scheduler-input-error.js';

/**
 * GPU indices of one node's `gres_detail` entry, e.g. `gpu:4(IDX:0-3)`, `gpu:a100:2(IDX:0,2)`,
 * `gpu:2(IDX:0-1),nic:1(IDX:0)` (other GRES ignored), `gpu:0(IDX:N/A)` (none). Sorted, distinct.
 * Throws SchedulerInputError on a GPU entry without a readable IDX list.
 */
export function gpuIndicesOfGresDetail(detail: string): number[] {
  const indices = new Set<number>();
  for (const entry of splitOutsideParens(detail)) {
    const trimmed = entry.trim();
    if (trimmed === '' || !isGpu(trimmed)) continue;
    const m = /\(IDX:([^)]*)\)$/.exec(trimmed);
    if (!m) throw new SchedulerInputError('gres', `GPU GRES without IDX: ${quote(trimmed)}`);
    const list = m[1] ?? '';
    if (list === 'N/A' || list === '') continue;
    for (const part of list.split(',')) {
      const range = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
      if (!range) throw new SchedulerInputError('gres', `bad GPU index ${quote(part)} in ${quote(trimmed)}`);
      const from = Number(range[1]);
      const to = range[2] === undefined ? from : Number(range[2]);
      if (to < from) throw new SchedulerInputError('gres', `reversed GPU index range ${quote(part)}`);
      for (let i = from; i <= to; i++) indices.add(i);
    }
  }
  return [...indices].sort((a, b) => a - b);
}

/**
 * GPUs a TRES or GRES request names, summed over its comma-separated items: `gres:gpu:8`,
 * `gres:gpu:a100:2` (Slurm 22.05), `gres/gpu:8`, `gres/gpu=8`, `gres/gpu:a100=2` (later
 * releases), `gpu:8`. A GPU item with no count means 1 (as `--gres=gpu` does). Items of other
 * resources count nothing; an empty string is 0. Throws SchedulerInputError on a GPU item with a
 * count that is not a whole number.
 */
export function gpusOfTres(tres: string): number {
  let total = 0;
  for (const raw of tres.split(',')) {
    const item = raw.trim().replace(/^gres[:/]/, '');
    if (!/^gpu([:=]|$)/.test(item)) continue;
    const parts = item.split(/[:=]/).slice(1);
    const last = parts.at(-1);
    if (last === undefined) {
      total += 1;
      continue;
    }
    // `gpu:a100` (a type, no count) is one GPU, as Slurm reads it; after `=` comes a count.
    if (parts.length === 1 && item[3] === ':' && !/^\d+$/.test(last) && /^[A-Za-z]/.test(last)) {
      total += 1;
      continue;
    }
    if (!/^\d{1,7}$/.test(last)) throw new SchedulerInputError('tres', `bad GPU count in ${quote(raw)}`);
    total += Number(last);
  }
  return total;
}

function isGpu(entry: string): boolean {
  return entry === 'gpu' || entry.startsWith('gpu:') || entry.startsWith('gpu(');
}

function splitOutsideParens(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** GPU indices as Slurm prints them in `gres_used` / `gres_detail`: `0-7`, `0-3`, `0,2,5`; `N/A` when none. */
export function gpuIndexList(indices: readonly number[]): string {
  return indices.length === 0 ? 'N/A' : numberRanges(indices, 0).join(',');
}
