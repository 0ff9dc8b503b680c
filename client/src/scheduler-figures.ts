/**
 * The scheduler section's arithmetic, pure (unit-tested in test/unit/client/): the queue against
 * the sellable pods, the reservation calendar's bars, the told-by share. Every figure comes from
 * GET /api/v1/scheduler, /capacity and /fleet as they are; nothing here reads the clock.
 */
import { formatCount, plural } from './format.js';

/**
 * What the page reads of the tenants part of GET /api/v1/scheduler (docs/scheduler.md#tenants; the
 * answer has more). Written out rather than imported: this module is also unit-tested outside the
 * client's build, where `@protocol/*` does not resolve.
 */
export interface TenantsView {
  source: 'file' | 'simulator' | 'accounts';
  classes: { internal: { busy: number; held: number }; unattributed: { busy: number; held: number } };
  teams: Array<{ team: string; busy: number; held: number; heldOverThreshold: number; heldValueUsdPerMonth: number | null }>;
  customers: Array<{ customer: string }>;
  crossChecks: { heldThresholdSeconds: number };
}

export type QueueClass = 'internal' | 'customer';

/** A Slurm account as customers' accounts are named: lower case, runs of anything else as one `-`. */
const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Whose a queued account is: a customer's when the tenants name that customer (by name or by its
 * account's usual spelling), else the owner's own work — what the sellable pods would have to give.
 */
export function queueClass(account: string, tenants: TenantsView | null): QueueClass {
  const customer = tenants?.customers.some((c) => c.customer === account || slug(c.customer) === account) ?? false;
  return customer ? 'customer' : 'internal';
}

/** What the sellable blocks offer: whole pods, and GPUs. */
export interface SellablePods {
  pods: number;
  gpus: number;
}

export function sellablePodsOf(blocks: ReadonlyArray<{ pods: readonly string[]; gpus: number }>): SellablePods {
  return { pods: blocks.reduce((n, b) => n + b.pods.length, 0), gpus: blocks.reduce((n, b) => n + b.gpus, 0) };
}

/**
 * The owner's sentence: how many of the sellable pods the internal queue would take if it ran now
 * (whole pods: a pod half used is not sellable). `podsTaken` is at most `sellable.pods`; `beyondGpus`
 * is what would not fit even in all of them.
 */
export function queueAgainstSellable(
  internalGpus: number,
  sellable: SellablePods,
): { podsTaken: number; beyondGpus: number; sentence: string } {
  const queued = `${plural(internalGpus, 'GPU')} queued by internal teams`;
  if (internalGpus <= 0) return { podsTaken: 0, beyondGpus: 0, sentence: 'No internal work queued: the sellable pods are not called on.' };
  if (sellable.pods <= 0 || sellable.gpus <= 0)
    return {
      podsTaken: 0,
      beyondGpus: internalGpus,
      sentence: `${queued}, and no sellable pods: the queue waits for the owner's own capacity.`,
    };
  const perPod = sellable.gpus / sellable.pods;
  const needed = Math.ceil(internalGpus / perPod);
  if (needed <= sellable.pods)
    return {
      podsTaken: needed,
      beyondGpus: 0,
      sentence: `${queued} would take ${formatCount(needed)} of the ${plural(sellable.pods, 'sellable pod')}.`,
    };
  const beyondGpus = internalGpus - sellable.gpus;
  return {
    podsTaken: sellable.pods,
    beyondGpus,
    sentence: `${queued} would take all ${plural(sellable.pods, 'sellable pod')} and ${plural(beyondGpus, 'GPU')} more.`,
  };
}

export const CALENDAR_DAYS = 14;
const DAY_MS = 86_400_000;

export interface CalendarBar<R> {
  reservation: R;
  /** Place on the time-line, 0–100 % of the window from `fromMs`. */
  leftPct: number;
  widthPct: number;
  /** It began before the window (its start is not drawn) or ends after it. */
  startsBefore: boolean;
  endsAfter: boolean;
}

/**
 * The reservations that overlap the next `days` days from `nowMs`, earliest first, each placed on
 * a 0–100 % line (at least 0.5 % wide, so an hour's reservation is still seen and focusable).
 */
export function calendarBars<R extends { start: string; end: string; name: string }>(
  reservations: readonly R[],
  nowMs: number,
  days = CALENDAR_DAYS,
): Array<CalendarBar<R>> {
  const toMs = nowMs + days * DAY_MS;
  const span = toMs - nowMs;
  return reservations
    .map((reservation) => ({ reservation, startMs: Date.parse(reservation.start), endMs: Date.parse(reservation.end) }))
    .filter((r) => r.endMs > nowMs && r.startMs < toMs)
    .sort((a, b) => a.startMs - b.startMs || a.reservation.name.localeCompare(b.reservation.name))
    .map(({ reservation, startMs, endMs }) => {
      const left = Math.max(startMs, nowMs);
      const right = Math.min(endMs, toMs);
      const leftPct = ((left - nowMs) / span) * 100;
      return {
        reservation,
        leftPct: Math.min(leftPct, 99.5),
        widthPct: Math.max(0.5, ((right - left) / span) * 100),
        startsBefore: startMs < nowMs,
        endsAfter: endMs > toMs,
      };
    });
}

/** Midnights (UTC) after `nowMs` within the window: the calendar's day lines, as % and day. */
export function calendarDays(nowMs: number, days = CALENDAR_DAYS): Array<{ pct: number; day: string }> {
  const out: Array<{ pct: number; day: string }> = [];
  for (let t = Math.floor(nowMs / DAY_MS + 1) * DAY_MS; t < nowMs + days * DAY_MS; t += DAY_MS)
    out.push({ pct: ((t - nowMs) / (days * DAY_MS)) * 100, day: new Date(t).toISOString().slice(0, 10) });
  return out;
}

/** "2026-12-03 04:00Z": an ISO time in UTC, to the minute. */
export const isoMinute = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;

/** The scheduler's share of the GPUs whose state was told (the rest by telemetry alone), 0–1; null with none. */
export function toldByShare(toldBy: { scheduler: number; telemetry: number }): number | null {
  const all = toldBy.scheduler + toldBy.telemetry;
  return all > 0 ? toldBy.scheduler / all : null;
}
