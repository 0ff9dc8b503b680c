/**
 * The one-line text a chart is read as (its accessible name): what each line is now, its low and
 * high over the range, the forecast, and the marks in range. Pure, so its words are unit-tested;
 * chart.ts writes it on each setData, not on each frame.
 */
import type { Mark, MarkKind } from './chart-annotations.js';

export interface Stats {
  /** The value at or before `now` (the last point of history). */
  now: number;
  min: number;
  max: number;
}

/** Now, min and max of a column over x ≤ nowS; null when it has no value there. */
export function statsOf(x: readonly number[], col: ReadonlyArray<number | null>, nowS: number): Stats | null {
  let now: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = col[i];
    if (v === null || v === undefined || (x[i] ?? Infinity) > nowS) continue;
    now = v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return now === null ? null : { now, min, max };
}

/** The last value ahead of now and when: a forecast's far end. */
export function lastAhead(x: readonly number[], col: ReadonlyArray<number | null>, nowS: number): { value: number; atS: number } | null {
  for (let i = x.length - 1; i >= 0; i--) {
    const v = col[i];
    const t = x[i];
    if (v !== null && v !== undefined && t !== undefined && t > nowS) return { value: v, atS: t };
  }
  return null;
}

/** "internal demand 101,234 now (min 98,000, max 105,000)"; `at` is "at the end" for a past range. */
export function describeStats(label: string, stats: Stats | null, format: (v: number) => string, at = 'now'): string {
  if (!stats) return `${label} no data`;
  if (stats.min === stats.max) return `${label} ${format(stats.now)} ${at} (flat)`;
  return `${label} ${format(stats.now)} ${at} (min ${format(stats.min)}, max ${format(stats.max)})`;
}

const MARK_WORDS: Record<MarkKind, [string, string]> = {
  'alert-fired': ['alert fired', 'alerts fired'],
  'alert-resolved': ['alert resolved', 'alerts resolved'],
  'contract-start': ['contract start', 'contract starts'],
  'contract-end': ['contract end', 'contract ends'],
  'notice-deadline': ['notice deadline', 'notice deadlines'],
};

/** "2 alerts fired, 1 alert resolved and 1 contract start in range"; "" when there are none. */
export function describeMarks(marks: readonly Mark[]): string {
  const counts = new Map<MarkKind, number>();
  for (const m of marks) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  const words = (Object.keys(MARK_WORDS) as MarkKind[])
    .filter((k) => counts.has(k))
    .map((k) => {
      const n = counts.get(k) ?? 0;
      return `${n} ${MARK_WORDS[k][n === 1 ? 0 : 1]}`;
    });
  if (words.length === 0) return '';
  const list = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]!}`;
  return `${list} in range`;
}

/** The sentence: "GPUs over the last 24 h: a, b, c; forecast …; 2 alerts fired in range". */
export function summarySentence(title: string, rangeText: string, parts: readonly string[], extras: readonly string[]): string {
  const body = parts.length > 0 ? parts.join(', ') : 'no history yet in this range';
  return [`${title} ${rangeText}: ${body}`, ...extras.filter(Boolean)].join('; ');
}
