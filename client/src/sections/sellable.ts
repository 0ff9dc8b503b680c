import { CSV_URLS, type CapacityReport } from '../api.js';
import { serverCsvButton } from '../csv.js';
import { card, fill, h, loading, markLoaded } from '../dom.js';
import { formatCount, formatPower, formatUsd, formatUsdCompact } from '../format.js';

const LIMITED_BY: Record<string, string> = {
  gpus: 'GPUs (the reserve for internal demand)',
  power: 'power headroom',
  blocks: 'whole blocks',
};

/** The sellable blocks with their value (GET /api/v1/capacity), exportable as CSV. */
export function createSellable() {
  const c = card('sellable', 'Sellable blocks', [serverCsvButton('export-blocks-csv', CSV_URLS.blocks, 'headroom-sellable-blocks.csv')]);

  return {
    el: c.el,
    render(r: CapacityReport): void {
      const s = r.sellable;
      const summary = h(
        'p',
        { class: 'table-summary', 'data-testid': 'sellable-summary' },
        s.blocks.length
          ? `${formatCount(s.blocks.length)} blocks · ${formatCount(s.gpus)} GPUs · ${formatPower(s.watts)} at full load · ${formatUsdCompact(s.valueUsdPerMonth)}/month (${formatUsdCompact(s.valueUsdOverHorizon)} over the ${r.forecast.horizonDays}-day horizon)`
          : `Nothing sellable now — limited by ${LIMITED_BY[s.limitedBy] ?? s.limitedBy}. Reserve ${formatCount(r.reserve.gpus)} GPUs, ${formatCount(r.gpus.sold)} sold, ${formatCount(r.gpus.up)} up.`,
      );
      const rows = s.blocks.map((b) =>
        h(
          'tr',
          { 'data-block': b.id },
          h('td', {}, b.id),
          h('td', {}, b.hall),
          h('td', { class: 'pods' }, b.pods.join(', ')),
          h('td', { class: 'n' }, formatCount(b.gpus)),
          h('td', { class: 'n' }, formatPower(b.watts)),
          h('td', { class: 'n', 'data-value': b.valueUsdPerMonth }, formatUsd(b.valueUsdPerMonth)),
        ),
      );
      const table = h(
        'div',
        // A Tab stop with a name: on a narrow screen the table scrolls, and the keyboard must reach it.
        { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Sellable blocks table' },
        h(
          'table',
          { 'data-testid': 'blocks-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'block'),
              h('th', {}, 'hall'),
              h('th', {}, 'pods'),
              h('th', { class: 'n' }, 'GPUs'),
              h('th', { class: 'n' }, 'full load'),
              h('th', { class: 'n' }, '$/month'),
            ),
          ),
          h('tbody', {}, ...rows),
          s.blocks.length
            ? h(
                'tfoot',
                {},
                h(
                  'tr',
                  {},
                  h('td', { colspan: 3 }, 'total'),
                  h('td', { class: 'n' }, formatCount(s.gpus)),
                  h('td', { class: 'n' }, formatPower(s.watts)),
                  h('td', { class: 'n' }, formatUsd(s.valueUsdPerMonth)),
                ),
              )
            : null,
        ),
      );
      fill(c.body, summary, s.blocks.length ? table : null);
      markLoaded(c.el);
    },
    waiting(): void {
      fill(c.body, loading('waiting for history: capacity is computed once the start-up backfill is done…'));
    },
    error(message: string): void {
      fill(c.body, h('div', { class: 'error' }, message));
    },
  };
}
