import { epochDay, isoDateOfMs, type IsoDate } from '../contracts/calendar.js';
import type { ContractCapacity } from '../contracts/contract.js';
import { invalidField } from '../invalid-input.js';

/** The whole site, the most a what-if can sell. */
export interface WhatIfSite {
  pods: number;
  gpus: number;
  /** The site's facility feed: a watts what-if is a share of it. */
  feedWatts: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Refuses a what-if no answer would mean anything for: more capacity than the whole site has
 * (5,000 pods on a 768-pod site priced 1,953 MW on a 300 MW feed), or a sale that starts before
 * today (its months in the past would be valued and risked as if they were still to come).
 * Selling more than is *free* is not refused: that is the oversold risk the what-if reports.
 *
 * @param ask the capacity asked for (exactly one of pods, gpus, watts) and its first day, `YYYY-MM-DD`.
 * @param site the site's pods, GPUs and feed watts.
 * @param nowMs the collection clock: "today" is its UTC day; a start on that day is allowed.
 * @throws DomainError('invalid') naming the field (`pods`, `gpus`, `watts` or `start`), as invalidField does.
 */
export function checkWhatIfBounds(ask: { capacity: ContractCapacity; start: IsoDate }, site: WhatIfSite, nowMs: number): void {
  const { capacity } = ask;
  if ('pods' in capacity && capacity.pods > site.pods) {
    invalidField('pods', `${count(capacity.pods)} pods is more than the site has (${count(site.pods)})`);
  }
  if ('gpus' in capacity && capacity.gpus > site.gpus) {
    invalidField('gpus', `${count(capacity.gpus)} GPUs is more than the site has (${count(site.gpus)})`);
  }
  if ('watts' in capacity && capacity.watts > site.feedWatts) {
    invalidField('watts', `${count(capacity.watts)} W is more than the site's feed (${count(site.feedWatts)} W)`);
  }
  const today = isoDateOfMs(nowMs);
  if (epochDay(ask.start, 'start') < epochDay(today))
    invalidField('start', `${ask.start} is in the past: the earliest start is today, ${today}`);
}
