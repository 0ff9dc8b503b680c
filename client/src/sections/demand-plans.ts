import type { DemandPlan } from '../api.js';
import { card, fill, h, markLoaded } from '../dom.js';
import { formatCount, plural } from '../format.js';

export type PlanStatus = 'planned' | 'in force' | 'ended';

/**
 * Where a plan stands on `today` (YYYY-MM-DD, UTC): before its start, within it (end inclusive,
 * none: until further notice), or past its end. ISO days compare as strings.
 */
export function planStatus(plan: Pick<DemandPlan, 'start' | 'end'>, today: string): PlanStatus {
  if (today < plan.start) return 'planned';
  if (plan.end !== null && today > plan.end) return 'ended';
  return 'in force';
}

const WHAT_A_PLAN_IS =
  'A plan is the owner’s own work known to be coming back: it holds capacity back from sale and raises oversold risk early.';

/**
 * The owner's planned internal demand (GET /api/v1/demand-plans), read-only. Status is judged on
 * the dashboard's "today": the day of the live figures' collection time, the same clock the
 * contract valuations' `asOf` uses. Overlapping plans do not add up (docs/capacity-and-billing.md "Planned internal
 * demand"), so the summary names the largest in force, not a sum.
 */
export function createDemandPlans() {
  const c = card('demand-plans', 'Planned internal demand');

  return {
    el: c.el,
    render(plans: DemandPlan[], today: string): void {
      if (!plans.length) {
        fill(c.body, h('p', { class: 'table-summary' }, `No demand plans. ${WHAT_A_PLAN_IS}`));
        markLoaded(c.el);
        return;
      }
      let largestInForce = 0;
      const rows = plans.map((p) => {
        const status = planStatus(p, today);
        if (status === 'in force') largestInForce = Math.max(largestInForce, p.gpus);
        return h(
          'tr',
          { 'data-plan': p.id, 'data-status': status },
          h('td', { title: p.note ?? null }, p.name, p.note ? h('span', { class: 'plan-note' }, p.note) : null),
          h('td', { class: 'n', 'data-value': p.gpus }, formatCount(p.gpus)),
          h('td', { class: 'nowrap' }, `${p.start} → ${p.end ?? 'until further notice'}`),
          h('td', {}, h('span', { class: `tag tag-${status.replace(' ', '-')}` }, status)),
        );
      });
      const inForce = largestInForce ? `largest in force: ${plural(largestInForce, 'GPU')}` : 'none in force';
      fill(
        c.body,
        h('p', { class: 'table-summary', title: WHAT_A_PLAN_IS }, `${plural(plans.length, 'plan')} · ${inForce} · as of ${today}`),
        h(
          'div',
          // A Tab stop with a name: on a narrow screen the table scrolls, and the keyboard must reach it.
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Demand plans table' },
          h(
            'table',
            { 'data-testid': 'demand-plans-table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'plan'), h('th', { class: 'n' }, 'GPUs'), h('th', {}, 'term'), h('th', {}, 'status'))),
            h('tbody', {}, ...rows),
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
