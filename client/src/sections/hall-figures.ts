import { HEATMAP_STATES, type PodCell } from '@protocol/live';
import type { SellableBlock } from '../api.js';
import { h, setFigure, setText } from '../dom.js';
import { formatCount, formatMwNumber, formatUsd, formatUsdCompact, plural } from '../format.js';
import type { PodRef } from './heatmap.js';

type State = (typeof HEATMAP_STATES)[number];
export type HallGpus = Record<State | 'total', number>;

/** GPUs by state in one hall: the sum of its pods' counts in the live heatmap frame. */
export function hallGpus(refs: readonly PodRef[], pods: readonly PodCell[], hall: string): HallGpus {
  const sum: HallGpus = { total: 0, busy: 0, held: 0, idle: 0, sold: 0, down: 0, unknown: 0 };
  refs.forEach((ref, i) => {
    if (ref.hall !== hall) return;
    HEATMAP_STATES.forEach((state, s) => {
      const n = pods[i]?.counts[s] ?? 0;
      sum[state] += n;
      sum.total += n;
    });
  });
  return sum;
}

export interface SiteFigures {
  gpus: number;
  sellableWatts: number | null;
}

/**
 * The chosen hall's figures beside the site's, in the headline: GPUs by state (live) and its
 * sellable blocks, GPUs, MW and list price (the capacity report's blocks in that hall). Hidden
 * while all halls show.
 */
export function createHallFigures() {
  const name = h('span', { class: 'hall-name', 'data-testid': 'hall-name' });
  const total = h('b', { 'data-testid': 'hall-gpus-total' }, '–');
  const siteGpus = h('span', { class: 'fig-note' });
  const states = new Map<State, HTMLElement>();
  const stateItems = HEATMAP_STATES.map((state) => {
    const count = h('b', { 'data-testid': `hall-gpus-${state}` }, '–');
    states.set(state, count);
    return h('span', { class: 'state-item' }, h('i', { class: `dot s-${state}` }), count, ` ${state}`);
  });
  const blocks = h('b', { 'data-testid': 'hall-sellable-blocks' }, '–');
  const gpus = h('b', { 'data-testid': 'hall-sellable-gpus' }, '–');
  const mw = h('b', { 'data-testid': 'hall-sellable-mw' }, '–');
  const usd = h('b', { 'data-testid': 'hall-sellable-usd' }, '–');
  const siteMw = h('span', { class: 'fig-note' });
  const sellable = h(
    'p',
    { class: 'hall-line' },
    h('span', { class: 'fig-caption' }, 'Sellable in this hall'),
    h('span', {}, blocks),
    h('span', {}, gpus, ' GPUs'),
    h('span', {}, mw, ' MW'),
    h('span', {}, usd, ' /mo'),
    siteMw,
  );
  const el = h(
    'div',
    { class: 'tile tile-hall', 'data-testid': 'hall-figures', hidden: true, role: 'group', 'aria-label': 'The chosen hall' },
    h('p', { class: 'hall-line' }, h('span', { class: 'fig-caption' }, 'Hall '), name, h('span', {}, total, ' GPUs'), siteGpus),
    h('p', { class: 'hall-line state-legend' }, ...stateItems),
    sellable,
  );

  return {
    el,
    /** `blocks`: the capacity report's sellable blocks (all halls), or null while history loads. */
    render(hall: string | null, counts: HallGpus | null, hallBlocks: SellableBlock[] | null, site: SiteFigures): void {
      el.hidden = hall === null;
      if (hall === null) return;
      el.dataset.hall = hall;
      setText(name, hall);
      setFigure(total, counts ? formatCount(counts.total) : '–', counts?.total ?? null);
      setText(siteGpus, `of ${formatCount(site.gpus)} at the site`);
      for (const state of HEATMAP_STATES) setFigure(states.get(state)!, counts ? formatCount(counts[state]) : '–', counts?.[state] ?? null);
      const mine = hallBlocks?.filter((b) => b.hall === hall) ?? null;
      sellable.hidden = mine === null;
      if (!mine) return;
      const watts = mine.reduce((s, b) => s + b.watts, 0);
      const value = mine.reduce((s, b) => s + b.valueUsdPerMonth, 0);
      setFigure(blocks, plural(mine.length, 'block'), mine.length);
      setFigure(
        gpus,
        formatCount(mine.reduce((s, b) => s + b.gpus, 0)),
        mine.reduce((s, b) => s + b.gpus, 0),
      );
      setFigure(mw, formatMwNumber(watts), watts);
      setFigure(usd, formatUsdCompact(value), value);
      usd.title = `${formatUsd(value)} a month`;
      setText(siteMw, site.sellableWatts === null ? '' : `of ${formatMwNumber(site.sellableWatts)} MW at the site`);
    },
  };
}
