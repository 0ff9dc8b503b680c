import { addDays, formatIsoDate, parseIsoDate, type IsoDate } from '../domain/contracts/calendar.js';
import type { Contract } from '../domain/contracts/contract.js';

/** First day of the month `offset` months from `date`'s. */
function monthStart(date: IsoDate, offset: number): IsoDate {
  const { year, month } = parseIsoDate(date);
  const index = year * 12 + (month - 1) + offset;
  return formatIsoDate({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 });
}

/** The day before the month `months` after `start`'s month: a term of whole months. */
const termEnd = (start: IsoDate, months: number): IsoDate => addDays(monthStart(start, months), -1);

/**
 * The demo contract book a simulated site starts with (unless SIM_CONTRACTS=none), so `sold`
 * and the contract views mean something on first start. Sized as shares of the site, priced
 * from DESIGN.md's reference figures: H100 rent at neoclouds ≈ $1.9–4.3 per GPU-hour, and the
 * reference deal's implied ≈ $4.17M per facility MW-month. Dates are relative to `today` (of the
 * simulated clock): one contract three months in, one that started this month, one that starts
 * in 18 days.
 */
export function demoContracts(
  site: { pods: number; gpusPerPod: number; facilityWatts: number },
  today: IsoDate,
): Array<Omit<Contract, 'id'>> {
  const pods = (share: number): number => Math.max(1, Math.round(site.pods * share));
  const gpuMonth = (gpus: number, usdPerGpuHour: number): number => Math.round(gpus * usdPerGpuHour * 730);
  const reserved = pods(0.03);
  // 3 % of the feed, in whole kilowatts (9 MW on Colossus).
  const watts = Math.max(1_000, Math.round((site.facilityWatts * 0.03) / 1_000) * 1_000);
  const later = pods(0.01);
  return [
    {
      // A one-year reserved block at a neocloud-market rate ($2.10/GPU-h, SF Compute's average is 2.11).
      customer: 'Aurora Labs',
      capacity: { pods: reserved },
      start: monthStart(today, -3),
      end: termEnd(monthStart(today, -3), 12),
      monthlyPriceUsd: gpuMonth(reserved * site.gpusPerPod, 2.1),
      ramp: [{ months: 1, factor: 0.5 }],
      noticeDays: 90,
      status: 'active',
    },
    {
      // Facility capacity at the reference deal's rate, $4,166,667 per MW-month, with its ramp.
      customer: 'Helios AI',
      capacity: { watts },
      start: monthStart(today, 0),
      end: termEnd(monthStart(today, 0), 24),
      monthlyPriceUsd: Math.round((watts / 1e6) * 4_166_667 * 100) / 100,
      ramp: [{ months: 2, factor: 0.5 }],
      noticeDays: 90,
      status: 'active',
    },
    {
      // Sold, not yet delivered: it starts next month, so its pods are committed but not sold yet.
      customer: 'Kestrel Compute',
      capacity: { pods: later },
      start: addDays(today, 18),
      end: addDays(addDays(today, 18), 181),
      monthlyPriceUsd: gpuMonth(later * site.gpusPerPod, 2.69),
      ramp: [],
      noticeDays: 30,
      status: 'active',
    },
  ];
}
