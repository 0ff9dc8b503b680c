import { HEATMAP_STATES, type Layout, type LayoutUnit, type PodCell } from '@protocol/live';
import { card, fill, h, markLoaded, setText } from '../dom.js';
import { formatCount, formatPercent, plural } from '../format.js';
import { createGridKeys } from './grid-keys.js';
import { modelGroups, unitName } from './fabric-units.js';

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

const DOWN = HEATMAP_STATES.indexOf('down');

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
 *
 * One hall at a time (`showHall`): its pods alone, in larger cells that wrap. Chosen in the select
 * above the grid (one Tab stop) or by clicking a hall's label (again: all halls); `onHall` tells the caller.
 */
export function createHeatmap(onPick: (pod: PodRef, byKeyboard: boolean) => void, onHall: (hall: string | null) => void) {
  const hallSelect = h('select', { id: 'hall-select', 'data-testid': 'hall-select' });
  hallSelect.addEventListener('change', () => onHall(hallSelect.value || null));
  const c = card('heatmap', 'Halls × pods', [h('label', { class: 'hall-picker', for: 'hall-select' }, 'Hall'), hallSelect]);
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
  let hallIds: string[] = [];
  /** The hall of each row of `halls` (a hall with two models has two rows). */
  let rowHall: string[] = [];
  let units: LayoutUnit[] = [];
  let shownHall: string | null = null;
  // The arrows walk the rows on screen only.
  const shownHalls = (): HTMLElement[][] => (shownHall === null ? halls : halls.filter((_, i) => rowHall[i] === shownHall));
  const keys = createGridKeys(shownHalls, (cell, byKeyboard) => {
    const ref = refs[cells.indexOf(cell)];
    if (ref) onPick(ref, byKeyboard);
  });
  rows.addEventListener('keydown', keys.onKeyDown);

  const build = (layout: Layout): void => {
    cells = [];
    refs = [];
    halls = [];
    rowHall = [];
    units = layout.units;
    hallIds = layout.halls.map((hall) => hall.id);
    rows.replaceChildren();
    hallSelect.replaceChildren(
      h('option', { value: '' }, 'all halls'),
      ...hallIds.map((id) => h('option', { value: id, selected: id === shownHall }, id)),
    );
    // Cells in frame order (the heatmap frame's pod order), whatever order the rows show them in.
    for (const hall of layout.halls) {
      for (const pod of hall.pods) {
        const ref = { id: pod, hall: hall.id, index: refs.length };
        const cell = h('div', { class: 'cell', role: 'gridcell', tabindex: -1, 'data-pod': pod, 'aria-label': pod });
        const unit = units[ref.index];
        if (unit) {
          cell.dataset.model = unit.model;
          cell.dataset.fabric = unit.fabric;
        }
        cell.addEventListener('click', () => onPick(ref, false));
        cells.push(cell);
        refs.push(ref);
      }
    }
    // One model: halls × pods as ever. Several: a header per model (what its units are), then its halls' rows.
    const groups = modelGroups(layout);
    const mixed = groups.length > 1;
    let heads = 0;
    for (const group of groups) {
      if (mixed) {
        heads++;
        rows.append(
          h(
            'div',
            { class: 'heatmap-model', role: 'row', 'data-model': group.model },
            h(
              'span',
              { class: 'model-head', role: 'rowheader', 'data-testid': 'heatmap-model' },
              h('b', {}, group.model),
              ` · ${group.caption}`,
            ),
          ),
        );
      }
      for (const row of group.rows) {
        // role=none: the row owns its cells through this wrapper, which is only there for the CSS grid.
        const grid = h('div', { class: 'heatmap-cells', role: 'none' });
        const rowCells = row.pods.map((i) => cells[i]).filter((cell): cell is HTMLElement => cell !== undefined);
        grid.append(...rowCells);
        halls.push(rowCells);
        rowHall.push(row.hall);
        // Not a Tab stop of its own (the select above is the keyboard's way): a pointer's shortcut.
        const label = h(
          'span',
          {
            class: 'hall-label',
            role: 'rowheader',
            title: `Show hall ${row.hall} alone (again: all halls)`,
            'aria-label': row.line > 0 ? `${row.hall} continued` : mixed ? `${row.hall}, ${group.model}` : null,
          },
          // A wrapped hall's further rows name it too: a row header needs its text.
          row.hall,
        );
        label.addEventListener('click', () => onHall(shownHall === row.hall ? null : row.hall));
        rows.append(h('div', { class: 'heatmap-row', role: 'row', 'data-hall': row.hall, 'data-model': group.model }, label, grid));
      }
    }
    const widest = Math.max(1, ...halls.map((row) => row.length));
    rows.style.setProperty('--pods', String(widest));
    // Kiosk mode sizes square cells to fill the card: the smaller of width ÷ pods and height ÷ rows (less the model headers).
    rows.style.setProperty('--halls', String(Math.max(1, halls.length)));
    rows.style.setProperty('--heads', String(heads));
    keys.moveTo(cells[Math.max(0, selected)], false);
    show();
  };

  /** Hides the other halls' rows; the grid's current cell moves into the hall when it was outside. */
  let last: PodCell[] = [];
  /** The line above the grid, for the halls on screen. */
  const summarize = (): void => {
    let count = 0;
    let sold = 0;
    let sellable = 0;
    let down = 0;
    last.forEach((pod, i) => {
      if (shownHall !== null && refs[i]?.hall !== shownHall) return;
      count++;
      if (pod.sold) sold++;
      if (pod.sellable) sellable++;
      if ((pod.counts[DOWN] ?? 0) > 0) down++;
    });
    const where = shownHall === null ? `in ${plural(hallIds.length, 'hall')}` : `in hall ${shownHall}`;
    setText(
      summary,
      `${plural(count, 'pod')} ${where} · ${formatCount(sellable)} sellable · ${formatCount(sold)} sold · ${formatCount(down)} with GPUs down — pick a pod (or arrow keys and Enter) for its detail`,
    );
  };

  const show = (): void => {
    rows.classList.toggle('one-hall', shownHall !== null);
    rows.querySelectorAll<HTMLElement>('.heatmap-row').forEach((row) => {
      row.hidden = shownHall !== null && row.dataset.hall !== shownHall;
    });
    // A model's header goes with its rows: hidden when the hall shown has none of that model.
    rows.querySelectorAll<HTMLElement>('.heatmap-model').forEach((head) => {
      head.hidden = shownHall !== null && !rows.querySelector(`.heatmap-row[data-model="${head.dataset.model}"][data-hall="${shownHall}"]`);
    });
    hallSelect.value = shownHall ?? '';
    const visible = shownHalls().flat();
    const current = keys.current();
    if (visible.length && (!current || !visible.includes(current))) keys.moveTo(visible[0], false);
  };

  return {
    el: c.el,
    detailSlot,
    refs: () => refs,
    halls: () => hallIds,
    /** One hall's pods alone (an id the layout does not have shows them all), or all halls (null). */
    showHall(hall: string | null): void {
      shownHall = hall !== null && (hallIds.length === 0 || hallIds.includes(hall)) ? hall : null;
      show();
      summarize();
    },
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
      const key = `${layout.halls.map((hall) => `${hall.id}:${hall.pods.join(',')}`).join('|')}#${layout.units.map((u) => u.model).join(',')}`;
      if (key !== layoutKey) {
        layoutKey = key;
        build(layout);
        fill(c.body, layoutEl);
      }
      last = pods;
      pods.forEach((pod, i) => {
        const cell = cells[i];
        if (!cell) return;
        const downGpus = pod.counts[DOWN] ?? 0;
        const cls = `cell${pod.sold ? ' sold' : ''}${pod.sellable ? ' sellable' : ''}${downGpus > 0 ? ' down' : ''}${pod.utilization === null ? ' unknown' : ''}${i === selected ? ' selected' : ''}`;
        if (cell.className !== cls) cell.className = cls;
        const color = utilizationColor(pod.utilization);
        if (cell.style.backgroundColor !== color) cell.style.backgroundColor = color;
        const util = pod.utilization === null ? 'unknown' : formatPercent(pod.utilization);
        const unit = units[i];
        const what = unit ? ` · ${unit.model} ${unitName(unit)}` : '';
        const title = `${refs[i]?.id ?? ''}${what} · ${util}${pod.sold ? ' · sold' : ''}${pod.sellable ? ' · sellable' : ''}${downGpus ? ` · ${downGpus} GPUs down` : ''}`;
        if (cell.title !== title) cell.title = title;
        // The name a screen reader reads on each arrow key: the pod and its state, as the tooltip.
        if (cell.getAttribute('aria-label') !== title) cell.setAttribute('aria-label', title);
        cell.dataset.utilization = pod.utilization === null ? '' : String(pod.utilization);
      });
      summarize();
      markLoaded(c.el);
    },
  };
}
