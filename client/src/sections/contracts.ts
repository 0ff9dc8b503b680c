import { CSV_URLS, type Contract, type Valuation } from '../api.js';
import { serverCsvButton } from '../csv.js';
import { card, fill, h, markLoaded } from '../dom.js';
import { formatCount, formatPower, formatUsd, plural } from '../format.js';

function capacityText(c: Contract, v: Valuation | undefined): string {
  const asked =
    'pods' in c.capacity
      ? plural(c.capacity.pods, 'pod')
      : 'gpus' in c.capacity
        ? plural(c.capacity.gpus, 'GPU')
        : formatPower(c.capacity.watts);
  const delivered = v ? plural(v.gpus, 'GPU') : plural(c.pods.length, 'pod');
  return `${asked} → ${delivered}`;
}

function rampText(c: Contract): string {
  return c.ramp.length ? c.ramp.map((r) => `${r.months} mo × ${r.factor}`).join(', ') : '–';
}

/** The contract book with each contract's money (GET /api/v1/contracts and …/:id/valuation). */
export function createContracts() {
  const c = card('contracts', 'Contracts', [serverCsvButton('export-contracts-csv', CSV_URLS.contracts, 'headroom-contracts.csv')]);

  return {
    el: c.el,
    render(contracts: Contract[], valuations: Map<string, Valuation>): void {
      if (!contracts.length) {
        fill(c.body, h('p', { class: 'table-summary' }, 'No contracts yet.'));
        markLoaded(c.el);
        return;
      }
      let monthly = 0;
      let tcv = 0;
      let toDate = 0;
      let guaranteed = 0;
      const rows = contracts.map((k) => {
        const v = valuations.get(k.id);
        if (v) {
          monthly += v.phase === 'in-term' ? v.currentMonthUsd : 0;
          tcv += v.tcvUsd;
          toDate += v.revenueToDateUsd;
          guaranteed += v.guaranteedUsd;
        }
        const money = (n: number | undefined) => h('td', { class: 'n', 'data-value': n ?? '' }, n === undefined ? '–' : formatUsd(n));
        return h(
          'tr',
          { 'data-contract': k.id },
          h(
            'td',
            {},
            k.customer,
            k.shortfallPods
              ? h('span', { class: 'tag tag-bad', title: 'pods the site could not deliver' }, `${k.shortfallPods} pods short`)
              : null,
          ),
          h('td', {}, capacityText(k, v)),
          h('td', { class: 'nowrap' }, `${k.start} → ${k.end}`),
          h('td', {}, h('span', { class: `tag tag-${v?.phase ?? k.status}` }, v?.phase ?? k.status)),
          h('td', { class: 'n' }, formatUsd(k.monthlyPriceUsd)),
          h('td', {}, rampText(k)),
          h('td', { class: 'n' }, `${k.noticeDays} d`),
          money(v?.revenueToDateUsd),
          money(v?.tcvUsd),
          money(v?.guaranteedUsd),
        );
      });
      const asOf = valuations.values().next().value?.asOf;
      fill(
        c.body,
        h(
          'p',
          { class: 'table-summary' },
          `${formatCount(contracts.length)} contracts · ${formatUsd(monthly)} this month · TCV ${formatUsd(tcv)}${asOf ? ` · as of ${asOf}` : ''}`,
        ),
        h(
          'div',
          // A Tab stop with a name: on a narrow screen the table scrolls, and the keyboard must reach it.
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Contracts table' },
          h(
            'table',
            { 'data-testid': 'contracts-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['customer', 'capacity', 'term', 'phase'].map((t) => h('th', {}, t)),
                h('th', { class: 'n' }, '$/month'),
                h('th', {}, 'ramp'),
                h('th', { class: 'n' }, 'notice'),
                h('th', { class: 'n' }, 'to date'),
                h('th', { class: 'n' }, 'TCV'),
                h('th', { class: 'n' }, 'guaranteed'),
              ),
            ),
            h('tbody', {}, ...rows),
            h(
              'tfoot',
              {},
              h(
                'tr',
                {},
                h('td', { colspan: 7 }, 'total'),
                h('td', { class: 'n' }, formatUsd(toDate)),
                h('td', { class: 'n' }, formatUsd(tcv)),
                h('td', { class: 'n' }, formatUsd(guaranteed)),
              ),
            ),
          ),
        ),
      );
      markLoaded(c.el);
    },
    error(message: string): void {
      fill(c.body, h('div', { class: 'error' }, message));
    },
  };
}
