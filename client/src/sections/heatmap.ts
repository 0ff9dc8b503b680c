import { HEATMAP_STATES, type Layout, type PodCell } from '@protocol/live';
import { card, fill, h, markLoaded, setText } from '../dom.js';
import { formatCount, formatPercent } from '../format.js';
import { createGridKeys } from './grid-keys.js';

/** Utilization → colour: dark blue (idle, the opportunity) through teal to amber (busy). */
const STOPS: Array<[number, [number, number, number]]> = [
  [0, [14, 32, 56]],
  [0.4, [29, 92, 140]],
  [0.7, [58, 166, 185]],
  [1, [255, 194, 71]],
];

export function utilizationColor(u: number | null): string {
  if (u === null) return '';
  const x = Math.min(1, Math.max(0, u));
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i]!;
    const [x0, c0] = STOPS[i - 1]!;
    if (x <= x1) {
      const t = (x - x0) / (x1 - x0);
      return `rgb(${c0.map((v, k) => Math.round(v + (c1[k]! - v) * t)).join(',')})`;
    }
  }
  return 'rgb(255,194,71)';
}

export interface PodRef {
  id: string;
  hall: string;
  index: number;
}

/**
 * Halls × pods as a CSS grid of cells (768 at Colossus: cheap to update, clickable, and each cell
 * carries its pod id for keyboard users and tests). Colour = utilization; marks: stripes = sold,
 * green ring = in a sellable block, black-and-white corner = GPUs down, grey = no utilization known.
 *
 * For the keyboard it is one ARIA grid with a roving tabindex (grid-keys.ts): one Tab stop, not 768.
 * `onPick(pod, byKeyboard)`: a pod chosen; by Enter or Space the caller moves the focus into its detail.
 */
