import type { SchedulerReport } from '../api.js';
import { h } from '../dom.js';
import { formatCount, plural } from '../format.js';
import { CALENDAR_DAYS, calendarBars, calendarDays, isoMinute } from '../scheduler-figures.js';

type Reservation = Extract<SchedulerReport, { configured: true }>['reservations'][number];

/** Lanes on the time-line (a Colossus has ≈ 90 maintenance windows in 14 days): the earliest, the table has all. */
const LANES = 8;

const kindOf = (r: Reservation): string => (r.maintenance ? 'maintenance' : 'reservation');
const describe = (r: Reservation): string =>
  `${r.name}: ${kindOf(r)}${r.active ? ', active now' : ''}, ${plural(r.gpus, 'GPU')} on ${plural(r.nodes.length, 'node')}, ${isoMinute(r.start)} – ${isoMinute(r.end)}`;

/**
 * The reservation calendar: the next 14 days from `nowMs` (the collection clock) as a time-line, one
 * lane per reservation. Maintenance is hatched vermillion with square ends, other reservations solid
 * sky blue with round ends, an active one outlined and marked ●; each bar is a Tab stop that says
 * everything in words (its title and accessible name), and the same rows sit in a table below it.
 */
export function reservationCalendar(reservations: readonly Reservation[], nowMs: number): HTMLElement {
  const bars = calendarBars(reservations, nowMs);
  const head = h('h3', { class: 'sched-sub' }, `Reservations, next ${CALENDAR_DAYS} days`);
  if (!bars.length)
    return h(
      'div',
      { class: 'sched-calendar' },
      head,
      h('p', { class: 'fig-note', 'data-testid': 'calendar-empty' }, `No reservations in the next ${CALENDAR_DAYS} days.`),
    );
  const days = calendarDays(nowMs);
  const lanes = bars.slice(0, LANES).map(({ reservation: r, leftPct, widthPct, startsBefore, endsAfter }) =>
    h(
      'li',
      { class: 'cal-lane' },
      h('span', { class: 'cal-name' }, r.name),
      h(
        'span',
        { class: 'cal-track' },
        h(
          'span',
          {
            class: `cal-bar cal-${kindOf(r)}${r.active ? ' cal-active' : ''}${startsBefore ? ' cal-cut-start' : ''}${endsAfter ? ' cal-cut-end' : ''}`,
            style: `left:${leftPct}%;width:${widthPct}%`,
            // A picture with its words: focusable so the keyboard reads every bar (aria-label needs a role).
            role: 'img',
            tabindex: 0,
            title: describe(r),
            'aria-label': describe(r),
            'data-reservation': r.name,
          },
          r.active ? '●' : '',
        ),
      ),
      h('span', { class: 'cal-gpus' }, formatCount(r.gpus)),
    ),
  );
  const rows = bars.map(({ reservation: r }) =>
    h(
      'tr',
      { 'data-reservation': r.name },
      h('td', { class: 'nowrap' }, r.name),
      h(
        'td',
        { class: 'nowrap' },
        r.maintenance ? '▨ maintenance' : '▬ reservation',
        r.active ? h('span', { class: 'tag tag-in-force' }, 'active') : null,
      ),
      h('td', { class: 'n', 'data-value': r.gpus }, formatCount(r.gpus)),
      h('td', { class: 'nowrap' }, isoMinute(r.start)),
      h('td', { class: 'nowrap' }, isoMinute(r.end)),
    ),
  );
  const maintenance = bars.filter((b) => b.reservation.maintenance).length;
  return h(
    'div',
    { class: 'sched-calendar' },
    head,
    h(
      'p',
      { class: 'table-summary', 'data-testid': 'calendar-summary' },
      `${plural(bars.length, 'reservation')} (${formatCount(maintenance)} maintenance) from ${isoMinute(new Date(nowMs).toISOString())}`,
    ),
    h(
      'div',
      { class: 'cal', 'data-testid': 'calendar' },
      h(
        'div',
        { class: 'cal-axis', 'aria-hidden': 'true' },
        ...days.map((d, i) =>
          i % 2 === 0 ? h('span', { class: `cal-day${i % 4 === 0 ? ' cal-day-4' : ''}`, style: `left:${d.pct}%` }, d.day.slice(5)) : null,
        ),
      ),
      h('ul', { class: 'cal-lanes', 'aria-label': 'Reservation time-line: Tab through the bars' }, ...lanes),
    ),
    h(
      'p',
      { class: 'legend-line' },
      h('span', { class: 'key key-maint' }),
      ' maintenance ',
      h('span', { class: 'key key-resv' }),
      ' other reservation · ● active · GPUs at the right',
      bars.length > LANES ? ` · the first ${LANES} of ${formatCount(bars.length)} drawn, all in the table` : '',
    ),
    h(
      'details',
      { class: 'cal-table' },
      h('summary', {}, 'As a table'),
      h(
        'div',
        { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Reservations table' },
        h(
          'table',
          { 'data-testid': 'reservations-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'name'),
              h('th', {}, 'kind'),
              h('th', { class: 'n' }, 'GPUs'),
              h('th', {}, 'start (UTC)'),
              h('th', {}, 'end (UTC)'),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    ),
  );
}
