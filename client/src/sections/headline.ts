import { HEATMAP_STATES, type Headline, type SellableOfModel } from '@protocol/live';
import { card, fill, h, markLoaded, setFigure, setText } from '../dom.js';
import { formatCount, formatDay, formatLead, formatMwNumber, formatPercent, formatUsd, formatUsdCompact } from '../format.js';
import { legendTerm } from '../term.js';
import { createSellableEquation } from './headline-terms.js';
import '../headline.css';

type State = (typeof HEATMAP_STATES)[number];

/** docs/gpu-states.md, in a sentence each. */
const STATE_DEFINITION: Record<State, string> = {
  busy: "Computing the owner's own work.",
  held: 'Allocated to internal work (memory in use) but not computing: reclaimable waste, not free to sell.',
  idle: 'Nothing on it: no compute, no memory in use. Sellable only as whole pods over the reserve.',
  sold: 'Delivered to a resale customer.',
  down: 'Failed or in maintenance (a fatal XID or a drained node).',
  unknown: 'Telemetry missing, stale or garbage: never counted as idle or sellable.',
};

/** A big numeral with its unit and a caption; `data-value` holds the raw figure. */
function figure(testid: string, caption: string, unit: string, extra = ''): { el: HTMLElement; value: HTMLElement; note: HTMLElement } {
  const value = h('span', { class: 'num', 'data-testid': testid }, '–');
  const note = h('span', { class: 'fig-note' });
  const el = h(
    'div',
    { class: `fig ${extra}` },
    h('span', { class: 'fig-caption' }, caption),
    h('span', { class: 'fig-value' }, value, unit ? h('span', { class: 'unit' }, unit) : null),
    note,
  );
  return { el, value, note };
}

/**
 * The figures at the top: power, GPUs by state, sellable capacity and its value, contracted revenue,
 * oversold risk. Everything comes from the live Headline, nothing from REST. `hallTile`: the chosen
 * hall's figures (hall-figures.ts), under the site's.
 */
