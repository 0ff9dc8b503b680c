import type { AlertState, AlertTransition } from './alert-state.js';
import { figureInstances, FIGURE_SCOPE, type AlertFigures, type FigureInstance } from './figures.js';
import { fingerprint } from './fingerprint.js';
import { compareGoStrings, labelSetString, sortedLabels, type Labels } from './labels.js';
import { compare, type AlertCondition, type AlertRule } from './rule.js';
import { renderTemplate } from './template.js';

/** Resolved alerts stay listed (GET /api/v1/alerts "recent") this long by default. */
export const DEFAULT_RESOLVED_RETENTION_MS = 24 * 3_600_000;

export interface EvaluateOptions {
  /** How long a resolved state is kept, ms (default 24 h). */
  resolvedRetentionMs?: number;
  /**
   * Resolved states never dropped, whatever their age: those a receiver was told are firing
   * and has not yet been told are resolved (see `fingerprintsAwaitingResolve` in plan.ts), so
   * a long outage cannot lose a resolved notification.
   */
  keepFingerprints?: ReadonlySet<string>;
}

export interface Evaluation {
  states: AlertState[];
  transitions: AlertTransition[];
}

/** The labels of a rule's alert on an instance: instance labels, severity, rule labels, alertname. */
export function alertLabels(rule: AlertRule, instanceLabels: Labels): Labels {
  return sortedLabels({ ...instanceLabels, severity: rule.severity, ...rule.labels, alertname: rule.name });
}

/** true / false, or null when no condition holds and one of them could not be read (NaN). */
function conditionHolds(rule: AlertRule, instance: FigureInstance): boolean | null {
  let unknown = false;
  for (const c of [rule as AlertCondition, ...rule.or]) {
    const value = instance.values[c.figure] ?? Number.NaN;
    const threshold = typeof c.threshold === 'number' ? c.threshold : (instance.values[c.threshold.figure] ?? Number.NaN);
    if (compare(value, c.op, threshold)) return true;
    if (Number.isNaN(value) || Number.isNaN(threshold)) unknown = true;
  }
  return unknown ? null : false;
}

const finiteOrNull = (n: number | undefined): number | null => (n !== undefined && Number.isFinite(n) ? n : null);

/**
 * One evaluation round: the rules against this round's figures, from the previous states.
 *
 * Per alert instance (fingerprint of its labels):
 * - inactive → pending when the condition starts holding (`activeSinceMs` = now), or straight
 *   to firing when `for` is 0;
 * - pending → firing at the first round with now − activeSince ≥ `for`; pending → inactive when
 *   the condition stops holding first;
 * - firing → resolved when it stops holding, or its instance, rule or rule's enabled flag goes;
 * - resolved → pending when it holds again (a new episode: `activeSinceMs` restarts);
 * - a NaN figure ("unknown") changes nothing: no start, no fire, no resolve.
 * A state restored as firing stays firing with no new transition. Resolved states are dropped
 * after `resolvedRetentionMs` unless listed in `keepFingerprints`. Annotations are re-rendered
 * every round the condition holds.
 *
 * @returns the states (sorted by alertname, then labels) and the round's transitions.
 */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  figures: AlertFigures,
  previous: readonly AlertState[],
  nowMs: number,
  options: EvaluateOptions = {},
): Evaluation {
  const retentionMs = options.resolvedRetentionMs ?? DEFAULT_RESOLVED_RETENTION_MS;
  const prevByFp = new Map(previous.map((s) => [s.fingerprint, s]));
  const seen = new Set<string>();
  const states: AlertState[] = [];
  const transitions: AlertTransition[] = [];
  const move = (s: AlertState, from: AlertTransition['from'], to: AlertTransition['to']) =>
    transitions.push({ fingerprint: s.fingerprint, labels: s.labels, from, to, atMs: nowMs, value: s.value });

  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const instance of figureInstances(figures, FIGURE_SCOPE[rule.figure])) {
      const labels = alertLabels(rule, instance.labels);
      const fp = fingerprint(labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      const prev = prevByFp.get(fp) ?? null;
      const holds = conditionHolds(rule, instance);
      if (holds === null) {
        if (prev) states.push(prev);
        continue;
      }
      if (!holds) {
        if (prev) settle(prev);
        continue;
      }
      const restart = prev === null || prev.status === 'resolved';
      const activeSinceMs = restart ? nowMs : prev.activeSinceMs;
      const due = nowMs - activeSinceMs >= rule.for * 1000;
      const fires = prev?.status === 'firing' || due;
      const value = instance.values[rule.figure];
      const annotations: Labels = {};
      for (const [name, template] of Object.entries(rule.annotations)) {
        annotations[name] = renderTemplate(template, {
          value: value ?? null,
          threshold: typeof rule.threshold === 'number' ? rule.threshold : (instance.values[rule.threshold.figure] ?? null),
          forSeconds: rule.for,
          activeSeconds: (nowMs - activeSinceMs) / 1000,
          labels,
          figures: instance.values,
        });
      }
      const firstFiring = fires && prev?.status !== 'firing';
      const next: AlertState = {
        fingerprint: fp,
        labels,
        annotations: sortedLabels(annotations),
        status: fires ? 'firing' : 'pending',
        activeSinceMs,
        firedAtMs: firstFiring ? nowMs : (prev?.firedAtMs ?? null),
        resolvedAtMs: firstFiring ? null : (prev?.resolvedAtMs ?? null),
        value: finiteOrNull(value),
        updatedAtMs: nowMs,
      };
      states.push(next);
      const from = prev === null ? 'inactive' : prev.status;
      if (from !== next.status) move(next, from, next.status);
    }
  }

  /** The condition no longer holds (or its instance or rule is gone). */
  function settle(prev: AlertState): void {
    if (prev.status === 'firing') {
      const resolved: AlertState = { ...prev, status: 'resolved', resolvedAtMs: nowMs, updatedAtMs: nowMs };
      states.push(resolved);
      move(resolved, 'firing', 'resolved');
    } else if (prev.status === 'pending') {
      move(prev, 'pending', 'inactive');
      // Pending again after an earlier resolve: that resolved episode stays listed.
      if (prev.firedAtMs !== null && prev.resolvedAtMs !== null)
        states.push({ ...prev, status: 'resolved', activeSinceMs: prev.firedAtMs, updatedAtMs: nowMs });
    } else states.push(prev);
  }

  for (const prev of previous) if (!seen.has(prev.fingerprint)) settle(prev);

  const kept = states.filter(
    (s) =>
      s.status !== 'resolved' ||
      s.resolvedAtMs === null ||
      nowMs - s.resolvedAtMs <= retentionMs ||
      (options.keepFingerprints?.has(s.fingerprint) ?? false),
  );
  kept.sort(
    (a, b) =>
      compareGoStrings(a.labels.alertname ?? '', b.labels.alertname ?? '') ||
      compareGoStrings(labelSetString(a.labels), labelSetString(b.labels)),
  );
  return { states: kept, transitions };
}
