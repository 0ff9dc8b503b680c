import type { SchedulerReport } from '../api.js';
import { h } from '../dom.js';
import { formatCount, plural } from '../format.js';
import { isoMinute, queueAgainstSellable, queueClass, type SellablePods, type TenantsView } from '../scheduler-figures.js';

type Queue = Extract<SchedulerReport, { configured: true }>['queue'];

/** Jobs listed in the table (the API lists the first 100 by priority). */
const LISTED = 12;

/**
 * The queue against sellable: pending GPUs by account, internal and customer apart, beside the
 * sellable pods of GET /capacity, with the sentence an owner reads ("2,048 GPUs queued by internal
 * teams would take 8 of the 21 sellable pods"), then the first pending jobs by priority.
 */
export function queueView(queue: Queue, tenants: TenantsView | null, sellable: SellablePods | null): HTMLElement {
  const accounts = queue.byAccount.map((a) => ({ ...a, class: queueClass(a.account, tenants) }));
  const internalGpus = accounts.filter((a) => a.class === 'internal').reduce((n, a) => n + a.gpus, 0);
  const customerGpus = queue.pendingGpus - internalGpus;
  const against = sellable ? queueAgainstSellable(internalGpus, sellable) : null;
  const scale = Math.max(1, queue.pendingGpus, sellable?.gpus ?? 0);
  const bar = (cls: string, gpus: number, label: string) =>
    h(
      'li',
      { class: 'qbar-row' },
      h('span', { class: 'qbar-label' }, label),
      h('span', { class: 'qbar-track' }, h('span', { class: `qbar ${cls}`, style: `width:${(gpus / scale) * 100}%` })),
      h('span', { class: 'qbar-n' }, formatCount(gpus)),
    );
  const rows = queue.jobs
    .slice(0, LISTED)
    .map((j) =>
      h(
        'tr',
        { 'data-job': j.id },
        h('td', {}, j.account, h('span', { class: 'plan-note' }, `${j.partition} · ${j.user}`)),
        h('td', { class: 'n', 'data-value': j.gpus }, formatCount(j.gpus)),
        h('td', { class: 'nowrap' }, j.expectedStart === null ? 'none given' : isoMinute(j.expectedStart)),
        h('td', {}, j.reason),
      ),
    );
  return h(
    'div',
    { class: 'sched-queue' },
    h('h3', { class: 'sched-sub' }, 'Queue against sellable'),
    h(
      'p',
      { class: 'queue-sentence', 'data-testid': 'queue-sentence', 'data-value': against?.podsTaken ?? '' },
      against ? against.sentence : `${plural(internalGpus, 'GPU')} queued by internal teams; sellable pods not known yet.`,
    ),
    h(
      'ul',
      { class: 'qbars', 'aria-label': 'Pending GPUs against sellable GPUs' },
      bar('qbar-internal', internalGpus, 'queued, internal'),
      bar('qbar-customer', customerGpus, 'queued, customers'),
      sellable ? bar('qbar-sellable', sellable.gpus, `sellable (${plural(sellable.pods, 'pod')})`) : null,
    ),
    h(
      'p',
      { class: 'table-summary', 'data-testid': 'queue-summary', 'data-value': queue.pendingGpus },
      `${plural(queue.pendingJobs, 'pending job')} asking ${plural(queue.pendingGpus, 'GPU')}`,
      accounts.length
        ? ` · by account: ${accounts.map((a) => `${a.account}${a.class === 'customer' ? ' (customer)' : ''} ${formatCount(a.gpus)}`).join(', ')}`
        : '',
    ),
    rows.length
      ? h(
          'div',
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Pending jobs table' },
          h(
            'table',
            { 'data-testid': 'queue-table' },
            h('caption', { class: 'sr-only' }, `The first ${rows.length} pending jobs by priority`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'account'),
                h('th', { class: 'n' }, 'GPUs'),
                h('th', {}, 'expected start (UTC)'),
                h('th', {}, 'reason'),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        )
      : h('p', { class: 'fig-note' }, 'Nothing pending.'),
  );
}
