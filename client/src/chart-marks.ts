/**
 * Draws annotation marks on a uPlot chart: a dashed vertical line on the canvas and, in the strip
 * above the plot, a focusable glyph whose label shows on hover and focus (charts.css). Shape,
 * dash and colour differ per kind.
 */
import type uPlot from 'uplot';
import { MARK_GLYPH, type Mark, type MarkKind } from './chart-annotations.js';
import { h } from './dom.js';

const MARK_COLOR: Record<MarkKind, string> = {
  'alert-fired': '--bad',
  'alert-resolved': '--good',
  'contract-start': '--info',
  'contract-end': '--info',
  'notice-deadline': '--warn',
};
const MARK_DASH: Record<MarkKind, number[]> = {
  'alert-fired': [2, 2],
  'alert-resolved': [1, 4],
  'contract-start': [6, 3],
  'contract-end': [6, 3, 1, 3],
  'notice-deadline': [3, 5],
};

export function createMarkLayer(cssColor: (name: string) => string) {
  const layer = h('div', { class: 'chart-marks', role: 'list', 'aria-label': 'alerts and contract events in range' });
  let marks: Mark[] = [];
  let glyphs: HTMLElement[] = [];

  return {
    layer,
    set(next: Mark[]): void {
      marks = next;
      glyphs = marks.map((m) =>
        h(
          'span',
          {
            class: `mark mark-${m.kind}`,
            role: 'listitem',
            tabindex: 0,
            'aria-label': m.label,
            'data-label': m.label,
            'data-kind': m.kind,
          },
          MARK_GLYPH[m.kind],
        ),
      );
      layer.replaceChildren(...glyphs);
      layer.hidden = marks.length === 0;
    },
    marks: (): readonly Mark[] => marks,
    /** uPlot's draw hook: lines on the canvas, glyphs placed above them. */
    draw(u: uPlot): void {
      const dpr = devicePixelRatio;
      const ctx = u.ctx;
      const plotLeft = u.bbox.left / dpr;
      layer.style.top = '0px';
      layer.style.height = `${u.bbox.top / dpr}px`;
      marks.forEach((m, i) => {
        const left = u.valToPos(m.atMs / 1000, 'x', true);
        const inside = left >= u.bbox.left && left <= u.bbox.left + u.bbox.width;
        const glyph = glyphs[i];
        if (glyph) {
          glyph.hidden = !inside;
          glyph.style.left = `${plotLeft + u.valToPos(m.atMs / 1000, 'x')}px`;
        }
        if (!inside) return;
        ctx.save();
        ctx.strokeStyle = cssColor(MARK_COLOR[m.kind]);
        ctx.globalAlpha = 0.8;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash(MARK_DASH[m.kind].map((d) => d * 2 * dpr));
        ctx.beginPath();
        ctx.moveTo(left, u.bbox.top);
        ctx.lineTo(left, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      });
    },
  };
}
