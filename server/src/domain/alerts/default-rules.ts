import { parseAlertRules, type AlertRule, type AlertRuleInput } from './rule.js';

/**
 * The rules Headroom ships with, enabled. Used when no rules have been saved; each can be
 * changed or disabled through PUT /api/v1/alerts/rules.
 */
const DEFAULTS: AlertRuleInput[] = [
  {
    // Idle capacity that has stayed sellable for a working shift is worth a call to sales.
    name: 'SellableCapacitySustained',
    figure: 'sellable_watts',
    op: '>',
    threshold: 0,
    for: '6h',
    severity: 'info',
    annotations: {
      summary:
        '{{ value | power }} sellable for the last {{ active | duration }} — worth {{ figures.sellable_value_usd_per_month | usd }} a month',
      description:
        '{{ figures.sellable_gpus | count }} GPUs in whole blocks at {{ labels.site }} have been sellable for {{ active | duration }}: {{ figures.sellable_value_usd_per_month | usd_month }} at the price book.',
    },
  },
  {
    // Risk (high band) inside the notice period: by the time it shows in the median, notice
    // given today would land too late. `oversold == 1` is listed too, though a median shortfall
    // already implies a high-band one, so the rule reads as the policy it is.
    name: 'OversoldRisk',
    figure: 'risk_lead_seconds',
    op: '<',
    threshold: { figure: 'notice_period_seconds' },
    or: [{ figure: 'oversold', op: '==', threshold: 1 }],
    for: '5m',
    severity: 'critical',
    annotations: {
      summary: 'capacity sold is at risk: internal demand will exceed what is left in {{ figures.risk_lead_seconds | duration }}',
      description:
        'At {{ labels.site }}, sold capacity plus forecast internal demand (high band) exceeds the capacity up in {{ figures.risk_lead_seconds | duration }}, within the notice period ({{ figures.notice_period_seconds | duration }}); median band: first shortfall {{ figures.shortfall_lead_seconds | duration }}, worst {{ figures.oversold_shortfall_gpus | count }} GPUs.',
    },
  },
  {
    // Missing is never idle: a silent hall turns its GPUs unknown, and unknown is never sellable.
    name: 'TelemetryStale',
    figure: 'telemetry_age_seconds',
    op: '>',
    threshold: 60,
    for: '2m',
    severity: 'warning',
    annotations: {
      summary: 'telemetry from hall {{ labels.hall }} stopped',
      description:
        'No sample from hall {{ labels.hall }} at {{ labels.site }} for {{ value | duration }}; its GPUs count as unknown, not idle.',
    },
  },
  {
    // A model the table lacks is read on its own power scale but has no price and no sellable pool:
    // someone should add it (docs/gpu-states.md#gpu-models) or fix the name the node reports.
    name: 'UnknownGpuModel',
    figure: 'unknown_model_gpus',
    op: '>',
    threshold: 0,
    for: '10m',
    severity: 'warning',
    annotations: {
      summary: '{{ value | count }} GPUs at {{ labels.site }} report a model Headroom does not know',
      description:
        '{{ value | count }} GPUs report a model name the model table lacks (GET /api/v1/fleet lists them as unknown model "<name>"); they are classified on their own power limit or on utilization alone, and are neither priced nor sold.',
    },
  },
  {
    // Under 5 % of the feed left: the next block sold, or internal growth, may trip the budget.
    name: 'HeadroomLow',
    figure: 'power_headroom_ratio',
    op: '<',
    threshold: 0.05,
    for: '10m',
    severity: 'warning',
    annotations: {
      summary: 'power headroom at {{ labels.site }} is {{ figures.power_headroom_watts | power }} ({{ value | percent }} of the feed)',
      description: 'Facility draw leaves {{ figures.power_headroom_watts | power }} of the {{ figures.power_feed_watts | power }} feed.',
    },
  },
  {
    name: 'ContractUnderDelivered',
    figure: 'contract_undelivered_gpus',
    op: '>',
    threshold: 0,
    for: '15m',
    severity: 'critical',
    annotations: {
      summary: 'contract {{ labels.contract }} ({{ labels.customer }}) is {{ value | count }} GPUs short of its commitment',
      description:
        '{{ figures.contract_delivered_gpus | count }} of {{ figures.contract_contracted_gpus | count }} contracted GPUs delivered.',
    },
  },
  {
    // The owner's job on a pod sold to a customer breaches the sale (issue 18's cross-check).
    name: 'InternalWorkOnSoldCapacity',
    figure: 'team_on_sold_gpus',
    op: '>',
    threshold: 0,
    for: '5m',
    severity: 'critical',
    annotations: {
      summary: 'team {{ labels.internal_team }} runs on {{ value | count }} GPUs of capacity sold to customers',
      description:
        "The scheduler allocates {{ value | count }} GPUs of pods the contract book says are sold to team {{ labels.internal_team }}'s jobs; at {{ labels.site }} {{ figures.internal_on_sold_gpus | count }} GPUs on {{ figures.internal_on_sold_pods | count }} sold pods run internal work.",
    },
  },
  {
    // A customer running where nothing was sold: unbilled use, or a contract missing from the book.
    name: 'CustomerWorkOnUnsoldCapacity',
    figure: 'customer_unsold_use_gpus',
    op: '>',
    threshold: 0,
    for: '15m',
    severity: 'warning',
    annotations: {
      summary: '{{ labels.customer }} runs on {{ value | count }} GPUs the contract book says are unsold',
      description:
        "{{ labels.customer }}'s jobs hold {{ value | count }} GPUs on pods no contract in term covers at {{ labels.site }} ({{ figures.customer_sold_gpus | count }} GPUs read sold for it in all): unbilled use, or a contract missing from the book.",
    },
  },
  {
    // Allocated and not computing for longer than HELD_THRESHOLD_S: the "most wasted GPUs".
    name: 'TeamHeldOverThreshold',
    figure: 'team_held_over_threshold_gpus',
    op: '>',
    threshold: 0,
    for: '15m',
    severity: 'info',
    annotations: {
      summary:
        'team {{ labels.internal_team }} holds {{ value | count }} GPUs allocated and not computing for over {{ figures.held_threshold_seconds | duration }}',
      description:
        '{{ value | count }} GPUs of team {{ labels.internal_team }} at {{ labels.site }} have been held under the same job for {{ figures.held_threshold_seconds | duration }} or more ({{ figures.team_held_over_threshold_gpu_hours | number }} GPU-hours so far); sold, they would earn {{ figures.team_held_over_threshold_value_usd_per_month | usd_month }} at the price book.',
    },
  },
];

/** Parsed once at load, so a broken default fails every test rather than a customer's pager. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = parseAlertRules(DEFAULTS);
