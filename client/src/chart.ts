/**
 * Time-series charts with uPlot: canvas drawing, ≈ 50 kB, and it redraws thousands of points in a few
 * milliseconds — what a page that appends a point every round, all day, on a 4K wall screen needs
 * (SVG chart libraries rebuild the DOM per point; the big canvas ones weigh 10× more).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { toCsv } from '@protocol/csv';
import { h } from './dom.js';
import { formatClock, formatDay } from './format.js';

const timeText = (t: number | null): string => (t === null ? '–' : `${formatDay(t * 1000)} ${formatClock(t * 1000)}`);

export interface SeriesSpec {
  label: string;
  color: string;
  /** CSV column name, with its unit. */
  column: string;
  dash?: number[];
  width?: number;
  fill?: string;
  scale?: string;
  /** Hidden from the legend (e.g. the lower edge of a band). */
  legend?: boolean;
}

export interface ChartSpec {
  series: SeriesSpec[];
  /** Bands between two series (indexes into `series`, upper first). */
  bands?: Array<{ upper: number; lower: number; fill: string }>;
  /** Y axis tick text per scale ('y' is the left axis). */
  /** Tick and legend text per scale ('y' is the left axis); `incr` is the tick step (for decimals). */
  axes: Array<{ scale: string; format: (v: number, incr?: number) => string; side?: 'left' | 'right' }>;
  /** Share of the viewport height the plot takes. */
  heightVh?: number;
  /** Fixed ranges per scale (e.g. utilization 0–1); others fit their data. */
  ranges?: Record<string, [number, number]>;
  /** Where "now" is (unix seconds): a marked vertical line, when the chart also shows a forecast. */
  now?: () => number | null;
}

export interface Chart {
  el: HTMLElement;
  /** x in unix seconds; one array per series, null where it has no value. */
  setData(x: number[], ys: Array<Array<number | null>>): void;
  csv(): string;
  pointCount(): number;
  destroy(): void;
}

const AXIS = '#9fb0c3';
const GRID = 'rgba(159, 176, 195, 0.14)';

function rootPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

export function createChart(spec: ChartSpec): Chart {
  const el = h('div', { class: 'chart' });
  const empty = h('div', { class: 'chart-empty' }, 'no history in this range yet');
  el.append(empty);
  let x: number[] = [];
  let ys: Array<Array<number | null>> = spec.series.map(() => []);
  let plot: uPlot | null = null;

  const size = (): { width: number; height: number } => ({
    width: Math.max(200, Math.floor(el.clientWidth)),
    height: Math.round(Math.max(200, Math.min(760, window.innerHeight * (spec.heightVh ?? 0.22)))),
  });

  /** Where the legend reads when nobody hovers: the last point at or before now. */
  const restingIndex = (u: uPlot): number => {
    const xs = u.data[0];
    const now = spec.now?.() ?? null;
    let i = xs.length - 1;
    if (now !== null) while (i > 0 && (xs[i] ?? 0) > now) i--;
    return i;
  };

  const build = (): uPlot => {
    const px = rootPx();
    const font = `${Math.round(px * 0.85)}px system-ui, sans-serif`;
    const options: uPlot.Options = {
      ...size(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: false, y: false }, points: { size: Math.round(px * 0.5) } },
      legend: { live: true },
      scales: { x: { time: true }, ...Object.fromEntries(Object.entries(spec.ranges ?? {}).map(([k, range]) => [k, { range }])) },
      series: [
        { label: 'UTC', value: (u, v, _si, idx) => timeText(idx === null ? (u.data[0][restingIndex(u)] ?? null) : v) },
        ...spec.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: (s.width ?? 2) * Math.max(1, px / 16),
          scale: s.scale ?? 'y',
          spanGaps: false,
          points: { show: false },
          ...(s.dash ? { dash: s.dash.map((d) => d * Math.max(1, px / 16)) } : {}),
          ...(s.fill ? { fill: s.fill } : {}),
          // Not hovering: the latest value, so the legend reads as a live key.
          value: (u, v, si, idx) => {
            const shown = idx === null ? valueNear(u.data[si], restingIndex(u)) : v;
            return shown === null || shown === undefined
              ? '–'
              : (spec.axes.find((a) => a.scale === (s.scale ?? 'y'))?.format(shown) ?? String(shown));
          },
        })),
      ],
      bands: (spec.bands ?? []).map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: b.fill })),
      axes: [
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, font, size: Math.round(px * 3.2), space: Math.round(px * 5.5) },
        ...spec.axes.map((a): uPlot.Axis => ({
          scale: a.scale,
          side: a.side === 'right' ? 1 : 3,
          stroke: AXIS,
          grid: { show: a.side !== 'right', stroke: GRID },
          ticks: { stroke: GRID },
          font,
          size: Math.round(px * 6),
          space: Math.round(px * 2.6),
          values: (_u, splits, _ai, _space, incr) => splits.map((v) => a.format(v, incr)),
        })),
      ],
    };
    if (spec.now) {
      const now = spec.now;
      options.hooks = {
        draw: [
          (u) => {
            const t = now();
            if (t === null) return;
            const left = u.valToPos(t, 'x', true);
            if (left < u.bbox.left || left > u.bbox.left + u.bbox.width) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = 'rgba(230, 237, 243, 0.55)';
            ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(left, u.bbox.top);
            ctx.lineTo(left, u.bbox.top + u.bbox.height);
            ctx.stroke();
            // The label on a dark plate: readable whichever line runs under it.
            const label = 'now · forecast →';
            ctx.font = `${Math.round(px * 0.8 * devicePixelRatio)}px system-ui, sans-serif`;
            const pad = 3 * devicePixelRatio;
            const textW = ctx.measureText(label).width;
            const top = u.bbox.top + pad;
            const textH = px * 0.8 * devicePixelRatio;
            ctx.setLineDash([]);
            ctx.fillStyle = 'rgba(17, 25, 36, 0.85)';
            ctx.fillRect(left + pad, top, textW + 2 * pad, textH + 2 * pad);
            ctx.fillStyle = AXIS;
            ctx.textBaseline = 'top';
            ctx.fillText(label, left + 2 * pad, top + pad);
            ctx.restore();
          },
        ],
      };
    }
    const p = new uPlot(options, [x, ...ys] as uPlot.AlignedData, el);
    spec.series.forEach((s, i) => {
      if (s.legend === false) p.root.querySelectorAll('.u-legend .u-series')[i + 1]?.classList.add('hidden-legend');
    });
    return p;
  };

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
    setData(nextX, nextYs) {
      x = nextX;
      ys = nextYs;
      empty.hidden = x.length > 0;
      if (!plot) plot = build();
      else plot.setData([x, ...ys] as uPlot.AlignedData);
    },
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
