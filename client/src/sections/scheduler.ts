import type { SchedulerReport } from '../api.js';
import { card, fill, h, markLoaded } from '../dom.js';
import { formatCount, formatPercent } from '../format.js';
import { toldByShare, type SellablePods } from '../scheduler-figures.js';
import { reservationCalendar } from './scheduler-calendar.js';
import { queueView } from './scheduler-queue.js';
import { heldByTeam } from './scheduler-teams.js';
import '../scheduler.css';

const HEALTH_MARK = { ok: '✓', degraded: '◐', failing: '✕', stale: '⌛', waiting: '…' } as const;

/**
 * The scheduler (GET /api/v1/scheduler): its health in one line with the share of GPUs whose state
 * it told, then held by team, the queue against the sellable pods, and the reservation calendar.
 * With no scheduler configured it says so in one line.
 */
export function createScheduler() {
  const c = card('scheduler', 'Scheduler');

  return {
    el: c.el,
    /** `nowMs`: the live figures' collection time, where the calendar starts. */
    render(
      report: SchedulerReport,
      toldBy: { scheduler: number; telemetry: number } | null,
      sellable: SellablePods | null,
      nowMs: number,
    ): void {
      c.el.dataset.configured = String(report.configured);
      if (!report.configured) {
        fill(
          c.body,
          h(
            'p',
            { class: 'table-summary', 'data-testid': 'scheduler-none' },
            'No scheduler configured (SLURM_REST_URL unset): every GPU state comes from telemetry alone.',
          ),
        );
        markLoaded(c.el);
        return;
      }
      const { health } = report;
      const share = toldBy ? toldByShare(toldBy) : null;
      const { tenants } = report;
      fill(
        c.body,
        h(
          'p',
          { class: `sched-health health-${health.state}`, 'data-testid': 'scheduler-health', 'data-value': health.state },
          h('strong', {}, `${HEALTH_MARK[health.state]} ${health.state}`),
          ` · ${report.scheduler ?? 'scheduler'} ${report.version ?? ''}`.trimEnd(),
          report.readAt ? ` · read ${report.readAt.slice(11, 19)}Z` : '',
          health.reason ? h('span', { class: 'sched-reason' }, ` — ${health.reason}`) : null,
        ),
        toldBy
          ? h(
              'p',
              { class: 'fig-note', 'data-testid': 'scheduler-told-by', 'data-value': toldBy.scheduler },
              `GPU states told by the scheduler: ${formatCount(toldBy.scheduler)}`,
              share === null ? '' : ` (${formatPercent(share)})`,
              ` · by telemetry alone: ${formatCount(toldBy.telemetry)}`,
            )
          : null,
        h(
          'div',
          { class: 'sched-grid' },
          heldByTeam(tenants),
          queueView(report.queue, tenants, sellable),
          reservationCalendar(report.reservations, nowMs),
        ),
      );
      markLoaded(c.el);
    },
    error(message: string): void {
      fill(c.body, h('div', { class: 'error' }, message));
      markLoaded(c.el);
    },
  };
}
