import { parseIsoDate, type IsoDate } from '../../domain/contracts/calendar.js';
import type { Contract } from '../../domain/contracts/contract.js';
import { decimalRatio, divRoundHalfUp, usdToCents } from '../../domain/contracts/money.js';

/**
 * The monthly price in force on `date`, in cents: the full-rate price × the ramp factor of the
 * calendar month containing `date` (month 1 contains `start`, as docs/capacity-and-billing.md counts ramp months),
 * rounded half up to the cent; no proration. 0 outside the term.
 */
export function monthlyRateCents(terms: Omit<Contract, 'id'>, date: IsoDate): bigint {
  if (date < terms.start || date > terms.end) return 0n;
  const price = usdToCents(terms.monthlyPriceUsd);
  if (price === null) return 0n;
  const from = parseIsoDate(terms.start, 'start');
  const at = parseIsoDate(date, 'date');
  const index = (at.year - from.year) * 12 + (at.month - from.month) + 1;
  let through = 0;
  let factor = 1;
  for (const step of terms.ramp) {
    through += step.months;
    if (index <= through) {
      factor = step.factor;
      break;
    }
  }
  const f = decimalRatio(factor, 'ramp.factor');
  return divRoundHalfUp(price * f.num, f.den);
}
