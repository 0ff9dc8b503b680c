/**
 * Time-series charts with uPlot: canvas drawing, ≈ 50 kB, and it redraws thousands of points in a few
 * milliseconds — what a page that appends a point every round, all day, on a 4K wall screen needs
 * (SVG chart libraries rebuild the DOM per point; the big canvas ones weigh 10× more).
 *
 * Each chart is read as one sentence (its accessible name, rewritten on setData), draws its time
 * axis in ISO 24-hour form in UTC or local time, its lines in the page's palette (CSS variables,
 * read again when the theme changes) told apart by dash and width too, and the marks it is given.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { toCsv } from '@protocol/csv';
import type { Mark } from './chart-annotations.js';
import { createMarkLayer } from './chart-marks.js';
import { describeMarks, describeStats, lastAhead, statsOf, summarySentence } from './chart-summary.js';
import { h } from './dom.js';
import { formatInstant, formatSpan, formatTick, zoneLabel, zoneOffsetMinutes, type Zone } from './time-axis.js';

export interface SeriesSpec {
  label: string;
  /** A CSS custom property of the palette (`--s-busy`), read when the chart is drawn. */
  color: string;
  /** Opacity of the line (a forecast's high edge is fainter). */
  alpha?: number;
  /** CSV column name, with its unit. */
  column: string;
  dash?: number[];
  width?: number;
  scale?: string;
  /** Hidden from the legend (e.g. the lower edge of a band). */
  legend?: boolean;
  /** In the summary sentence: now/min/max ('stats', the default), its far end ahead of now ('ahead'), or not. */
  summary?: 'stats' | 'ahead' | 'none';
}

export interface ChartSpec {
  /** The sentence's subject: "GPUs", "Power". */
  name: string;
  series: SeriesSpec[];
  /** Bands between two series (indexes into `series`, upper first), filled with the upper's colour. */
  bands?: Array<{ upper: number; lower: number; alpha: number }>;
  /** Tick and legend text per scale ('y' is the left axis); `incr` is the tick step (for decimals); `label` names the unit. */
  axes: Array<{ scale: string; format: (v: number, incr?: number) => string; side?: 'left' | 'right'; label?: string }>;
  /** Share of the viewport height the plot takes. */
  heightVh?: number;
  /** Fixed ranges per scale (e.g. utilization 0–1); others fit their data. */
  ranges?: Record<string, [number, number]>;
  /** What the "now" line says (above the plot, never over a line). */
  nowLabel?: string;
  /** Charts with the same key show the cursor at the same time. */
  syncKey?: string;
  /** Drag across the plot: the span dragged, in ms (the caller makes it the range). */
  onZoom?: (fromMs: number, toMs: number) => void;
}

/** The x span to show and where "now" is, all in unix seconds; `rangeText` finishes "GPUs …". */
export interface ChartView {
  fromS: number;
  toS: number;
  nowS: number | null;
  rangeText: string;
}

export interface Chart {
  el: HTMLElement;
  /** x in unix seconds; one array per series, null where it has no value. */
  setData(x: number[], ys: Array<Array<number | null>>, view: ChartView): void;
  setMarks(marks: Mark[]): void;
  setZone(zone: Zone): void;
  summary(): string;
  csv(): string;
  pointCount(): number;
  destroy(): void;
}

/** The kiosk's plots: 281 px on a 3840×2160 wall, where the trends card has ≈ 640 px (dashboard-layout test). */
const KIOSK_HEIGHT_SHARE = 0.13;
/** No plot taller than this: at 27 % of a 2160-px screen (583 px) the page ran past one screen. */
const MAX_PLOT_PX = 400;

function rootPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

/** A palette colour by its custom property, with an opacity (hex only; anything else as it is). */
export function cssColor(name: string, alpha = 1): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#9fb0c3';
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
  if (!m || alpha === 1) return value;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}

