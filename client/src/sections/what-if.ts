import { ApiError, api, type WhatIfAnswer } from '../api.js';
import { card, fill, h, markLoaded, setFigure } from '../dom.js';
import { formatCount, formatDay, formatLead, formatPower, formatUsd, plural } from '../format.js';

/** The first day of the month after `nowMs` (UTC): the usual start of a resale term. */
export function nextMonthStart(nowMs: number): string {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

function result(testid: string, caption: string): { el: HTMLElement; value: HTMLElement } {
  const value = h('span', { class: 'num num-m', 'data-testid': testid }, '–');
  return { el: h('div', { class: 'fig' }, h('span', { class: 'fig-caption' }, caption), value), value };
}

/**
 * "Sell N pods for M months at $X/month": POST /api/v1/what-if, showing the value and the oversold
 * risk the sale would create. An empty price values the pods at the price book.
 */
export function createWhatIf() {
  const c = card('what-if', 'What if we sell…');
  const pods = h('input', { name: 'pods', type: 'number', min: 1, step: 1, value: 1, required: true, 'data-testid': 'whatif-pods' });
  const months = h('input', {
    name: 'months',
    type: 'number',
    min: 1,
    max: 600,
    step: 1,
    value: 12,
    required: true,
    'data-testid': 'whatif-months',
  });
  const price = h('input', {
    name: 'price',
    type: 'number',
    min: 1,
    step: 'any',
    placeholder: 'price book',
    'data-testid': 'whatif-price',
  });
  const start = h('input', { name: 'start', type: 'date', required: true, 'data-testid': 'whatif-start' });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'whatif-submit' }, 'Value it');
  const form = h(
    'form',
    { class: 'whatif-form', 'data-testid': 'whatif-form' },
    h('label', {}, h('span', {}, 'sell'), pods, h('span', {}, 'pods')),
    h('label', {}, h('span', {}, 'for'), months, h('span', {}, 'months')),
    h('label', {}, h('span', {}, 'at $'), price, h('span', {}, '/month')),
    h('label', {}, h('span', {}, 'from'), start),
    submit,
  );
  const monthly = result('whatif-monthly', 'Monthly');
  const total = result('whatif-total', 'Total over the term');
  const fits = result('whatif-fits', 'Fits what is sellable');
  const oversold = result('whatif-oversold', 'Creates oversold risk');
  const shortfall = result('whatif-shortfall', 'First shortfall');
  const note = h('p', { class: 'whatif-note', 'data-testid': 'whatif-note' });
  const results = h(
    'div',
    { class: 'whatif-results', 'data-testid': 'whatif-results', hidden: true },
    monthly.el,
    total.el,
    fits.el,
    oversold.el,
    shortfall.el,
    note,
  );
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'whatif-error' });
  // The results appear beside the form: a screen reader hears their gist here, in a polite live region.
  const announce = h('p', { class: 'sr-only', role: 'status', 'data-testid': 'whatif-announce' });
  let nowMs = Date.now();
  let startTouched = false;
  start.addEventListener('input', () => (startTouched = true));

  const show = (a: WhatIfAnswer): void => {
    setFigure(monthly.value, formatUsd(a.monthlyUsd), a.monthlyUsd);
    setFigure(total.value, formatUsd(a.totalUsd), a.totalUsd);
    setFigure(fits.value, a.fitsSellable ? 'yes' : 'no', String(a.fitsSellable));
    fits.el.dataset.level = a.fitsSellable ? 'ok' : 'bad';
    setFigure(oversold.value, a.risk.oversold ? 'YES' : 'no', String(a.risk.oversold));
    oversold.el.dataset.level = a.risk.oversold ? 'bad' : 'ok';
    const at = a.risk.firstShortfallAt ? Date.parse(a.risk.firstShortfallAt) : null;
    setFigure(shortfall.value, at === null ? 'none' : `${formatDay(at)}`, a.risk.firstShortfallAt);
    note.textContent =
      `${plural(a.pods, 'pod')} = ${plural(a.gpus, 'GPU')}, ${formatPower(a.facilityWatts)} at full load. ` +
      `Price book: ${formatUsd(a.priceBook.valueUsdPerMonth)}/month. ` +
      (a.risk.oversold
        ? `Short by ${formatCount(a.risk.shortfallGpus)} GPUs${at !== null ? ` ${formatLead(nowMs, at)}` : ''}.`
        : 'No shortfall within the horizon.');
    results.hidden = false;
    announce.textContent =
      `${plural(a.pods, 'pod')} for ${formatUsd(a.monthlyUsd)} per month, ${formatUsd(a.totalUsd)} over the term. ` +
      `${a.fitsSellable ? 'Fits' : 'Does not fit'} what is sellable; ${a.risk.oversold ? 'creates oversold risk' : 'no oversold risk'}.`;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.hidden = true;
    announce.textContent = '';
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const priceUsd = price.value === '' ? undefined : Number(price.value);
    api
      .whatIf({
        pods: Number(pods.value),
        months: Number(months.value),
        start: start.value,
        ...(priceUsd === undefined ? {} : { monthlyPriceUsd: priceUsd }),
      })
      .then(show, (e: Error) => {
        // Shown before the text is set: an alert is announced when its content changes while visible.
        error.hidden = false;
        // Nothing retries a what-if by itself (sections are read again on reconnect): say what to do.
        error.textContent =
          e instanceof ApiError && e.status === 0 ? 'Cannot reach the server — value it again once the connection is back.' : e.message;
        results.hidden = true;
      })
      .finally(() => {
        submit.disabled = false;
        form.setAttribute('aria-busy', 'false');
      });
  });

  fill(c.body, form, error, announce, results);
  markLoaded(c.el);

  return {
    el: c.el,
    /** Keeps the default start at the next month of the collection clock, unless someone typed one. */
    now(ms: number): void {
      nowMs = ms;
      if (!startTouched) start.value = nextMonthStart(ms);
    },
  };
}
