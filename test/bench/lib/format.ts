/** Number formatting for the result table. */
import type { Spread } from './stats.js';

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** 3.12M, 412k, 950 */
export function si(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1e9) return `${fixed(x / 1e9, digits)}G`;
  if (a >= 1e6) return `${fixed(x / 1e6, digits)}M`;
  if (a >= 1e4) return `${fixed(x / 1e3, 0)}k`;
  if (a >= 1e3) return `${fixed(x / 1e3, 1)}k`;
  return fixed(x, a >= 100 ? 0 : digits);
}

/** A figure with its spread over repetitions: `3.12M [2.90–3.20]`. */
export function withSpread(s: Spread, show: (x: number) => string, unit = ''): string {
  if (s.n === 0) return '—';
  const range = s.n > 1 ? ` [${show(s.min)}–${show(s.max)}]` : '';
  return `${show(s.median)}${unit}${range}`;
}

export const ms = (x: number): string => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '—');
export const seconds = (x: number): string => (Number.isFinite(x) ? x.toFixed(x >= 10 ? 1 : 2) : '—');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 1 : 2)}×` : '—');
export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '—');
export const gb = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1e9).toFixed(2)} GB` : '—');
