/**
 * Numbers for people: one locale (en-US) everywhere, so a wall screen and a laptop read the same and
 * the browser tests can format the API's figures the same way. Times are shown in UTC (the server's
 * and Grafana's clock), and say so.
 */
const LOCALE = 'en-US';

const mwOne = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const usdCompact = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 });
const usdWhole = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usdCents = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'always' });
const dayUtc = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
const clockUtc = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Watts as megawatts with one decimal: 300,000,000 → "300.0 MW". */
export const formatMw = (watts: number): string => `${mwOne.format(watts / 1e6)} MW`;
/** Power in a table: MW with one decimal, kW below 1 MW (a contract of 18 kW is not "0.0 MW"). */
export const formatPower = (watts: number): string => (Math.abs(watts) >= 1e6 ? formatMw(watts) : `${integer.format(watts / 1e3)} kW`);
/** "1 pod", "12 pods". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${integer.format(n)} ${n === 1 ? one : many}`;
/** The number part of formatMw, for big numerals with a separate unit. */
export const formatMwNumber = (watts: number): string => mwOne.format(watts / 1e6);
/** A count with thousands separators: 196608 → "196,608". */
export const formatCount = (n: number): string => integer.format(n);
/** Money at a glance: $80.3M, $1.25B, $449K. */
export const formatUsdCompact = (usd: number): string => usdCompact.format(usd);
/** Money for a table a finance person reads: $80,283,648. */
export const formatUsd = (usd: number): string => usdWhole.format(usd);
export const formatUsdCents = (usd: number): string => usdCents.format(usd);
export const formatPercent = (ratio: number): string => percent.format(ratio);
/** "2026-11-27" in UTC. */
export const formatDay = (ms: number): string => dayUtc.format(ms);
/** "07:55:20" in UTC. */
export const formatClock = (ms: number): string => clockUtc.format(ms);

/** A lead time in words: "in 17 days", "in 5 hours", "now". */
export function formatLead(fromMs: number, toMs: number): string {
  const s = (toMs - fromMs) / 1000;
  if (s <= 60) return 'now';
  if (s < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (s < 2 * 86_400) return relative.format(Math.round(s / 3600), 'hour');
  return relative.format(Math.round(s / 86_400), 'day');
}

/** How old something is: "3 s", "14 s", "2 min 5 s", "1 h 3 min". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
