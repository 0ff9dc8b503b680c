import type { Headline } from '@protocol/live';
import { h, setFigure } from '../dom.js';
import { formatCount, formatMwNumber } from '../format.js';
import { noRoomForBlocks } from '../room-for-blocks.js';
import { term } from '../term.js';

type Capacity = NonNullable<Headline['capacity']>;

/** Definitions shown on the equation's terms (docs/capacity-and-billing.md says the same at length). */
export const DEFINITIONS = {
  up: 'GPUs reporting and not down: busy + held + idle + sold. Down (failed, in maintenance) and unknown (no fresh telemetry) GPUs are never sold.',
  reserve:
    "Kept for the owner's own work: the highest 95 % forecast of internal demand (busy + held) over the notice period, plus the safety margin.",
  sold: 'Delivered to resale customers on contracts in term.',
  overcommitted: 'Sold and reserve together exceed the GPUs up by this much: nothing is left to sell (see oversold risk).',
  outsideBlocks:
    'GPUs over the reserve that no whole block carries: the remainder short of a whole pod, pods with a down, unknown or sold GPU or committed to a contract, and blocks the power headroom cannot carry.',
  sellable:
    'Whole pods that can be sold now: fully up, not committed to any contract, emptiest of internal work first, within the GPUs over the reserve and the power headroom.',
  headroom: 'Utility feed − facility draw now.',
  reservedGrowth: 'What internal demand growing to its reserve would add to the draw at full load: kept out of the headroom.',
  added:
    'What the sellable blocks would add to today’s draw at full load (node rated input × PUE): it must fit in headroom − reserved growth.',
} as const;

const LIMITED_BY: Record<Capacity['limitedBy'], string> = {
  gpus: 'the GPUs over the reserve',
  power: 'the power headroom',
  blocks: 'no whole pod left to offer',
};

const op = (sign: string) => h('span', { class: 'eq-op' }, sign);

/** A number in the equation: `data-value` is the API's figure, the text its formatting. */
function num(testid: string): HTMLElement {
  return h('span', { class: 'eq-num', 'data-testid': testid }, '–');
}

/**
 * How sellable follows from capacity, in GPUs (an exact sum of the live capacity figures) and in
 * power (the check that stopped or allowed the packing): each term defined on hover and focus.
 */
export function createSellableEquation() {
  const n = {
    up: num('eq-up'),
    reserve: num('eq-reserve'),
    sold: num('eq-sold'),
    overcommitted: num('eq-overcommitted'),
    outsideBlocks: num('eq-outside-blocks'),
    sellable: num('eq-sellable'),
    headroom: num('eq-headroom-mw'),
    growth: num('eq-reserved-growth-mw'),
    budget: num('eq-power-budget-mw'),
    added: num('eq-added-mw'),
  };
  const overcommitted = h('span', { class: 'eq-part' }, op('+'), term('over-committed', DEFINITIONS.overcommitted, n.overcommitted));
  const budgetOp = op('≥');
  const limited = h('span', { class: 'eq-limit', 'data-testid': 'eq-limited-by' });
  const gpus = h(
    'p',
    { class: 'eq-line', 'data-testid': 'sellable-equation' },
    h('span', { class: 'eq-unit' }, 'GPUs'),
    term('up', DEFINITIONS.up, n.up),
    op('−'),
    term('reserve', DEFINITIONS.reserve, n.reserve),
    op('−'),
    term('sold', DEFINITIONS.sold, n.sold),
    overcommitted,
    op('−'),
    term('outside whole blocks', DEFINITIONS.outsideBlocks, n.outsideBlocks),
    op('='),
    h('span', { class: 'eq-result' }, term('sellable', DEFINITIONS.sellable, n.sellable)),
  );
  // Shown when there is room; replaced by `noRoom`'s sentence when the room would be negative.
  const room = h(
    'span',
    { class: 'eq-part' },
    op('='),
    h('span', { class: 'term-plain' }, h('span', { class: 'term-name' }, 'room for blocks'), n.budget),
    budgetOp,
    term('blocks add', DEFINITIONS.added, n.added),
  );
  const noRoom = h('span', { class: 'eq-no-room', 'data-testid': 'eq-no-room', hidden: true });
  const power = h(
    'p',
    { class: 'eq-line eq-power', 'data-testid': 'power-equation' },
    h('span', { class: 'eq-unit' }, 'MW'),
    term('headroom', DEFINITIONS.headroom, n.headroom),
    op('−'),
    term('reserved growth', DEFINITIONS.reservedGrowth, n.growth),
    room,
    noRoom,
    limited,
  );
  const el = h('div', { class: 'equation', role: 'group', 'aria-label': 'How sellable follows from capacity' }, gpus, power);

  return {
    el,
    render(cap: Capacity | null): void {
      el.hidden = cap === null;
      if (!cap) return;
      const count = (e: HTMLElement, v: number) => setFigure(e, formatCount(v), v);
      const mw = (e: HTMLElement, w: number) => setFigure(e, formatMwNumber(w), w);
      count(n.up, cap.upGpus);
      count(n.reserve, cap.reserveGpus);
      count(n.sold, cap.soldGpus);
      count(n.overcommitted, cap.overcommittedGpus);
      overcommitted.hidden = cap.overcommittedGpus === 0;
      count(n.outsideBlocks, cap.outsideBlocksGpus);
      count(n.sellable, cap.sellableGpus);
      mw(n.headroom, cap.headroomWatts);
      mw(n.growth, cap.reservedGrowthWatts);
      mw(n.budget, cap.headroomWatts - cap.reservedGrowthWatts);
      mw(n.added, cap.sellableAddedWatts);
      budgetOp.textContent = cap.headroomWatts - cap.reservedGrowthWatts >= cap.sellableAddedWatts ? '≥' : '<';
      // No block at all when reserved growth alone overruns the headroom: said in words, not as a negative MW.
      const words = noRoomForBlocks(cap.headroomWatts, cap.reservedGrowthWatts);
      room.hidden = words !== null;
      noRoom.hidden = words === null;
      if (noRoom.textContent !== (words ?? '')) noRoom.textContent = words ?? '';
      limited.textContent = `· packing stopped at ${LIMITED_BY[cap.limitedBy]}`;
    },
  };
}
