import { CSV_URLS, type CapacityReport } from '../api.js';
import { serverCsvButton } from '../csv.js';
import { card, fill, h, loading, markLoaded } from '../dom.js';
import { formatCount, formatPower, formatUsd, plural } from '../format.js';
import { viewHref } from '../url-state.js';
import { DEFINITIONS } from './headline-terms.js';
import { kindName } from './fabric-units.js';

type Block = CapacityReport['sellable']['blocks'][number];
type Column = 'pods' | 'hall' | 'gpus' | 'watts' | 'value';
type Direction = 'ascending' | 'descending';

const LIMITED_BY: Record<string, string> = {
  gpus: 'GPUs (the reserve for internal demand)',
  power: 'power headroom',
  blocks: 'whole blocks',
};

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Each column's order; ties fall back to hall then pod, so a hall's blocks stay together. */
const COMPARE: Record<Column, (a: Block, b: Block) => number> = {
  pods: (a, b) => byText(a.id, b.id),
  hall: (a, b) => byText(a.hall ?? '', b.hall ?? ''),
  gpus: (a, b) => a.gpus - b.gpus,
  watts: (a, b) => a.watts - b.watts,
  value: (a, b) => a.valueUsdPerMonth - b.valueUsdPerMonth,
};

const COLUMNS: Array<{ key: Column; label: string; numeric: boolean }> = [
  { key: 'hall', label: 'hall', numeric: false },
  { key: 'pods', label: 'pod', numeric: false },
  { key: 'gpus', label: 'GPUs', numeric: true },
  { key: 'watts', label: 'full load', numeric: true },
  { key: 'value', label: 'list price $/month', numeric: true },
];

function sorted(blocks: Block[], column: Column, direction: Direction): Block[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...blocks].sort((a, b) => sign * COMPARE[column](a, b) || COMPARE.hall(a, b) || COMPARE.pods(a, b));
}

/** "h01: 12 blocks, 3,072 GPUs · h02: …": sales asks per hall first. */
function byHall(blocks: Block[]): string {
  const halls = new Map<string, { blocks: number; gpus: number }>();
  for (const b of blocks) {
    const sum = halls.get(b.hall ?? '–') ?? { blocks: 0, gpus: 0 };
    sum.blocks += 1;
    sum.gpus += b.gpus;
    halls.set(b.hall ?? '–', sum);
  }
  return [...halls]
    .sort(([a], [b]) => byText(a, b))
    .map(([hall, s]) => `${hall}: ${plural(s.blocks, 'block')}, ${formatCount(s.gpus)} GPUs`)
    .join(' · ');
}

interface ModelSum {
  model: string;
  blocks: Block[];
  gpus: number;
  watts: number;
  usd: number;
}

/** The blocks per GPU model (a block is of one model), models in the order their first block comes. */
function byModel(blocks: Block[]): ModelSum[] {
  const models = new Map<string, ModelSum>();
  for (const b of blocks) {
    const sum = models.get(b.model) ?? { model: b.model, blocks: [], gpus: 0, watts: 0, usd: 0 };
    sum.blocks.push(b);
    sum.gpus += b.gpus;
    sum.watts += b.watts;
    sum.usd += b.valueUsdPerMonth;
    models.set(b.model, sum);
  }
  return [...models.values()];
}

/** "2 NVL72 racks" (a block of whole fabric units: GPUs per unit = its GPUs ÷ its pods). */
function unitsOf(b: Block): string {
  const n = Math.max(1, b.pods.length);
  return `${formatCount(n)} ${kindName(b.fabric, b.gpus / n, n)}`;
}

/** "GB200: 3 blocks, 216 GPUs, 0.5 MW, $1.2M/mo": one line per model over its rows. */
function modelLine(m: ModelSum): string {
  return `${m.model}: ${plural(m.blocks.length, 'block')}, ${formatCount(m.gpus)} GPUs, ${formatPower(m.watts)}, ${formatUsd(m.usd)} a month`;
}

/**
 * The sellable blocks (GET /api/v1/capacity): the total first, then a table sorted by hall (any
 * column sorts), each row linking to its pod's detail (`#pod=<id>`, main.ts); exportable as CSV.
 */
