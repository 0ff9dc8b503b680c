/** Statistics and formatting of the backtest's figures. */

export interface Distribution {
  min: number;
  p5: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
  mean: number;
  meanAbs: number;
}

/** Linear-interpolation quantile of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

export function distribution(values: readonly number[]): Distribution {
  return {
    min: Math.min(...values),
    p5: quantile(values, 0.05),
    p25: quantile(values, 0.25),
    median: quantile(values, 0.5),
    p75: quantile(values, 0.75),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    meanAbs: values.reduce((s, v) => s + Math.abs(v), 0) / values.length,
  };
}

export function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / items.length;
}

export const iso = (tMs: number | null): string => (tMs === null ? '—' : new Date(tMs).toISOString().slice(0, 16) + 'Z');
export const pct = (x: number | null, digits = 1): string => (x === null || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(digits)} %`);
