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
      const ranges = rangesOf(group.numbers, group.width);
      return ranges.length === 1 && !ranges[0]?.includes('-') ? `${group.prefix}${ranges[0]}` : `${group.prefix}[${ranges.join(',')}]`;
    })
    .join(',');
}

/** Sorted, de-duplicated numbers as `a-b` / `a` ranges, zero-padded to `width`. */
function rangesOf(numbers: number[], width: number): string[] {
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

/** GPU indices as Slurm prints them in `gres_used` / `gres_detail`: `0-7`, `0-3`, `0,2,5`; `N/A` when none. */
export function gpuIndexList(indices: readonly number[]): string {
  return indices.length === 0 ? 'N/A' : rangesOf([...indices], 0).join(',');
}
