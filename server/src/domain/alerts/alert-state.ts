import type { Labels } from './labels.js';

/**
 * The state of one alert instance (one rule × one site, hall or contract), as the engine keeps
 * it between rounds and the store saves it as JSON (keyed by fingerprint). An instance whose
 * condition does not hold and that is not recently resolved has no state: it is "inactive".
 */

export const ALERT_STATUSES = ['pending', 'firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertState {
  /** Alertmanager's fingerprint of `labels` (fingerprint.ts): the key in SQLite and in webhooks. */
  fingerprint: string;
  /** alertname, severity, the rule's labels and the instance's (site, hall / customer, contract); sorted. */
  labels: Labels;
  /** The rule's annotations, filled in at the last round the condition held. */
  annotations: Labels;
  status: AlertStatus;
  /**
   * When the condition started holding in the current episode (the pending start), ms. The `for`
   * timer runs from here, so it survives a restart: states saved at minute 20 and restored
   * fire at minute 30, as they would have without the restart.
   */
  activeSinceMs: number;
  /**
   * When it fired (Alertmanager's `startsAt`). Null until it first fires. While `pending` after
   * an earlier episode, still that episode's, with its `resolvedAtMs`: notification planning
   * treats it as the resolved alert it is until it fires again.
   */
  firedAtMs: number | null;
  /** When it resolved (Alertmanager's `endsAt`); null while pending or firing for the first time. */
  resolvedAtMs: number | null;
  /** The rule's figure at the last round the condition held; null when not finite (JSON has no ∞). */
  value: number | null;
  /** The last round that confirmed or changed this state, ms. */
  updatedAtMs: number;
}

/** A change of status at one evaluation, for logs, metrics and the live view. */
export interface AlertTransition {
  fingerprint: string;
  labels: Labels;
  from: AlertStatus | 'inactive';
  to: AlertStatus | 'inactive';
  atMs: number;
  value: number | null;
}

/**
 * Whether a state stands for an alert receivers may have been told about: firing now, or
 * resolved after having fired (including pending again after a resolve).
 */
export function notifiableStatus(state: AlertState): 'firing' | 'resolved' | null {
  if (state.status === 'firing') return 'firing';
  if (state.firedAtMs !== null && state.resolvedAtMs !== null) return 'resolved';
  return null;
}
