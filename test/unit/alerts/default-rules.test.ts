import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import { DEFAULT_ALERT_RULES } from '../../../server/src/domain/alerts/default-rules.js';
import { evaluateAlerts } from '../../../server/src/domain/alerts/evaluate.js';
import type { AlertFigures, SiteAlertFigures } from '../../../server/src/domain/alerts/figures.js';
import { parseAlertRules } from '../../../server/src/domain/alerts/rule.js';
import { DAY, figures, HOUR, MINUTE, T0 } from './builders.js';

/** The default rules over the same figures at `T0` and again at `T0 + afterMs`: what fires. */
function firingAfter(f: AlertFigures, afterMs: number): AlertState[] {
  const first = evaluateAlerts(DEFAULT_ALERT_RULES, f, [], T0);
  return evaluateAlerts(DEFAULT_ALERT_RULES, f, first.states, T0 + afterMs).states.filter((s) => s.status === 'firing');
}

describe('the default rules', () => {
  it('ship enabled, one of each, and pass their own schema (the rules file format)', () => {
    expect(DEFAULT_ALERT_RULES.map((r) => [r.name, r.enabled])).toEqual([
      ['SellableCapacitySustained', true],
      ['OversoldRisk', true],
      ['TelemetryStale', true],
      ['UnknownGpuModel', true],
      ['HeadroomLow', true],
      ['ContractUnderDelivered', true],
      ['InternalWorkOnSoldCapacity', true],
      ['CustomerWorkOnUnsoldCapacity', true],
      ['TeamHeldOverThreshold', true],
    ]);
    expect(parseAlertRules(JSON.parse(JSON.stringify(DEFAULT_ALERT_RULES)))).toEqual(DEFAULT_ALERT_RULES);
  });

  it('raise nothing on a quiet site', () => {
    expect(firingAfter(figures(), 7 * DAY)).toEqual([]);
  });

  it('SellableCapacitySustained: "40 MW sellable for the last 6 hours — worth $167M a month" after 6 h, not before', () => {
    // 40 MW at the default $4,166,667 per MW-month = $166,666,680 a month.
    const f = figures({ sellableWatts: 40_000_000, sellableGpus: 25_600, sellableValueUsdPerMonth: 166_666_680 });
    expect(firingAfter(f, 6 * HOUR - 1)).toEqual([]);
    const [alert] = firingAfter(f, 6 * HOUR);
    expect(alert?.labels).toEqual({ alertname: 'SellableCapacitySustained', severity: 'info', site: 's1' });
    expect(alert?.annotations.summary).toBe('40 MW sellable for the last 6 hours — worth $167M a month');
    expect(alert?.annotations.description).toBe(
      '25,600 GPUs in whole blocks at s1 have been sellable for 6 hours: $167M/month at the price book.',
    );
  });

  it('OversoldRisk: "internal demand will exceed what is left in 9 days" when the high band crosses inside the notice period', () => {
    const f = figures({ riskLeadSeconds: 9.5 * 86_400, shortfallLeadSeconds: Infinity });
    expect(firingAfter(f, 5 * MINUTE - 1)).toEqual([]);
    const [alert] = firingAfter(f, 5 * MINUTE);
    expect(alert?.labels).toMatchObject({ alertname: 'OversoldRisk', severity: 'critical' });
    expect(alert?.annotations.summary).toBe('capacity sold is at risk: internal demand will exceed what is left in 9 days');
    expect(alert?.annotations.description).toBe(
      'At s1, sold capacity plus forecast internal demand (high band) exceeds the capacity up in 9 days, within the notice period (90 days); median band: first shortfall never, worst 0 GPUs.',
    );
  });

  it('OversoldRisk: fires when oversold now, and not for a risk beyond the notice period', () => {
    expect(firingAfter(figures({ oversold: 1, shortfallGpus: 512, riskLeadSeconds: 0, shortfallLeadSeconds: 0 }), 5 * MINUTE)).toHaveLength(
      1,
    );
    expect(firingAfter(figures({ riskLeadSeconds: 91 * 86_400 }), 5 * MINUTE)).toEqual([]);
  });

  it('TelemetryStale: "telemetry from hall h03 stopped" after 2 min past 60 s, for that hall only', () => {
    const f = figures({
      halls: [
        { hall: 'h01', telemetryAgeSeconds: 4 },
        { hall: 'h03', telemetryAgeSeconds: 185 },
      ],
    });
    const firing = firingAfter(f, 2 * MINUTE);
    expect(firing.map((s) => [s.labels.hall, s.annotations.summary])).toEqual([['h03', 'telemetry from hall h03 stopped']]);
    expect(firing[0]?.annotations.description).toBe('No sample from hall h03 at s1 for 3 minutes; its GPUs count as unknown, not idle.');
  });

  it('HeadroomLow: under 5 % of the feed for 10 min', () => {
    const [alert] = firingAfter(figures({ powerFeedWatts: 300_000_000, powerHeadroomWatts: 10_000_000 }), 10 * MINUTE);
    expect(alert?.annotations.summary).toBe('power headroom at s1 is 10 MW (3.3% of the feed)');
    expect(firingAfter(figures({ powerHeadroomWatts: 15_000_000 }), HOUR)).toEqual([]);
  });

  it('HeadroomLow: a site with no feed figure (0 W) has an unknown ratio, so it neither fires nor resolves', () => {
    expect(firingAfter(figures({ powerFeedWatts: 0, powerHeadroomWatts: 0 }), HOUR)).toEqual([]);
  });

  it('UnknownGpuModel: "3 GPUs at s1 report a model Headroom does not know" after 10 min, resolving when none do', () => {
    expect(firingAfter(figures({ unknownModelGpus: 3 }), 10 * MINUTE - 1)).toEqual([]);
    const [alert] = firingAfter(figures({ unknownModelGpus: 3 }), 10 * MINUTE);
    expect(alert?.labels).toEqual({ alertname: 'UnknownGpuModel', severity: 'warning', site: 's1' });
    expect(alert?.annotations.summary).toBe('3 GPUs at s1 report a model Headroom does not know');
    expect(firingAfter(figures({ unknownModelGpus: 0 }), HOUR)).toEqual([]);
  });

  it('ContractUnderDelivered: per contract, after 15 min', () => {
    const f = figures({ contracts: [{ contract: '12', customer: 'Acme Labs', contractedGpus: 2_048, deliveredGpus: 1_792 }] });
    const [alert] = firingAfter(f, 15 * MINUTE);
    expect(alert?.labels).toMatchObject({ alertname: 'ContractUnderDelivered', customer: 'Acme Labs', contract: '12' });
    expect(alert?.annotations.summary).toBe('contract 12 (Acme Labs) is 256 GPUs short of its commitment');
    expect(alert?.annotations.description).toBe('1,792 of 2,048 contracted GPUs delivered.');
  });

  const team = (over: Partial<NonNullable<SiteAlertFigures['teams']>[number]> = {}) => ({
    team: 'pretrain',
    heldGpus: 0,
    heldOverThresholdGpus: 0,
    heldOverThresholdGpuHours: 0,
    heldOverThresholdValueUsdPerMonth: 0,
    onSoldGpus: 0,
    ...over,
  });
  const crossChecks = { internalOnSoldGpus: 0, internalOnSoldPods: 0, customerOnUnsoldGpus: 0, heldThresholdSeconds: 3600 };

  it('InternalWorkOnSoldCapacity: "team pretrain runs on 16 GPUs of capacity sold to customers" after 5 min, per team', () => {
    const f = figures({
      ...crossChecks,
      internalOnSoldGpus: 24,
      internalOnSoldPods: 2,
      teams: [team({ onSoldGpus: 16 }), team({ team: 'rl', onSoldGpus: 8 })],
    });
    expect(firingAfter(f, 5 * MINUTE - 1)).toEqual([]);
    const fired = firingAfter(f, 5 * MINUTE);
    expect(fired.map((a) => a.labels)).toEqual([
      { alertname: 'InternalWorkOnSoldCapacity', severity: 'critical', site: 's1', internal_team: 'pretrain' },
      { alertname: 'InternalWorkOnSoldCapacity', severity: 'critical', site: 's1', internal_team: 'rl' },
    ]);
    expect(fired[0]?.annotations.summary).toBe('team pretrain runs on 16 GPUs of capacity sold to customers');
    expect(fired[0]?.annotations.description).toBe(
      "The scheduler allocates 16 GPUs of pods the contract book says are sold to team pretrain's jobs; at s1 24 GPUs on 2 sold pods run internal work.",
    );
  });

  it('CustomerWorkOnUnsoldCapacity: "Aurora Labs runs on 8 GPUs the contract book says are unsold" after 15 min', () => {
    const f = figures({
      ...crossChecks,
      customerOnUnsoldGpus: 8,
      customers: [{ customer: 'Aurora Labs', soldGpus: 264, onUnsoldGpus: 8 }],
    });
    expect(firingAfter(f, 15 * MINUTE - 1)).toEqual([]);
    const [alert] = firingAfter(f, 15 * MINUTE);
    expect(alert?.labels).toEqual({ alertname: 'CustomerWorkOnUnsoldCapacity', severity: 'warning', site: 's1', customer: 'Aurora Labs' });
    expect(alert?.annotations.summary).toBe('Aurora Labs runs on 8 GPUs the contract book says are unsold');
    expect(alert?.annotations.description).toContain('(264 GPUs read sold for it in all)');
  });

  it('TeamHeldOverThreshold: held GPUs over the threshold, their GPU-hours and their value sold', () => {
    // 256 GPUs held 3 h each = 768 GPU-hours; at $2.40/GPU-h × 730 h = $1,752 a GPU-month → $448,512 a month.
    const f = figures({
      ...crossChecks,
      teams: [
        team({ heldGpus: 300, heldOverThresholdGpus: 256, heldOverThresholdGpuHours: 768, heldOverThresholdValueUsdPerMonth: 448_512 }),
      ],
    });
    expect(firingAfter(f, 15 * MINUTE - 1)).toEqual([]);
    const [alert] = firingAfter(f, 15 * MINUTE);
    expect(alert?.labels).toEqual({ alertname: 'TeamHeldOverThreshold', severity: 'info', site: 's1', internal_team: 'pretrain' });
    expect(alert?.annotations.summary).toBe('team pretrain holds 256 GPUs allocated and not computing for over 1 hour');
    expect(alert?.annotations.description).toBe(
      '256 GPUs of team pretrain at s1 have been held under the same job for 1 hour or more (768 GPU-hours so far); sold, they would earn $449K/month at the price book.',
    );
  });

  it('raise no cross-check without a scheduler (no teams, no customers, unknown site counts)', () => {
    expect(firingAfter(figures({ teams: [], customers: [] }), DAY)).toEqual([]);
  });
});
