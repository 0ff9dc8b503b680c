import type { Headline } from '@protocol/live';
import { api, type CapacityReport } from '../api.js';
import { alignSeries, createChart } from '../chart.js';
import { downloadCsv } from '../csv.js';
import { card, fill, h, markLoaded } from '../dom.js';
import { formatCount, formatMwNumber } from '../format.js';

/** MW on an axis: as many decimals as the tick step needs (0.25 MW steps → 2), else one. */
function formatMwTick(mw: number, incr?: number): string {
  if (incr === undefined) return formatMwNumber(mw * 1e6);
  const decimals = Math.min(3, Math.max(0, Math.ceil(-Math.log10(incr) - 1e-9)));
  return mw.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

interface Range {
  label: string;
  seconds: number;
  /** Site history is stored per minute; each range asks for ≈ 300 points. */
  stepS: number;
}

export const RANGES: Range[] = [
  { label: '1 h', seconds: 3_600, stepS: 60 },
  { label: '6 h', seconds: 6 * 3_600, stepS: 120 },
  { label: '24 h', seconds: 86_400, stepS: 300 },
  { label: '7 d', seconds: 7 * 86_400, stepS: 1_800 },
  { label: '30 d', seconds: 30 * 86_400, stepS: 7_200 },
];

type Point = [number, number];

/** The past of each series, kept so live points can be appended and the window slid. */
interface Past {
  internal: Point[];
  capacity: Point[];
  sold: Point[];
  unknown: Point[];
  facility: Point[];
  it: Point[];
}

/**
 * Two charts over a chosen range: GPUs (internal demand, capacity up, sold, with the forecast band and
 * the reserve ahead of now) and power (facility and IT draw against the feed). History comes from
 * REST when the range changes (or after a reconnect); each live update appends its headline point.
 */
export function createTrends() {
  const buttons = RANGES.map((r, i) =>
    h('button', { class: 'btn range', type: 'button', 'data-range': r.label, 'aria-pressed': i === 2 ? 'true' : 'false' }, r.label),
  );
  const gpuCsv = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'export-gpu-csv' }, 'GPUs CSV');
  const powerCsv = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'export-power-csv' }, 'Power CSV');
  const c = card('trends', 'Demand, capacity and power', [
    h('div', { class: 'ranges', role: 'group', 'aria-label': 'range' }, ...buttons),
    gpuCsv,
    powerCsv,
  ]);

  const gpuChart = createChart({
    series: [
      { label: 'capacity up', column: 'gpus_capacity_up', color: '#e6edf3', width: 2 },
      { label: 'internal demand', column: 'gpus_internal', color: '#ffb347', width: 2.5 },
      { label: 'sold', column: 'gpus_sold', color: '#b39dff', width: 2 },
      { label: 'forecast median', column: 'forecast_median_gpus', color: '#ffb347', dash: [6, 4], width: 1.5 },
      { label: 'forecast high', column: 'forecast_high_gpus', color: 'rgba(255,179,71,0.55)', width: 1 },
      { label: 'reserve', column: 'reserve_gpus', color: '#ff6b6b', dash: [10, 6], width: 1.5 },
      { label: 'unknown', column: 'gpus_unknown', color: '#8a96a6', width: 1 },
    ],
    bands: [{ upper: 4, lower: 3, fill: 'rgba(255,179,71,0.16)' }],
    heightVh: 0.16,
    axes: [{ scale: 'y', format: (v) => formatCount(v) }],
    now: () => (headline ? headline.atMs / 1000 : null),
  });
  const powerChart = createChart({
    series: [
      { label: 'feed', column: 'feed_mw', color: '#ff6b6b', dash: [10, 6], width: 2 },
      { label: 'facility draw', column: 'facility_draw_mw', color: '#4fc3f7', width: 2.5 },
      { label: 'IT draw', column: 'it_draw_mw', color: '#7ee0b0', width: 1.5 },
    ],
    heightVh: 0.16,
    axes: [{ scale: 'y', format: (v, incr) => `${formatMwTick(v, incr)} MW` }],
  });
  const gpuTitle = h(
    'h3',
    {
      class: 'chart-title',
      title: 'capacity up = total − down − unknown; internal demand = busy + held; the band is the forecast median to its 95 % high',
    },
    'GPUs: internal demand vs capacity up vs sold, forecast, reserve',
  );
  const powerTitle = h('h3', { class: 'chart-title' }, 'Power: facility draw vs feed (MW)');
  const body = h(
    'div',
    { class: 'trends-grid' },
    h('div', { class: 'trend', 'data-testid': 'chart-gpus' }, gpuTitle, gpuChart.el),
    h('div', { class: 'trend', 'data-testid': 'chart-power' }, powerTitle, powerChart.el),
  );

  let range = RANGES[2]!;
  let past: Past | null = null;
  let headline: Headline | null = null;
  let capacity: CapacityReport | null = null;
  let request = 0;

  const draw = (): void => {
    if (!past || !headline) return;
    const nowS = headline.atMs / 1000;
    const fromS = nowS - range.seconds;
    // The forecast ahead of now, half as far as the range looks back (hourly points, so at least 2 h).
    const ahead = (capacity?.forecast.points ?? []).filter(
      ([t]) => t >= nowS - 3_600 && t <= nowS + Math.max(range.seconds / 2, 2 * 3_600),
    );
    const median = ahead.map(([t, m]): Point => [t, m]);
    const high = ahead.map(([t, , hi]): Point => [t, hi]);
    const reserveGpus = headline.capacity?.reserveGpus ?? capacity?.reserve.gpus ?? null;
    const inWindow = (s: Point[]): Point[] => s.filter(([t]) => t >= fromS);
    const g = alignSeries([inWindow(past.capacity), inWindow(past.internal), inWindow(past.sold), median, high, inWindow(past.unknown)]);
    const unknown = g.ys.pop() ?? [];
    const reserve = g.x.map(() => reserveGpus);
    gpuChart.setData(g.x, [...g.ys, reserve, unknown]);
    const p = alignSeries([inWindow(past.facility), inWindow(past.it)]);
    const feedMw = headline.power.feedWatts / 1e6;
    powerChart.setData(p.x, [p.x.map(() => feedMw), ...p.ys.map((col) => col.map((v) => (v === null ? null : v / 1e6)))]);
    c.el.dataset.gpuPoints = String(g.x.length);
    c.el.dataset.powerPoints = String(p.x.length);
    markLoaded(c.el);
  };

  const load = async (): Promise<void> => {
    if (!headline) return;
    const mine = ++request;
    const from = headline.atMs - range.seconds * 1000;
    const total = headline.gpus.total;
    c.el.setAttribute('aria-busy', 'true');
    try {
      const q = (metric: Parameters<typeof api.history>[1]) => api.history('site', metric, from, range.stepS);
      const [busy, held, down, unknown, sold, facility, it] = await Promise.all([
        q('gpus_busy'),
        q('gpus_held'),
        q('gpus_down'),
        q('gpus_unknown'),
        q('gpus_sold'),
        q('facility_watts'),
        q('power_watts'),
      ]);
      if (mine !== request) return;
      const heldAt = new Map(held);
      const unknownAt = new Map(unknown);
      past = {
        internal: busy.map(([t, v]): Point => [t, v + (heldAt.get(t) ?? 0)]),
        // Up as the capacity engine counts it: missing telemetry is never capacity.
        capacity: down.map(([t, v]): Point => [t, total - v - (unknownAt.get(t) ?? 0)]),
        unknown,
        sold,
        facility,
        it,
      };
      if (!body.isConnected) fill(c.body, body);
      draw();
    } catch (error) {
      if (mine === request) fill(c.body, h('div', { class: 'error' }, `history unavailable: ${(error as Error).message}`));
    }
  };

  buttons.forEach((button, i) =>
    button.addEventListener('click', () => {
      range = RANGES[i]!;
      buttons.forEach((b, k) => b.setAttribute('aria-pressed', k === i ? 'true' : 'false'));
      void load();
    }),
  );
  gpuCsv.addEventListener('click', () => downloadCsv(`headroom-gpus-${range.label.replace(' ', '')}.csv`, gpuChart.csv()));
  powerCsv.addEventListener('click', () => downloadCsv(`headroom-power-${range.label.replace(' ', '')}.csv`, powerChart.csv()));

  /** Appends a live point, or replaces the last live point while still inside one step. */
  const push = (series: Point[], point: Point): void => {
    const last = series[series.length - 1];
    const beforeLast = series[series.length - 2];
    if (last && point[0] <= last[0]) {
      if (point[0] === last[0]) series[series.length - 1] = point;
      return;
    }
    if (last && beforeLast && liveTimes.has(last[0]) && point[0] - beforeLast[0] < range.stepS) series[series.length - 1] = point;
    else series.push(point);
  };
  const liveTimes = new Set<number>();

  return {
    el: c.el,
    /** Loads history for the current range (first headline, and after a reconnect). */
    reload(hl: Headline): void {
      headline = hl;
      liveTimes.clear();
      void load();
    },
    /** A live headline: slide the window and append its point. */
    live(hl: Headline): void {
      headline = hl;
      if (!past) return;
      const t = hl.atMs / 1000;
      const g = hl.gpus;
      push(past.internal, [t, g.busy + g.held]);
      push(past.capacity, [t, g.total - g.down - g.unknown]);
      push(past.unknown, [t, g.unknown]);
      push(past.sold, [t, g.sold]);
      push(past.facility, [t, hl.power.facilityDrawWatts]);
      push(past.it, [t, hl.power.itDrawWatts]);
      liveTimes.add(t);
      draw();
    },
    capacity(report: CapacityReport): void {
      capacity = report;
      draw();
    },
  };
}
