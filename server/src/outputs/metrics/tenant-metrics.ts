import { Gauge, type Registry } from 'prom-client';
import type { TenantClassCounts } from '../../domain/scheduler/attribution.js';
import type { SchedulerView, TenancyView } from '../../domain/scheduler/scheduler-report.js';

/** Teams named on /metrics; the rest are summed as `other`, so the label set stays bounded. */
export const TOP_TEAMS = 10;
export const OTHER_TEAM = 'other';

/** Every (class, state) pair the attribution counts: a bounded label set. */
function classSeries(c: TenantClassCounts): Array<[string, string, number]> {
  return [
    ['internal', 'busy', c.internal.busy],
    ['internal', 'held', c.internal.held],
    ['customer', 'sold', c.customer.sold],
    ['unattributed', 'busy', c.unattributed.busy],
    ['unattributed', 'held', c.unattributed.held],
    ['none', 'idle', c.idle],
    ['none', 'orphaned', c.orphaned],
    ['none', 'down', c.down],
    ['none', 'unknown', c.unknown],
  ];
}

/** The first TOP_TEAMS teams (most held first) and the rest summed as `other`. */
export function topTeams(view: TenancyView) {
  const teams = view.attribution.teams;
  const shown = teams.slice(0, TOP_TEAMS).map((t) => ({ ...t }));
  const rest = teams.slice(TOP_TEAMS);
  if (rest.length === 0) return shown;
  const other = { team: OTHER_TEAM, busy: 0, held: 0, heldOverThreshold: 0, heldValueUsdPerMonth: null as number | null };
  for (const t of rest) {
    other.busy += t.busy;
    other.held += t.held;
    other.heldOverThreshold += t.heldOverThreshold;
    if (t.heldValueUsdPerMonth !== null) other.heldValueUsdPerMonth = (other.heldValueUsdPerMonth ?? 0) + t.heldValueUsdPerMonth;
  }
  return [...shown, other];
}

/**
 * GPUs by tenant class and state, the top teams' GPUs and held value, and the cross-checks, read
 * from the last round's attribution at scrape time (absent while no scheduler covers a node). The
 * held value only with `money` (METRICS_MONEY).
 */
export function tenantMetrics(registry: Registry, deps: { view: () => SchedulerView | null; money: boolean }) {
  const registers = [registry];
  const tenancy = (): TenancyView | null => deps.view()?.tenants ?? null;
  new Gauge({
    name: 'headroom_gpus_by_tenant',
    help: 'GPUs by tenant class (internal, customer, unattributed, none) and state; they sum to the site.',
    labelNames: ['class', 'state'],
    registers,
    collect() {
      const t = tenancy();
      this.reset();
      if (t) for (const [cls, state, n] of classSeries(t.attribution.classes)) this.set({ class: cls, state }, n);
    },
  });
  new Gauge({
    name: 'headroom_team_gpus',
    help: `Internal GPUs per team (the ${TOP_TEAMS} holding most, the rest as "${OTHER_TEAM}"), by state: busy, held, held_over_threshold.`,
    labelNames: ['team', 'state'],
    registers,
    collect() {
      const t = tenancy();
      this.reset();
      if (!t) return;
      for (const team of topTeams(t)) {
        this.set({ team: team.team, state: 'busy' }, team.busy);
        this.set({ team: team.team, state: 'held' }, team.held);
        this.set({ team: team.team, state: 'held_over_threshold' }, team.heldOverThreshold);
      }
    },
  });
  if (deps.money)
    new Gauge({
      name: 'headroom_team_held_value_usd_per_month',
      help: "What a team's held GPUs would earn sold, at the price book's GPU-hour price × 730, USD per month.",
      labelNames: ['team'],
      registers,
      collect() {
        const t = tenancy();
        this.reset();
        if (t)
          for (const team of topTeams(t)) if (team.heldValueUsdPerMonth !== null) this.set({ team: team.team }, team.heldValueUsdPerMonth);
      },
    });
  new Gauge({
    name: 'headroom_internal_on_sold_gpus',
    help: "GPUs in the owner's jobs on pods the contract book says are sold (a breach of the sale).",
    registers,
    collect() {
      const t = tenancy();
      this.reset();
      if (t) this.set(t.attribution.crossChecks.internalOnSoldGpus);
    },
  });
  new Gauge({
    name: 'headroom_customer_on_unsold_gpus',
    help: "GPUs in customers' jobs on pods the contract book says are unsold (unbilled use).",
    registers,
    collect() {
      const t = tenancy();
      this.reset();
      if (t) this.set(t.attribution.crossChecks.customerOnUnsoldGpus);
    },
  });
}