export function createHeatmap(onPick: (pod: PodRef, byKeyboard: boolean) => void) {
  const c = card('heatmap', 'Halls × pods');
  const summary = h('div', { class: 'heatmap-summary', 'data-testid': 'heatmap-summary' });
  const rows = h('div', { class: 'heatmap-rows', role: 'grid', 'aria-label': 'Pods by hall: utilization, sold, sellable, GPUs down' });
  const ramp = h('span', { class: 'ramp' });
  ramp.style.background = `linear-gradient(90deg, ${STOPS.map(([x]) => `${utilizationColor(x)} ${x * 100}%`).join(', ')})`;
  const legend = h(
    'div',
    { class: 'heatmap-legend' },
    h('span', { class: 'legend-item' }, 'utilization 0 %', ramp, '100 %'),
    h('span', { class: 'legend-item' }, h('i', { class: 'cell-sample sold' }), 'sold'),
    h('span', { class: 'legend-item' }, h('i', { class: 'cell-sample sellable' }), 'sellable'),
    h('span', { class: 'legend-item' }, h('i', { class: 'cell-sample down' }), 'GPUs down'),
    h('span', { class: 'legend-item' }, h('i', { class: 'cell-sample unknown' }), 'unknown'),
  );
  const detailSlot = h('div', { class: 'pod-detail-slot' });
  const layoutEl = h('div', { class: 'heatmap-layout' }, h('div', { class: 'heatmap-main' }, summary, rows, legend), detailSlot);

  let cells: HTMLElement[] = [];
  let refs: PodRef[] = [];
  let halls: HTMLElement[][] = [];
  let selected = -1;
  let layoutKey = '';
  const keys = createGridKeys(
    () => halls,
    (cell, byKeyboard) => {
      const ref = refs[cells.indexOf(cell)];
      if (ref) onPick(ref, byKeyboard);
    },
  );
  rows.addEventListener('keydown', keys.onKeyDown);

  const build = (layout: Layout): void => {
    const widest = Math.max(1, ...layout.halls.map((hall) => hall.pods.length));
    rows.style.setProperty('--pods', String(widest));
    // Kiosk mode sizes square cells to fill the card: the smaller of width ÷ pods and height ÷ halls.
    rows.style.setProperty('--halls', String(layout.halls.length));
    cells = [];
    refs = [];
    halls = [];
    rows.replaceChildren();
    for (const hall of layout.halls) {
      // role=none: the row owns its cells through this wrapper, which is only there for the CSS grid.
      const grid = h('div', { class: 'heatmap-cells', role: 'none' });
      const hallCells: HTMLElement[] = [];
      for (const pod of hall.pods) {
        const ref = { id: pod, hall: hall.id, index: refs.length };
        const cell = h('div', { class: 'cell', role: 'gridcell', tabindex: -1, 'data-pod': pod, 'aria-label': pod });
        cell.addEventListener('click', () => onPick(ref, false));
        grid.append(cell);
        cells.push(cell);
        hallCells.push(cell);
        refs.push(ref);
      }
      halls.push(hallCells);
      rows.append(h('div', { class: 'heatmap-row', role: 'row' }, h('span', { class: 'hall-label', role: 'rowheader' }, hall.id), grid));
    }
    keys.moveTo(cells[Math.max(0, selected)], false);
  };

  return {
    el: c.el,
    detailSlot,
    refs: () => refs,
    select(index: number): void {
      cells[selected]?.classList.remove('selected');
      cells[selected]?.removeAttribute('aria-selected');
      selected = index;
      cells[selected]?.classList.add('selected');
      cells[selected]?.setAttribute('aria-selected', 'true');
      // A pod opened from the address (#pod=…) or by click: Tab into the grid comes back to it.
      if (index >= 0) keys.moveTo(cells[index], false);
    },
    /** The keyboard focus on a pod's cell (back from its detail), or on the grid's current cell (the skip link). */
    focus(index?: number): void {
      const cell = index === undefined ? keys.current() : cells[index];
      if (cell) keys.moveTo(cell, true);
      else {
        // No pods drawn yet: the section itself, so the skip link still lands here.
        c.el.tabIndex = -1;
        c.el.focus();
      }
    },
    render(layout: Layout, pods: PodCell[]): void {
      const key = layout.halls.map((hall) => `${hall.id}:${hall.pods.join(',')}`).join('|');
      if (key !== layoutKey) {
        layoutKey = key;
        build(layout);
        fill(c.body, layoutEl);
      }
      let sold = 0;
      let sellable = 0;
      let down = 0;
      pods.forEach((pod, i) => {
        const cell = cells[i];
        if (!cell) return;
        const downGpus = pod.counts[HEATMAP_STATES.indexOf('down')] ?? 0;
        if (pod.sold) sold++;
        if (pod.sellable) sellable++;
        if (downGpus > 0) down++;
        const cls = `cell${pod.sold ? ' sold' : ''}${pod.sellable ? ' sellable' : ''}${downGpus > 0 ? ' down' : ''}${pod.utilization === null ? ' unknown' : ''}${i === selected ? ' selected' : ''}`;
        if (cell.className !== cls) cell.className = cls;
        const color = utilizationColor(pod.utilization);
        if (cell.style.backgroundColor !== color) cell.style.backgroundColor = color;
        const util = pod.utilization === null ? 'unknown' : formatPercent(pod.utilization);
        const title = `${refs[i]?.id ?? ''} · ${util}${pod.sold ? ' · sold' : ''}${pod.sellable ? ' · sellable' : ''}${downGpus ? ` · ${downGpus} GPUs down` : ''}`;
        if (cell.title !== title) cell.title = title;
        // The name a screen reader reads on each arrow key: the pod and its state, as the tooltip.
        if (cell.getAttribute('aria-label') !== title) cell.setAttribute('aria-label', title);
        cell.dataset.utilization = pod.utilization === null ? '' : String(pod.utilization);
      });
      setText(
        summary,
        `${formatCount(pods.length)} pods in ${formatCount(layout.halls.length)} halls · ${formatCount(sellable)} sellable · ${formatCount(sold)} sold · ${formatCount(down)} with GPUs down — pick a pod (or arrow keys and Enter) for its detail`,
      );
      markLoaded(c.el);
    },
  };
}