export function createHeadline(hallTile: HTMLElement | null = null) {
  const c = card('headline', 'Right now');
  const feed = figure('headline-feed', 'Utility feed', 'MW');
  const draw = figure('headline-draw', 'Facility draw', 'MW');
  const headroom = figure('headline-headroom', 'Power headroom', 'MW', 'fig-accent');
  const total = figure('gpus-total', 'GPUs', '');
  const sellableMw = figure('sellable-mw', 'Sellable now', 'MW', 'fig-good');
  const sellableGpus = figure('sellable-gpus', 'Sellable GPUs', '', 'fig-good');
  const value = figure('sellable-value', 'Sellable, list price', '/mo', 'fig-good');
  const byModel = h('p', { class: 'fig-models', 'data-testid': 'headline-sellable-models', hidden: true });
  const revenue = figure('contracted-revenue', 'Rate in force', '/mo');
  const equation = createSellableEquation();
  const riskValue = h('span', { class: 'risk-word', 'data-testid': 'risk' }, '–');
  const riskNote = h('span', { class: 'fig-note', 'data-testid': 'risk-note' });
  const risk = h('div', { class: 'fig fig-risk' }, h('span', { class: 'fig-caption' }, 'Oversold risk'), riskValue, riskNote);

  const stateCounts = new Map<State, HTMLElement>();
  const stateBars = new Map<State, HTMLElement>();
  const bar = h('div', { class: 'state-bar', 'aria-hidden': 'true' });
  const legend = h('div', { class: 'state-legend' });
  for (const state of HEATMAP_STATES) {
    const seg = h('span', { class: `seg s-${state}` });
    bar.append(seg);
    stateBars.set(state, seg);
    const count = h('span', { class: 'state-count', 'data-testid': `gpus-${state}` }, '–');
    stateCounts.set(state, count);
    legend.append(
      h('span', { class: 'state-item' }, h('i', { class: `dot s-${state}` }), count, legendTerm(state, STATE_DEFINITION[state])),
    );
  }

  const gpuTile = h('div', { class: 'tile tile-gpus' }, total.el, bar, legend);
  const grid = h(
    'div',
    { class: 'headline-grid' },
    h('div', { class: 'tile tile-power' }, feed.el, draw.el, headroom.el),
    gpuTile,
    h('div', { class: 'tile tile-sellable' }, sellableMw.el, sellableGpus.el, value.el, byModel),
    h('div', { class: 'tile tile-money' }, revenue.el, risk),
    equation.el,
    hallTile,
  );
  let drawn = false;
  let byModelKey = '';
  /** "by model: H100-SXM 1,024 · GB200 144 GPUs ($…/mo)" on a site of several models; hidden with one (the tile is that model). */
  const drawByModel = (models: SellableOfModel[]): void => {
    const key = JSON.stringify(models);
    if (key === byModelKey) return;
    byModelKey = key;
    byModel.hidden = models.length < 2;
    byModel.replaceChildren(
      'by model: ',
      ...models.flatMap((m, i) => [
        i ? ' · ' : '',
        h(
          'span',
          {
            'data-model': m.model,
            'data-gpus': m.gpus,
            'data-usd': m.valueUsdPerMonth,
            title: `${m.model}: ${formatCount(m.blocks)} blocks, ${formatUsd(m.valueUsdPerMonth)} a month`,
          },
          h('b', {}, m.model),
          ` ${formatCount(m.gpus)} (${formatUsdCompact(m.valueUsdPerMonth)}/mo)`,
        ),
      ]),
    );
  };

  return {
    el: c.el,
    render(hl: Headline): void {
      if (!drawn) {
        fill(c.body, grid);
        drawn = true;
      }
      const p = hl.power;
      setFigure(feed.value, formatMwNumber(p.feedWatts), p.feedWatts);
      setFigure(draw.value, formatMwNumber(p.facilityDrawWatts), p.facilityDrawWatts);
      setText(draw.note, p.feedWatts > 0 ? `${formatPercent(p.facilityDrawWatts / p.feedWatts)} of feed` : '');
      setFigure(headroom.value, formatMwNumber(p.headroomWatts), p.headroomWatts);
      headroom.el.classList.toggle('fig-bad', p.headroomWatts < 0);
      setText(headroom.note, p.strandedWatts ? `${formatMwNumber(p.strandedWatts)} MW stranded` : '');

      const g = hl.gpus;
      setFigure(total.value, formatCount(g.total), g.total);
      setText(total.note, `${formatCount(g.total - g.down - g.unknown)} up`);
      for (const state of HEATMAP_STATES) {
        setFigure(stateCounts.get(state)!, formatCount(g[state]), g[state]);
        stateBars.get(state)!.style.flexGrow = String(g[state]);
      }

      const cap = hl.capacity;
      if (cap) {
        setFigure(sellableMw.value, formatMwNumber(cap.sellableWatts), cap.sellableWatts);
        setText(sellableMw.note, `${formatCount(cap.sellableBlocks)} ${cap.sellableBlocks === 1 ? 'block' : 'blocks'} at full load`);
        setFigure(sellableGpus.value, formatCount(cap.sellableGpus), cap.sellableGpus);
        setText(sellableGpus.note, `reserve ${formatCount(cap.reserveGpus)} GPUs`);
        setFigure(value.value, formatUsdCompact(cap.sellableValueUsdPerMonth), cap.sellableValueUsdPerMonth);
        setText(value.note, `${formatUsd(cap.sellableValueUsdPerMonth)} a month`);
        equation.render(cap);
        drawByModel(cap.sellableByModel);
      } else {
        drawByModel([]);
        equation.render(null);
        for (const f of [sellableMw, sellableGpus, value]) {
          setFigure(f.value, '–', null);
          setText(f.note, 'waiting for history…');
        }
      }

      setFigure(revenue.value, formatUsdCompact(hl.contracts.revenueUsdPerMonth), hl.contracts.revenueUsdPerMonth);
      // The exact figure, as the Contracts total of "rate in force" shows it; one line on every screen.
      setText(revenue.note, `${formatUsd(hl.contracts.revenueUsdPerMonth)} a month · ${formatCount(hl.contracts.active)} active`);

      const r = hl.risk;
      if (!r) {
        setFigure(riskValue, '–', null);
        setText(riskNote, 'waiting for history…');
        risk.dataset.level = 'unknown';
      } else if (r.oversold) {
        setFigure(riskValue, 'OVERSOLD', 'oversold');
        const at = r.firstShortfallAt ? Date.parse(r.firstShortfallAt) : null;
        setText(riskNote, `${formatCount(r.shortfallGpus)} GPUs short${at ? ` ${formatLead(hl.atMs, at)} (${formatDay(at)})` : ''}`);
        risk.dataset.level = 'oversold';
      } else if (r.firstRiskAt) {
        const at = Date.parse(r.firstRiskAt);
        setFigure(riskValue, 'AT RISK', 'at-risk');
        setText(riskNote, `high forecast crosses capacity ${formatLead(hl.atMs, at)} (${formatDay(at)})`);
        risk.dataset.level = 'at-risk';
      } else {
        setFigure(riskValue, 'OK', 'ok');
        setText(riskNote, 'no shortfall forecast within the horizon');
        risk.dataset.level = 'ok';
      }
      markLoaded(c.el);
    },
  };
}
