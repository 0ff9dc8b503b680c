/**
 * The charts' time range: a live preset (`24h`: the last 24 h, sliding with each live point) or an
 * absolute span (`2026-12-01T00:00Z..2026-12-03T00:00Z`: fixed, not live), as the address's
 * fragment spells it (`#range=7d`). Pure: `now` comes in.
 */
export interface Preset {
  key: string;
  /** Button text (and its `data-range`). */
  label: string;
  seconds: number;
}

export const PRESETS: readonly Preset[] = [
  { key: '1h', label: '1 h', seconds: 3_600 },
  { key: '6h', label: '6 h', seconds: 6 * 3_600 },
  { key: '24h', label: '24 h', seconds: 86_400 },
  { key: '7d', label: '7 d', seconds: 7 * 86_400 },
  { key: '30d', label: '30 d', seconds: 30 * 86_400 },
];
export const DEFAULT_PRESET: Preset = PRESETS[2]!;

export type TimeRange = { kind: 'preset'; preset: Preset } | { kind: 'absolute'; fromMs: number; toMs: number };

/** Site history is stored per minute; each range asks for ≈ 300 points, in whole minutes. */
export function stepSecondsFor(spanMs: number): number {
  return Math.max(60, Math.ceil(spanMs / 1000 / 300 / 60) * 60);
}

/** How far a live range shows the forecast ahead of now: half its span, at least 2 h (hourly points). */
export function aheadMs(preset: Preset): number {
  return Math.max((preset.seconds * 1000) / 2, 2 * 3_600_000);
}

/** The x span both charts share: for a preset, its past up to now plus the forecast ahead. */
export function windowOf(range: TimeRange, nowMs: number): { fromMs: number; toMs: number } {
  if (range.kind === 'absolute') return { fromMs: range.fromMs, toMs: range.toMs };
  return { fromMs: nowMs - range.preset.seconds * 1000, toMs: nowMs + aheadMs(range.preset) };
}

const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z';

/** The fragment's text: `7d`, or `2026-12-01T00:00Z..2026-12-03T00:00Z` (to the minute, UTC). */
export function formatRange(range: TimeRange): string {
  return range.kind === 'preset' ? range.preset.key : `${isoMinute(range.fromMs)}..${isoMinute(range.toMs)}`;
}

/** Only a full UTC time with its zone: `2026-12-01T00:00Z`, with optional seconds. */
const ABSOLUTE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))$/;

function parseInstant(text: string): number | null {
  if (!ABSOLUTE.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** The range a fragment names, or null when it names none we know (the page then keeps its default). */
export function parseRange(text: string | null): TimeRange | null {
  if (text === null) return null;
  const preset = PRESETS.find((p) => p.key === text);
  if (preset) return { kind: 'preset', preset };
  const [from, to, extra] = text.split('..');
  if (from === undefined || to === undefined || extra !== undefined) return null;
  const fromMs = parseInstant(from);
  const toMs = parseInstant(to);
  if (fromMs === null || toMs === null || fromMs >= toMs) return null;
  return { kind: 'absolute', fromMs, toMs };
}

export type RangeCheck = { ok: true; range: TimeRange } | { ok: false; field: 'from' | 'to'; message: string };

/** A minute of slack: a `to` typed as "now" is a few seconds behind the server's clock by the time it is sent. */
const FUTURE_SLACK_MS = 60_000;
/** The shortest span a form or a drag may ask for: one stored step. */
export const MIN_SPAN_MS = 60_000;

/**
 * Checks an absolute range from the form (times already read in the chosen zone, NaN when the
 * field is empty or not a time). The message names the field, as the what-if form's do.
 */
export function checkRange(fromMs: number, toMs: number, nowMs: number, describeNow: string): RangeCheck {
  if (!Number.isFinite(fromMs)) return { ok: false, field: 'from', message: 'from: enter a date and time' };
  if (!Number.isFinite(toMs)) return { ok: false, field: 'to', message: 'to: enter a date and time' };
  if (fromMs > nowMs) return { ok: false, field: 'from', message: `from: must not be after now (${describeNow})` };
  if (toMs > nowMs + FUTURE_SLACK_MS) return { ok: false, field: 'to', message: `to: must not be after now (${describeNow})` };
  if (toMs - fromMs < MIN_SPAN_MS) return { ok: false, field: 'to', message: 'to: must be at least a minute after from' };
  return { ok: true, range: { kind: 'absolute', fromMs, toMs: Math.min(toMs, nowMs) } };
}

/**
 * A span dragged on a chart as an absolute range: clipped at now (the forecast ahead is not
 * history), null when what is left is shorter than a minute (a click, not a drag).
 */
export function zoomRange(fromMs: number, toMs: number, nowMs: number): TimeRange | null {
  const to = Math.min(toMs, nowMs);
  if (to - fromMs < MIN_SPAN_MS) return null;
  return { kind: 'absolute', fromMs: Math.floor(fromMs / 60_000) * 60_000, toMs: Math.ceil(to / 60_000) * 60_000 };
}

/**
 * A `datetime-local` input's value (`2026-12-01T14:30`) as an instant, read in UTC or in the
 * browser's zone; NaN when empty or malformed.
 */
export function readLocalInput(value: string, zone: 'utc' | 'local'): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return NaN;
  return zone === 'utc' ? Date.parse(`${value}Z`) : new Date(value).getTime();
}
