/**
 * Time on the charts' axes and legends, in one of two zones: UTC (the server's, Grafana's and the
 * rest of the page's clock) or the browser's own. ISO order and a 24-hour clock in both
 * (`12-06 14:00`, `2026-12-06`), never "12pm 12/6/26". Pure: the zone comes in as an offset.
 */
export type Zone = 'utc' | 'local';

const DAY_MS = 86_400_000;
const pad = (n: number): string => String(n).padStart(2, '0');

/** Minutes the zone is ahead of UTC at `ms` (the browser's offset moves with daylight saving). */
export function zoneOffsetMinutes(zone: Zone, ms: number): number {
  return zone === 'utc' ? 0 : -new Date(ms).getTimezoneOffset();
}

/** "UTC", or "local (UTC+01:00)" — what a legend says its times are in. */
export function zoneLabel(zone: Zone, offsetMinutes: number): string {
  if (zone === 'utc') return 'UTC';
  const sign = offsetMinutes < 0 ? '−' : '+';
  const abs = Math.abs(offsetMinutes);
  return `local (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}

function parts(ms: number, offsetMinutes: number) {
  const d = new Date(ms + offsetMinutes * 60_000);
  return {
    y: d.getUTCFullYear(),
    mo: pad(d.getUTCMonth() + 1),
    d: pad(d.getUTCDate()),
    h: pad(d.getUTCHours()),
    mi: pad(d.getUTCMinutes()),
  };
}

/**
 * One axis tick: `2026-12-06` when ticks are a day or more apart, else `12-06 14:00` (the date
 * stays, so a tick read alone on a 7-day chart is not ambiguous).
 */
export function formatTick(ms: number, stepMs: number, offsetMinutes: number): string {
  const p = parts(ms, offsetMinutes);
  if (stepMs >= DAY_MS) return `${p.y}-${p.mo}-${p.d}`;
  return `${p.mo}-${p.d} ${p.h}:${p.mi}`;
}

/** An instant in a legend or a sentence: `2026-12-06 14:05`. */
export function formatInstant(ms: number, offsetMinutes: number): string {
  const p = parts(ms, offsetMinutes);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}`;
}

/** A span in words for a summary: "1 h", "24 h", "7 d", "2 d 6 h", "45 min". */
export function formatSpan(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h <= 48 && (h < 48 || h % 24 !== 0)) return `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
