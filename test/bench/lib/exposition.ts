/**
 * Small readers of Prometheus text, independent of both parsers under test: the harness counts
 * samples itself, so neither side's own accounting decides its rate.
 */

/** Sample lines (series) in an exposition text: non-blank lines that are not comments. */
export function countSeriesLines(text: string): number {
  let n = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    let p = pos;
    while (p < nl && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    if (p < nl && text.charCodeAt(p) !== 35 /* # */ && !(p === nl - 1 && text.charCodeAt(p) === 13)) n++;
    pos = nl + 1;
  }
  return n;
}

/**
 * Sum of every sample of metric `name` (any labels) in an exposition text, e.g.
 * `prometheus_tsdb_head_samples_appended_total` from Prometheus's own /metrics.
 * NaN when the metric is absent.
 */
export function sumMetric(text: string, name: string): number {
  let sum = 0;
  let found = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(name)) continue;
    const next = line.charAt(name.length);
    if (next !== ' ' && next !== '{') continue;
    const afterLabels = next === '{' ? line.slice(line.lastIndexOf('}') + 1) : line.slice(name.length);
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}