export function createChart(spec: ChartSpec): Chart {
  const plotBox = h('div', { class: 'chart-plot', role: 'img', 'aria-label': `${spec.name}: loading` });
  const marks = createMarkLayer((n) => cssColor(n));
  const note = h('div', { class: 'chart-note', 'data-testid': 'chart-note', hidden: true });
  const el = h('div', { class: 'chart', 'data-y-label': spec.axes[0]?.label ?? '' }, plotBox, marks.layer, note);
  let x: number[] = [];
  let ys: Array<Array<number | null>> = spec.series.map(() => []);
  let view: ChartView = { fromS: 0, toS: 1, nowS: null, rangeText: '' };
  let zone: Zone = 'utc';
  let plot: uPlot | null = null;
  let sentence = '';

  const size = (): { width: number; height: number } => ({
    width: Math.max(200, Math.floor(el.clientWidth)),
    height: Math.round(Math.max(200, Math.min(MAX_PLOT_PX, window.innerHeight * heightShare()))),
  });
  // The wall screen (?kiosk) shows every section at once: its charts share the screen with more.
  const heightShare = (): number =>
    document.documentElement.classList.contains('kiosk') ? Math.min(KIOSK_HEIGHT_SHARE, spec.heightVh ?? 1) : (spec.heightVh ?? 0.22);
  const offsetAt = (s: number): number => zoneOffsetMinutes(zone, s * 1000);
  const timeText = (t: number | null): string => (t === null ? '–' : formatInstant(t * 1000, offsetAt(t)));
  const format = (s: SeriesSpec) => (v: number) => spec.axes.find((a) => a.scale === (s.scale ?? 'y'))?.format(v) ?? String(v);

  /** Where the legend reads when nobody hovers: the last point at or before now. */
  const restingIndex = (u: uPlot): number => {
    const xs = u.data[0];
    let i = xs.length - 1;
    if (view.nowS !== null) while (i > 0 && (xs[i] ?? 0) > view.nowS) i--;
    return i;
  };

  const drawNow = (u: uPlot, px: number): void => {
    if (view.nowS === null) return;
    const dpr = devicePixelRatio;
    const left = u.valToPos(view.nowS, 'x', true);
    if (left < u.bbox.left || left > u.bbox.left + u.bbox.width + 1) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = cssColor('--text', 0.55);
    ctx.setLineDash([4 * dpr, 4 * dpr]);
    ctx.lineWidth = dpr;
    ctx.beginPath();
    ctx.moveTo(left, u.bbox.top);
    ctx.lineTo(left, u.bbox.top + u.bbox.height);
    ctx.stroke();
    if (spec.nowLabel) {
      // In the strip above the plot (uPlot's top padding): no line ever runs under it. Where the
      // forecast part is too narrow to hold it (a phone), only "now", left of the line.
      ctx.font = `${Math.round(px * 0.8 * dpr)}px system-ui, sans-serif`;
      ctx.fillStyle = cssColor('--muted');
      ctx.textBaseline = 'bottom';
      const fits = left + 4 * dpr + ctx.measureText(spec.nowLabel).width <= u.bbox.left + u.bbox.width;
      ctx.textAlign = fits ? 'left' : 'right';
      ctx.fillText(fits ? spec.nowLabel : 'now', fits ? left + 4 * dpr : left - 4 * dpr, u.bbox.top - 3 * dpr);
    }
    ctx.restore();
  };

  const build = (): uPlot => {
    const px = rootPx();
    const font = `${Math.round(px * 0.85)}px system-ui, sans-serif`;
    const axisStroke = cssColor('--muted');
    const grid = cssColor('--line');
    const scaleW = (w: number): number => w * Math.max(1, px / 16);
    const options: uPlot.Options = {
      ...size(),
      // Room above the plot for the "now" label and the marks' glyphs; on the right for the last
      // tick's date (uPlot centres it on its tick and would cut it at the edge).
      padding: [Math.round(px * 1.6), Math.round(px * 2.6), null, null],
      tzDate: (ts) => (zone === 'utc' ? uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : new Date(ts * 1000)),
      cursor: {
        drag: { x: spec.onZoom !== undefined, y: false, setScale: false },
        points: { size: Math.round(px * 0.5) },
        ...(spec.syncKey ? { sync: { key: spec.syncKey } } : {}),
      },
      select: { show: spec.onZoom !== undefined, left: 0, top: 0, width: 0, height: 0 },
      legend: { live: true },
      scales: {
        x: { time: true, range: () => [view.fromS, view.toS] },
        ...Object.fromEntries(Object.entries(spec.ranges ?? {}).map(([k, range]) => [k, { range }])),
      },
      series: [
        {
          label: zoneLabel(zone, offsetAt(view.nowS ?? Date.now() / 1000)),
          value: (u, v, _si, idx) => timeText(idx === null ? (u.data[0][restingIndex(u)] ?? null) : v),
        },
        ...spec.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: cssColor(s.color, s.alpha ?? 1),
          width: scaleW(s.width ?? 2),
          scale: s.scale ?? 'y',
          spanGaps: false,
          points: { show: false },
          ...(s.dash ? { dash: s.dash.map(scaleW) } : {}),
          // Not hovering: the latest value, so the legend reads as a live key.
          value: (u, v, si, idx) => {
            const shown = idx === null ? valueNear(u.data[si], restingIndex(u)) : v;
            return shown === null || shown === undefined ? '–' : format(s)(shown);
          },
        })),
      ],
      bands: (spec.bands ?? []).map((b) => ({
        series: [b.upper + 1, b.lower + 1] as [number, number],
        fill: cssColor(spec.series[b.upper]?.color ?? '--muted', b.alpha),
      })),
      axes: [
        {
          stroke: axisStroke,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          font,
          size: Math.round(px * 2.4),
          space: Math.round(px * 6.5),
          values: (_u, splits, _ai, _space, incr) => {
            const ticks = splits.map((s) => formatTick(s * 1000, incr * 1000, offsetAt(s)));
            el.dataset.ticks = JSON.stringify(ticks);
            return ticks;
          },
        },
        ...spec.axes.map((a): uPlot.Axis => ({
          scale: a.scale,
          side: a.side === 'right' ? 1 : 3,
          stroke: axisStroke,
          grid: { show: a.side !== 'right', stroke: grid },
          ticks: { stroke: grid },
          font,
          size: Math.round(px * 6),
          space: Math.round(px * 2.6),
          ...(a.label ? { label: a.label, labelFont: font, labelSize: Math.round(px * 1.4) } : {}),
          values: (_u, splits, _ai, _space, incr) => {
            const ticks = splits.map((v) => a.format(v, incr));
            // The canvas holds the text: the element keeps the left axis's, for tests and tools.
            if (a.side !== 'right') el.dataset.yTicks = JSON.stringify(ticks);
            return ticks;
          },
        })),
      ],
      hooks: {
        draw: [(u) => drawNow(u, px), (u) => marks.draw(u)],
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            el.dataset.xFrom = String(u.scales.x?.min ?? '');
            el.dataset.xTo = String(u.scales.x?.max ?? '');
          },
        ],
        setSelect: [
          (u) => {
            if (!spec.onZoom || u.select.width < 3) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            spec.onZoom(from * 1000, to * 1000);
          },
        ],
      },
    };
    const p = new uPlot(options, data(), plotBox);
    spec.series.forEach((s, i) => {
      if (s.legend === false) p.root.querySelectorAll('.u-legend .u-series')[i + 1]?.classList.add('hidden-legend');
    });
    return p;
  };

  /** With no point at all the range's two ends, so the axis still shows the range asked for. */
  const data = (): uPlot.AlignedData =>
    (x.length > 0 ? [x, ...ys] : [[view.fromS, view.toS], ...spec.series.map(() => [null, null])]) as uPlot.AlignedData;

  const rebuild = (): void => {
    if (!plot) return;
    plot.destroy();
    plot = build();
  };

  const describe = (): void => {
    const nowS = view.nowS ?? view.toS;
    const parts: string[] = [];
    const ahead: string[] = [];
    spec.series.forEach((s, i) => {
      const col = ys[i] ?? [];
      if (s.summary === 'ahead') {
        const end = lastAhead(x, col, nowS);
        if (end) ahead.push(`${s.label} ${format(s)(end.value)} in ${formatSpan((end.atS - nowS) * 1000)}`);
      } else if (s.summary !== 'none' && s.legend !== false) {
        const stats = statsOf(x, col, nowS);
        if (stats) parts.push(describeStats(s.label, stats, format(s), view.nowS === null ? 'at the end' : 'now'));
      }
    });
    sentence = summarySentence(spec.name, view.rangeText, parts, [
      ahead.length > 0 ? `forecast: ${ahead.join(', ')}` : '',
      describeMarks(marks.marks()),
    ]);
    plotBox.setAttribute('aria-label', sentence);
    el.dataset.summary = sentence;
  };

  /** "no history yet in this range", or from when it starts when that is well after the range does. */
  const describeCoverage = (): void => {
    const nowS = view.nowS ?? view.toS;
    let firstS: number | null = null;
    for (let i = 0; i < x.length && firstS === null; i++) {
      const t = x[i]!;
      if (t > nowS) break;
      if (spec.series.some((s, k) => s.summary !== 'ahead' && ys[k]?.[i] !== null && ys[k]?.[i] !== undefined)) firstS = t;
    }
    const spanS = Math.min(nowS, view.toS) - view.fromS;
    let text = '';
    if (firstS === null) text = 'no history yet in this range';
    else if (firstS - view.fromS > Math.max(0.05 * spanS, 180))
      text = `history from ${timeText(firstS)} ${zoneLabel(zone, offsetAt(firstS))} (none before in this range)`;
    note.textContent = text;
    note.hidden = text === '';
    el.dataset.empty = firstS === null ? 'true' : 'false';
  };

  const scheme = new MutationObserver(rebuild);
  scheme.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
  let resizeQueued = false;
  const observer = new ResizeObserver(() => {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(() => {
      resizeQueued = false;
      plot?.setSize(size());
    });
  });
  observer.observe(el);

  return {
    el,
    setData(nextX, nextYs, nextView) {
      x = nextX;
      ys = nextYs;
      view = nextView;
      describeCoverage();
      describe();
      if (!plot) plot = build();
      else plot.setData(data());
    },
    setMarks(next) {
      marks.set(next);
      describe();
      plot?.redraw(false, false);
    },
    setZone(next) {
      if (next === zone) return;
      zone = next;
      describeCoverage();
      rebuild();
    },
    summary: () => sentence,
    csv() {
      const header = ['time_utc', 'unix_seconds', ...spec.series.map((s) => s.column)];
      return toCsv(
        header,
        x.map((t, i) => [new Date(t * 1000).toISOString(), t, ...ys.map((col) => col[i] ?? null)]),
      );
    },
    pointCount: () => x.length,
    destroy() {
      observer.disconnect();
      scheme.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}

/** The value at i, else the nearest one before it, else the first one after it (a forecast starts at now). */
function valueNear(col: ArrayLike<number | null | undefined> | undefined, i: number): number | null {
  if (!col) return null;
  for (let k = Math.min(i, col.length - 1); k >= 0; k--) {
    const v = col[k];
    if (v !== null && v !== undefined) return v;
  }
  for (let k = i + 1; k < col.length; k++) {
    const v = col[k];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/**
 * Joins series sampled at different times into uPlot's aligned columns: the union of timestamps,
 * null where a series has no point.
 */
export function alignSeries(series: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): {
  x: number[];
  ys: Array<Array<number | null>>;
} {
  const times = new Set<number>();
  for (const s of series) for (const [t] of s) times.add(t);
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: Array<number | null> = new Array<number | null>(x.length).fill(null);
    for (const [t, v] of s) col[index.get(t) ?? 0] = v;
    return col;
  });
  return { x, ys };
}
