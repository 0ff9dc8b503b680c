import type { Headline } from '@protocol/live';
import { api, type CapacityReport, type Contract } from '../api.js';
import { contractMarks, marksIn, transitionMarks, type Mark } from '../chart-annotations.js';
import { alignSeries, createChart, type ChartView } from '../chart.js';
import { downloadCsv } from '../csv.js';
import { card, fill, h, markLoaded } from '../dom.js';
import { formatCount, formatMwNumber } from '../format.js';
import { formatInstant, zoneLabel, zoneOffsetMinutes, type Zone } from '../time-axis.js';
import {
  DEFAULT_PRESET,
  formatRange,
  parseRange,
  stepSecondsFor,
  windowOf,
  zoomRange,
  type Preset,
  type TimeRange,
} from '../time-range.js';
import { readView, writeView } from '../url-state.js';
import { createTrendControls } from './trend-controls.js';

/** MW on an axis: as many decimals as the tick step needs (0.25 MW steps → 2), else one. */
function formatMwTick(mw: number, incr?: number): string {
  if (incr === undefined) return formatMwNumber(mw * 1e6);
  const decimals = Math.min(3, Math.max(0, Math.ceil(-Math.log10(incr) - 1e-9)));
  return mw.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

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

/** The range the address names (`#range=7d` or an absolute span), else the default live 24 h. */
const rangeFromAddress = (): TimeRange => parseRange(readView('range')) ?? { kind: 'preset', preset: DEFAULT_PRESET };
const zoneFromAddress = (): Zone => (readView('tz') === 'local' ? 'local' : 'utc');

/**
 * Two charts over one range, on one x span: GPUs (internal demand, capacity up, sold, with the
 * forecast band and the reserve ahead of now) and power (facility and IT draw against the feed),
 * with alerts and contract events marked. The range and the zone live in the address. History
 * comes from REST when the range changes (or after a reconnect); a live range appends each live
 * headline's point, an absolute one stays as it is.
 */
export function createTrends() {
  let range = rangeFromAddress();
  let lastPreset: Preset = range.kind === 'preset' ? range.preset : DEFAULT_PRESET;
  let zone = zoneFromAddress();
  const nowMs = (): number => headline?.atMs ?? Date.now();

  const controls = createTrendControls({
    range: (next) => setRange(next),
    zone: (next) => setZone(next),
    live: () => setRange({ kind: 'preset', preset: lastPreset }),
    nowMs,
  });
  const gpuCsv = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'export-gpu-csv' }, 'GPUs CSV');
  const powerCsv = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'export-power-csv' }, 'Power CSV');
  const c = card('trends', 'Demand, capacity and power', [...controls.head, gpuCsv, powerCsv]);

  const zoom = (fromMs: number, toMs: number): void => {
    const next = zoomRange(fromMs, toMs, nowMs());
    if (next) setRange(next);
  };
  const gpuChart = createChart({
    name: 'GPUs',
    syncKey: 'trends',
    onZoom: zoom,
    nowLabel: 'now · forecast →',
    series: [
      { label: 'capacity up', column: 'gpus_capacity_up', color: '--info', width: 2 },
      { label: 'internal demand', column: 'gpus_internal', color: '--s-busy', width: 2.5 },
      { label: 'sold', column: 'gpus_sold', color: '--s-sold', dash: [2, 3], width: 2 },
      { label: 'forecast median', column: 'forecast_median_gpus', color: '--s-busy', dash: [7, 4], width: 1.5, summary: 'ahead' },
      { label: 'forecast high', column: 'forecast_high_gpus', color: '--s-busy', alpha: 0.6, dash: [1, 3], width: 1, summary: 'ahead' },
      { label: 'reserve', column: 'reserve_gpus', color: '--bad', dash: [12, 5], width: 1.5, summary: 'none' },
      { label: 'unknown', column: 'gpus_unknown', color: '--s-unknown', dash: [1, 2], width: 1 },
    ],
    bands: [{ upper: 4, lower: 3, alpha: 0.16 }],
    heightVh: 0.27,
    axes: [{ scale: 'y', format: (v) => formatCount(v), label: 'GPUs' }],
  });
  const powerChart = createChart({
    name: 'Power',
    syncKey: 'trends',
    onZoom: zoom,
    nowLabel: 'now',
    series: [
      { label: 'feed', column: 'feed_mw', color: '--bad', dash: [12, 5], width: 2, summary: 'none' },
      { label: 'facility draw', column: 'facility_draw_mw', color: '--info', width: 2.5 },
      { label: 'IT draw', column: 'it_draw_mw', color: '--good', dash: [6, 3], width: 1.5 },
    ],
    heightVh: 0.27,
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
    {},
    ...controls.body,
    h(
      'div',
      { class: 'trends-grid' },
      h('div', { class: 'trend', 'data-testid': 'chart-gpus' }, gpuTitle, gpuChart.el),
      h('div', { class: 'trend', 'data-testid': 'chart-power' }, powerTitle, powerChart.el),
    ),
  );

  let past: Past | null = null;
  let headline: Headline | null = null;
  let capacity: CapacityReport | null = null;
  let allMarks: { alerts: Mark[]; contracts: Mark[] } = { alerts: [], contracts: [] };
  let request = 0;

  const rangeText = (w: { fromMs: number; toMs: number }): string => {
    if (range.kind === 'preset') return `over the last ${range.preset.label}`;
    const off = (ms: number): number => zoneOffsetMinutes(zone, ms);
    return `from ${formatInstant(w.fromMs, off(w.fromMs))} to ${formatInstant(w.toMs, off(w.toMs))} ${zoneLabel(zone, off(w.toMs))}`;
  };

  let transitionsRequest = 0;
  /** Alert firings and resolutions in the range: marks are an extra, the charts stand without them. */
  const loadTransitions = async (): Promise<void> => {
    if (!headline) return;
    const mine = ++transitionsRequest;
    const w = windowOf(range, headline.atMs);
    try {
      const list = await api.alertTransitions(w.fromMs, Math.min(w.toMs, headline.atMs + 60_000));
      if (mine !== transitionsRequest) return;
      allMarks = { ...allMarks, alerts: transitionMarks(list) };
      drawMarks();
    } catch {
      // Read again with the next alert change or range.
    }
  };

  let marksKey = '';
  const drawMarks = (): void => {
    const w = windowOf(range, nowMs());
    const inRange = marksIn([...allMarks.alerts, ...allMarks.contracts], w.fromMs, w.toMs);
    // Rebuilt only when the set changes (a focused mark keeps its focus as live points arrive).
    const key = inRange.map((m) => `${m.kind}@${m.atMs}:${m.label}`).join('|');
    if (key === marksKey) return;
    marksKey = key;
    gpuChart.setMarks(inRange);
    powerChart.setMarks(inRange);
  };

  const draw = (): void => {
    if (!past || !headline) return;
    const w = windowOf(range, headline.atMs);
    const live = range.kind === 'preset';
    const view: ChartView = {
      fromS: w.fromMs / 1000,
      toS: w.toMs / 1000,
      // An absolute range ends in the past: no "now" line, its figures are those at its end.
      nowS: live ? headline.atMs / 1000 : null,
      rangeText: rangeText(w),
    };
    const nowS = headline.atMs / 1000;
    // The forecast ahead of now (hourly points), on a live range only.
    const ahead = live ? (capacity?.forecast.points ?? []).filter(([t]) => t >= nowS - 3_600 && t <= view.toS) : [];
    const median = ahead.map(([t, m]): Point => [t, m]);
    const high = ahead.map(([t, , hi]): Point => [t, hi]);
    const reserveGpus = headline.capacity?.reserveGpus ?? capacity?.reserve.gpus ?? null;
    const inWindow = (s: Point[]): Point[] => s.filter(([t]) => t >= view.fromS && t <= view.toS);
    const g = alignSeries([inWindow(past.capacity), inWindow(past.internal), inWindow(past.sold), median, high, inWindow(past.unknown)]);
    const unknown = g.ys.pop() ?? [];
    // Today's reserve: a level to read the lines against, not a history (none on a past range).
    const reserve = g.x.map(() => (live ? reserveGpus : null));
    gpuChart.setData(g.x, [...g.ys, reserve, unknown], view);
    const p = alignSeries([inWindow(past.facility), inWindow(past.it)]);
    const feedMw = headline.power.feedWatts / 1e6;
    powerChart.setData(p.x, [p.x.map(() => feedMw), ...p.ys.map((col) => col.map((v) => (v === null ? null : v / 1e6)))], view);
    c.el.dataset.gpuPoints = String(g.x.length);
    c.el.dataset.powerPoints = String(p.x.length);
    c.el.dataset.range = formatRange(range);
    markLoaded(c.el);
  };

  const load = async (): Promise<void> => {
    if (!headline) return;
    const mine = ++request;
    const w = windowOf(range, headline.atMs);
    const toMs = Math.min(w.toMs, headline.atMs);
    const stepS = stepSecondsFor(toMs - w.fromMs);
    const total = headline.gpus.total;
    controls.show(range, lastPreset, w);
    c.el.setAttribute('aria-busy', 'true');
    void loadTransitions();
    try {
      const q = (metric: Parameters<typeof api.history>[1]) =>
        api.history('site', metric, w.fromMs, stepS, range.kind === 'absolute' ? toMs : undefined);
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
      liveTimes.clear();
      stepOfPast = stepS;
      // The figures now end the lines (the last stored step may be minutes old), on a live range.
      if (range.kind === 'preset') appendLive(headline);
      if (!body.isConnected) fill(c.body, body);
      drawMarks();
      draw();
    } catch (error) {
      if (mine === request) fill(c.body, h('div', { class: 'error' }, `history unavailable: ${(error as Error).message}`));
    }
  };

  function setRange(next: TimeRange): void {
    if (formatRange(next) === formatRange(range) && past) return;
    range = next;
    if (range.kind === 'preset') lastPreset = range.preset;
    writeView({ range: formatRange(range) });
    void load();
  }

  function setZone(next: Zone): void {
    zone = next;
    writeView({ tz: zone === 'local' ? 'local' : null });
    controls.showZone(zone);
    gpuChart.setZone(zone);
    powerChart.setZone(zone);
    if (headline) controls.show(range, lastPreset, windowOf(range, headline.atMs));
    draw();
  }
  controls.showZone(zone);
  gpuChart.setZone(zone);
  powerChart.setZone(zone);

  // A link or an edited address: follow its range and zone.
  window.addEventListener('hashchange', () => {
    const next = rangeFromAddress();
    if (readView('range') !== null && formatRange(next) !== formatRange(range)) setRange(next);
    const z = zoneFromAddress();
    if (z !== zone) setZone(z);
  });

  const fileRange = (): string => formatRange(range).replace(/[:.]/g, '');
  gpuCsv.addEventListener('click', () => downloadCsv(`headroom-gpus-${fileRange()}.csv`, gpuChart.csv()));
  powerCsv.addEventListener('click', () => downloadCsv(`headroom-power-${fileRange()}.csv`, powerChart.csv()));

  let stepOfPast = 60;
  const liveTimes = new Set<number>();
  /** Appends a live point, or replaces the last live point while still inside one step. */
  const push = (series: Point[], point: Point): void => {
    const last = series[series.length - 1];
    const beforeLast = series[series.length - 2];
    if (last && point[0] <= last[0]) {
      if (point[0] === last[0]) series[series.length - 1] = point;
      return;
    }
    if (last && beforeLast && liveTimes.has(last[0]) && point[0] - beforeLast[0] < stepOfPast) series[series.length - 1] = point;
    else series.push(point);
  };

  function appendLive(hl: Headline): void {
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
  }

  return {
    el: c.el,
    /** Loads history for the current range (first headline, and after a reconnect). */
    reload(hl: Headline): void {
      headline = hl;
      void load();
    },
    /** A live headline: on a live range, slide the window and append its point; an absolute range stays. */
    live(hl: Headline): void {
      headline = hl;
      if (!past || range.kind === 'absolute') return;
      appendLive(hl);
      drawMarks();
      draw();
    },
    capacity(report: CapacityReport): void {
      capacity = report;
      draw();
    },
    /** The alerts changed (one fired or resolved): read their transitions in range again. */
    alertsChanged(): void {
      void loadTransitions();
    },
    /** Contracts' starts, ends and notice deadlines. */
    contracts(list: readonly Contract[]): void {
      allMarks = { ...allMarks, contracts: contractMarks(list) };
      drawMarks();
    },
  };
}
