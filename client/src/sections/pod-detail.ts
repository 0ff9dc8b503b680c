import { HEATMAP_STATES, type PodCell } from '@protocol/live';
import { api } from '../api.js';
import { alignSeries, createChart } from '../chart.js';
import { downloadCsv } from '../csv.js';
import { fill, h, loading, setFigure, setText } from '../dom.js';
import { formatCount, formatPercent } from '../format.js';
import { readView } from '../url-state.js';
import type { PodRef } from './heatmap.js';

const DAY_MS = 86_400_000;
/** Pods are stored at 5-minute resolution: a day is 288 points. */
const POD_STEP_S = 300;

/**
 * One pod: its live counts and utilization (from the heatmap frame) and its last day of history
 * (GET /api/v1/history?scope=pod:<id>) — utilization and GPUs by state.
 */
export function createPodDetail(onClose: () => void) {
  const title = h('h3', { id: 'pod-title', 'data-testid': 'pod-title' });
  const marks = h('span', { class: 'pod-marks' });
  const util = h('span', { class: 'num num-m', 'data-testid': 'pod-utilization' }, '–');
  const counts = new Map<string, HTMLElement>();
  const countList = h('div', { class: 'pod-counts' });
  for (const state of HEATMAP_STATES) {
    const el = h('span', { class: 'state-count', 'data-testid': `pod-gpus-${state}` }, '–');
    counts.set(state, el);
    countList.append(
      h('span', { class: 'state-item' }, h('i', { class: `dot s-${state}` }), el, h('span', { class: 'state-name' }, state)),
    );
  }
  const chartSlot = h('div', { class: 'pod-chart' }, loading('loading history…'));
  const exportBtn = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'export-pod-csv', disabled: true }, 'CSV');
  const close = h('button', { class: 'btn btn-small', type: 'button', 'aria-label': 'close pod detail', onclick: onClose }, '✕');
  const el = h(
    'aside',
    // tabindex=-1: the focus comes here when a pod is opened by keyboard (its name is read first).
    { class: 'pod-detail', 'data-testid': 'pod-detail', 'aria-labelledby': 'pod-title', tabindex: -1, hidden: true },
    h('div', { class: 'pod-head' }, title, marks, h('span', { class: 'spacer' }), exportBtn, close),
    h('div', { class: 'pod-figures' }, h('div', { class: 'fig' }, h('span', { class: 'fig-caption' }, 'Utilization'), util), countList),
    h('div', { class: 'pod-chart-caption' }, 'last 24 h · utilization (right axis) and GPUs by state'),
    chartSlot,
  );

  const chart = createChart({
    name: 'GPUs and utilization',
    heightVh: 0.16,
    ranges: { util: [0, 1] },
    series: [
      { label: 'internal (busy + held)', column: 'gpus_internal', color: '--s-busy', width: 2.5 },
      { label: 'idle', column: 'gpus_idle', color: '--info', dash: [6, 3] },
      { label: 'sold', column: 'gpus_sold', color: '--s-sold', dash: [2, 3] },
      { label: 'utilization', column: 'utilization_ratio', color: '--text', scale: 'util', dash: [10, 4], width: 1.5 },
    ],
    axes: [
      { scale: 'y', format: (v) => formatCount(v), label: 'GPUs' },
      { scale: 'util', format: (v) => formatPercent(v), side: 'right' },
    ],
  });
  let current: PodRef | null = null;
  let request = 0;
  exportBtn.addEventListener('click', () => current && downloadCsv(`headroom-pod-${current.id}.csv`, chart.csv()));

  return {
    el,
    current: () => current,
    async open(pod: PodRef, nowMs: number): Promise<void> {
      current = pod;
      el.hidden = false;
      el.dataset.pod = pod.id;
      setText(title, `Pod ${pod.id}`);
      fill(chartSlot, loading('loading history…'));
      exportBtn.disabled = true;
      const mine = ++request;
      const scope = `pod:${pod.id}`;
      const from = nowMs - DAY_MS;
      try {
        const [busy, held, idle, sold, utilization] = await Promise.all([
          api.history(scope, 'gpus_busy', from, POD_STEP_S),
          api.history(scope, 'gpus_held', from, POD_STEP_S),
          api.history(scope, 'gpus_idle', from, POD_STEP_S),
          api.history(scope, 'gpus_sold', from, POD_STEP_S),
          api.history(scope, 'utilization', from, POD_STEP_S),
        ]);
        if (mine !== request) return;
        const heldAt = new Map(held);
        const internal = busy.map(([t, v]): [number, number] => [t, v + (heldAt.get(t) ?? 0)]);
        const { x, ys } = alignSeries([internal, idle, sold, utilization]);
        fill(chartSlot, chart.el);
        chart.setZone(readView('tz') === 'local' ? 'local' : 'utc');
        chart.setData(x, ys, {
          fromS: from / 1000,
          toS: nowMs / 1000,
          nowS: nowMs / 1000,
          rangeText: `of pod ${pod.id} over the last 24 h`,
        });
        el.dataset.historyPoints = String(x.length);
        exportBtn.disabled = false;
      } catch (error) {
        if (mine === request) fill(chartSlot, h('div', { class: 'error' }, `history unavailable: ${(error as Error).message}`));
      }
    },
    /** Live counts for the open pod. */
    render(cell: PodCell | undefined): void {
      if (!cell || !current) return;
      setFigure(util, cell.utilization === null ? 'unknown' : formatPercent(cell.utilization), cell.utilization);
      HEATMAP_STATES.forEach((state, i) => setFigure(counts.get(state)!, formatCount(cell.counts[i] ?? 0), cell.counts[i] ?? 0));
      setText(marks, [cell.sold ? 'SOLD' : '', cell.sellable ? 'SELLABLE' : ''].filter(Boolean).join(' · '));
    },
    hide(): void {
      current = null;
      el.hidden = true;
    },
    focus(): void {
      el.focus();
    },
  };
}
