/**
 * Figures formatted for people, for alert annotations: "$167M/month", "$1.25B", "40.2 MW",
 * "9 days". Built on `Intl.NumberFormat` (part of JavaScript): its compact notation with three
 * significant digits gives "$167M" and "$1.25B" and carries rounding across units
 * (999.5M → "$1B"), which a hand-written table gets wrong. The locale is fixed to en-US so an
 * annotation does not change with the server's environment.
 */

const LOCALE = 'en-US';

const compactUsd = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const wholeNumber = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const threeSignificant = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 3 });
const unitFormats = new Map<string, Intl.NumberFormat>(
  (['second', 'minute', 'hour', 'day'] as const).map((unit) => [
    unit,
    new Intl.NumberFormat(LOCALE, { style: 'unit', unit, unitDisplay: 'long' }),
  ]),
);

/** What a non-finite figure reads as. */
const NOT_A_NUMBER = 'n/a';

/** US dollars, compact to three significant digits: 166,666,680 → "$167M", 1.25e9 → "$1.25B", 999 → "$999". */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return NOT_A_NUMBER;
  return compactUsd.format(usd);
}

/** A monthly amount: "$167M/month". */
export function formatUsdPerMonth(usd: number): string {
  return Number.isFinite(usd) ? `${formatUsd(usd)}/month` : NOT_A_NUMBER;
}

/**
 * Facility power: MW to one decimal from 1 MW ("40.2 MW", "1,200 MW"), else kW to one decimal
 * ("12.8 kW"), else whole watts ("950 W").
 */
export function formatPower(watts: number): string {
  if (!Number.isFinite(watts)) return NOT_A_NUMBER;
  const abs = Math.abs(watts);
  if (abs >= 999_950) return `${oneDecimal.format(watts / 1e6)} MW`;
  if (abs >= 999.5) return `${oneDecimal.format(watts / 1e3)} kW`;
  return `${wholeNumber.format(watts)} W`;
}

/** A count, whole, with separators: 1024 → "1,024". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? wholeNumber.format(n) : NOT_A_NUMBER;
}

/** A plain number to three significant digits: 0.04567 → "0.0457". */
export function formatNumber(n: number): string {
  return Number.isFinite(n) ? threeSignificant.format(n) : NOT_A_NUMBER;
}

/** A ratio as a percentage to one decimal: 0.0432 → "4.3%". */
export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${oneDecimal.format(ratio * 100)}%` : NOT_A_NUMBER;
}

/**
 * A duration in its largest whole unit, rounded down so it never overstates a lead time:
 * 9.8 days → "9 days", 21,600 s → "6 hours", 36 h → "36 hours" (days from two days up, so
 * "1 day" never hides 23 hours), 90 s → "1 minute", 0.4 s → "0 seconds". +∞ → "never"
 * (no shortfall within the horizon); negative → "0 seconds".
 */
export function formatDuration(seconds: number): string {
  if (seconds === Infinity) return 'never';
  if (!Number.isFinite(seconds)) return NOT_A_NUMBER;
  const s = Math.max(0, seconds);
  const [unit, size] = s >= 2 * 86_400 ? ['day', 86_400] : s >= 3_600 ? ['hour', 3_600] : s >= 60 ? ['minute', 60] : ['second', 1];
  return unitFormats.get(unit)?.format(Math.floor(s / size)) ?? NOT_A_NUMBER;
}
