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

/** Money column headers with what each means (also in the definitions under the table). */
const MONEY_HEADERS: Array<[string, string]> = [
  ['full rate $/mo', 'The monthly price in the contract, before ramp and proration.'],
  [
    'rate in force $/mo',
    "Full rate × today's ramp factor, for active contracts in term; 0 otherwise. The headline's contracted figure is their total.",
  ],
  ["this month's charge", 'What the calendar month containing today bills: ramp and proration by day applied.'],
  ['revenue to date', 'Billed for the contract days before today.'],
  ['TCV', 'Total contract value: every month of the term.'],
  ['guaranteed', 'Revenue to date + the notice period from today.'],
];

/** The money terms spelled out, for anyone who does not hover a header. */
function definitions(): HTMLElement {
  return h(
    'details',
    { class: 'money-terms' },
    h('summary', {}, 'What the money figures mean'),
    h('dl', {}, ...MONEY_HEADERS.flatMap(([t, why]) => [h('dt', {}, t), h('dd', {}, why)])),
  );
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
      // Sums in whole cents: the figures are to the cent, and float sums drift.
      const totals = { fullRate: 0, inForce: 0, thisMonth: 0, toDate: 0, tcv: 0, guaranteed: 0 };
      const add = (key: keyof typeof totals, usd: number | undefined) => (totals[key] += Math.round((usd ?? 0) * 100));
      const money = (n: number | undefined, testid?: string) =>
        h('td', { class: 'n', 'data-value': n ?? '', 'data-testid': testid ?? null }, n === undefined ? '–' : formatUsd(n));
      const rows = contracts.map((k) => {
        const v = valuations.get(k.id);
        add('fullRate', k.monthlyPriceUsd);
        add('inForce', v?.rateInForceUsd);
        add('thisMonth', v?.currentMonthUsd);
        add('toDate', v?.revenueToDateUsd);
        add('tcv', v?.tcvUsd);
        add('guaranteed', v?.guaranteedUsd);
        return h(
          'tr',
          { 'data-contract': k.id },
          // Capacity under the customer, as notice and ramp under the term: all ten figures fit at 1280 px.
          h(
            'td',
            {},
            k.customer,
            k.shortfallPods
              ? h('span', { class: 'tag tag-bad', title: 'pods the site could not deliver' }, `${k.shortfallPods} pods short`)
              : null,
            h('span', { class: 'term-note', 'data-testid': 'contract-capacity' }, capacityText(k, v)),
          ),
          // Ramp and notice under the term, not in columns of their own: the money columns fit at 1280 px.
          h(
            'td',
            { class: 'nowrap' },
            `${k.start} → ${k.end}`,
            h('span', { class: 'term-note' }, `notice ${k.noticeDays} d${k.ramp.length ? ` · ramp ${rampText(k)}` : ''}`),
          ),
          h('td', {}, h('span', { class: `tag tag-${v?.phase ?? k.status}` }, v?.phase ?? k.status)),
          money(k.monthlyPriceUsd),
          money(v?.rateInForceUsd),
          money(v?.currentMonthUsd),
          money(v?.revenueToDateUsd),
          money(v?.tcvUsd),
          money(v?.guaranteedUsd),
        );
      });
      const usd = (cents: number): number => cents / 100;
      const asOf = valuations.values().next().value?.asOf;
      const figure = (label: string, cents: number, testid: string) =>
        h('span', {}, `${label} `, h('b', { 'data-testid': testid, 'data-value': usd(cents) }, formatUsd(usd(cents))));
      fill(
        c.body,
        h(
          'p',
          { class: 'table-summary contracts-summary' },
          `${formatCount(contracts.length)} contracts${asOf ? ` as of ${asOf}` : ''} · `,
          figure('rate in force', totals.inForce, 'contracts-rate-in-force'),
          ' a month · ',
          figure("this month's charge", totals.thisMonth, 'contracts-this-month'),
          ' · ',
          figure('revenue to date', totals.toDate, 'contracts-to-date'),
          ' · ',
          figure('TCV', totals.tcv, 'contracts-tcv'),
        ),
        h(
          'div',
          // A Tab stop with a name: on a narrow screen the table scrolls, and the keyboard must reach it.
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `Contracts, ${contracts.length} rows` },
          h(
            'table',
            { 'data-testid': 'contracts-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['customer, capacity', 'term, notice, ramp', 'phase'].map((t) => h('th', {}, t)),
                ...MONEY_HEADERS.map(([t, why]) => h('th', { class: 'n', title: why }, t)),
              ),
            ),
            h('tbody', {}, ...rows),
            h(
              'tfoot',
              {},
              h(
                'tr',
                { 'data-testid': 'contracts-total' },
                h('td', { colspan: 3 }, `total, ${plural(contracts.length, 'contract')}`),
                money(usd(totals.fullRate), 'total-full-rate'),
                money(usd(totals.inForce), 'total-rate-in-force'),
                money(usd(totals.thisMonth), 'total-this-month'),
                money(usd(totals.toDate), 'total-to-date'),
                money(usd(totals.tcv), 'total-tcv'),
                money(usd(totals.guaranteed), 'total-guaranteed'),
              ),
            ),
          ),
        ),
        definitions(),
      );
      markLoaded(c.el);
    },
    error(message: string): void {
      fill(c.body, h('div', { class: 'error' }, message));
    },
  };
}