export function createSellable() {
  const c = card('sellable', 'Sellable blocks', [serverCsvButton('export-blocks-csv', CSV_URLS.blocks, 'headroom-sellable-blocks.csv')]);
  let sort: { column: Column; direction: Direction } = { column: 'hall', direction: 'ascending' };
  let report: CapacityReport | null = null;
  /** The hall chosen above the heatmap: the table and its total show that hall's blocks alone. */
  let hall: string | null = null;

  function rows(blocks: Block[]): HTMLTableRowElement[] {
    return sorted(blocks, sort.column, sort.direction).map((b) =>
      h(
        'tr',
        { 'data-block': b.id, 'data-model': b.model, title: `${b.model}, ${unitsOf(b)}` },
        h('td', {}, b.hall ?? '–'),
        h(
          'td',
          {},
          ...b.pods.flatMap((pod, i) => [i ? ', ' : '', h('a', { class: 'pod-link', href: viewHref({ pod }), 'data-pod': pod }, pod)]),
        ),
        h('td', { class: 'n', 'data-value': b.gpus }, formatCount(b.gpus)),
        h('td', { class: 'n', 'data-value': b.watts }, formatPower(b.watts)),
        h('td', { class: 'n', 'data-value': b.valueUsdPerMonth }, formatUsd(b.valueUsdPerMonth)),
      ),
    );
  }

  function header(): HTMLTableRowElement {
    return h(
      'tr',
      {},
      ...COLUMNS.map(({ key, label, numeric }) => {
        const active = sort.column === key;
        const next: Direction = active && sort.direction === 'ascending' ? 'descending' : 'ascending';
        return h(
          'th',
          { class: numeric ? 'n' : null, 'aria-sort': active ? sort.direction : 'none', 'data-sort': key, scope: 'col' },
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                sort = { column: key, direction: next };
                if (report) draw(report, key);
              },
            },
            label,
          ),
        );
      }),
    );
  }

  /** Draws the report; `focus` puts focus back on the header just sorted (the table is redrawn whole). */
  function draw(r: CapacityReport, focus?: Column): void {
    const site = r.sellable;
    const blocks = hall === null ? site.blocks : site.blocks.filter((b) => b.hall === hall);
    const s =
      hall === null
        ? site
        : {
            ...site,
            blocks,
            gpus: blocks.reduce((n, b) => n + b.gpus, 0),
            watts: blocks.reduce((n, b) => n + b.watts, 0),
            valueUsdPerMonth: blocks.reduce((n, b) => n + b.valueUsdPerMonth, 0),
          };
    const only =
      hall === null
        ? null
        : h(
            'p',
            { class: 'table-summary', 'data-testid': 'sellable-hall-note' },
            `Hall ${hall} only: ${plural(blocks.length, 'block')} of ${formatCount(site.blocks.length)} at the site (${formatPower(site.watts)}). Choose "all halls" above the heatmap for every block.`,
          );
    if (hall !== null && !blocks.length) {
      fill(c.body, only);
      return;
    }
    if (!s.blocks.length) {
      fill(
        c.body,
        h(
          'p',
          { class: 'table-summary', 'data-testid': 'sellable-summary' },
          `Nothing sellable now — limited by ${LIMITED_BY[s.limitedBy] ?? s.limitedBy}. Reserve ${formatCount(r.reserve.gpus)} GPUs, ${formatCount(r.gpus.sold)} sold, ${formatCount(r.gpus.up)} up.`,
        ),
      );
      return;
    }
    const total = h(
      'p',
      { class: 'blocks-total', 'data-testid': 'sellable-total', title: DEFINITIONS.sellable },
      h('span', {}, 'Total ', h('b', { 'data-testid': 'sellable-total-gpus', 'data-value': s.gpus }, formatCount(s.gpus)), ' GPUs'),
      h('span', {}, plural(s.blocks.length, 'block')),
      h('span', {}, `${formatPower(s.watts)} at full load`),
      h(
        'span',
        {},
        'list price ',
        h('b', { 'data-testid': 'sellable-total-usd', 'data-value': s.valueUsdPerMonth }, formatUsd(s.valueUsdPerMonth)),
        hall === null ? ` a month (${formatUsd(s.valueUsdOverHorizon)} over the ${r.forecast.horizonDays}-day horizon)` : ' a month',
      ),
    );
    // A mixed site: one body per GPU model under a header row saying its sum (a block never mixes models).
    const models = byModel(s.blocks);
    const bodies =
      models.length > 1
        ? models.map((m) =>
            h(
              'tbody',
              { 'data-model': m.model },
              h(
                'tr',
                { class: 'model-row' },
                h('th', { colspan: COLUMNS.length, scope: 'rowgroup', 'data-testid': 'sellable-model' }, modelLine(m)),
              ),
              ...rows(m.blocks),
            ),
          )
        : [h('tbody', {}, ...rows(s.blocks))];
    const table = h(
      'table',
      { 'data-testid': 'blocks-table' },
      h('caption', { class: 'sr-only' }, 'Sellable blocks by GPU model; the column headers sort'),
      h('thead', {}, header()),
      ...bodies,
    );
    const wrap = h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `Sellable blocks, ${s.blocks.length} rows` },
      table,
    );
    // Per hall in a disclosure: one line until asked (a wall screen has no room for twelve halls).
    const halls = h(
      'details',
      { class: 'table-summary', 'data-testid': 'sellable-summary' },
      h('summary', {}, `By hall (${new Set(s.blocks.map((b) => b.hall)).size})`),
      byHall(s.blocks),
    );
    // Per model, always in view: what sales asks first on a mixed site ("how many GB200 racks?").
    const perModel =
      models.length > 1
        ? h(
            'ul',
            { class: 'by-model', 'data-testid': 'sellable-by-model' },
            ...models.map((m) =>
              h(
                'li',
                { 'data-model': m.model, 'data-gpus': m.gpus, 'data-blocks': m.blocks.length, 'data-usd': m.usd },
                h('b', {}, m.model),
                ` ${plural(m.blocks.length, 'block')} · ${formatCount(m.gpus)} GPUs · ${formatPower(m.watts)} · ${formatUsd(m.usd)}/mo`,
              ),
            ),
          )
        : null;
    fill(c.body, only, total, perModel, hall === null ? halls : null, wrap);
    if (focus) c.body.querySelector<HTMLButtonElement>(`th[data-sort="${focus}"] button`)?.focus();
  }

  return {
    el: c.el,
    render(r: CapacityReport): void {
      report = r;
      draw(r);
      markLoaded(c.el);
    },
    /** One hall's blocks alone, or all (null). */
    showHall(chosen: string | null): void {
      if (chosen === hall) return;
      hall = chosen;
      if (report) draw(report);
    },
    waiting(): void {
      fill(c.body, loading('waiting for history: capacity is computed once the start-up backfill is done…'));
    },
    error(message: string): void {
      fill(c.body, h('div', { class: 'error' }, message));
    },
  };
}
