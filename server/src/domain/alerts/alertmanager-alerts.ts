import { notifiableStatus, type AlertState } from './alert-state.js';
import { goTime } from './go-json.js';
import { sortedLabels, type Labels } from './labels.js';
import { generatorUrl } from './webhook-message.js';

/**
 * The body of a POST to an Alertmanager's `/api/v2/alerts` (its `postableAlerts`), built as
 * Prometheus builds it (rules/manager.go `SendAlerts`): firing alerts with `endsAt` a little
 * ahead (Alertmanager resolves them by itself if we stop sending, e.g. if Headroom dies),
 * resolved ones with `endsAt` = when they resolved, re-sent for a while so a restarted
 * Alertmanager still hears of it. Sent every round; Alertmanager dedupes by labels.
 */

export interface PostableAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface ForwardOptions {
  externalUrl: string;
  /**
   * How far ahead a firing alert's `endsAt` lies, ms. Prometheus uses 4 × its resend delay;
   * pass 4 × the collection interval (at least a few minutes) so a missed round or two does
   * not resolve it.
   */
  validForMs: number;
  /** How long a resolved alert keeps being sent, ms (Prometheus: 15 min). */
  resolvedResendMs?: number;
}

export function alertmanagerAlerts(states: readonly AlertState[], nowMs: number, options: ForwardOptions): PostableAlert[] {
  const resendMs = options.resolvedResendMs ?? 15 * 60_000;
  const out: PostableAlert[] = [];
  for (const s of states) {
    const status = notifiableStatus(s);
    if (status === null || s.firedAtMs === null) continue;
    if (status === 'resolved' && nowMs - (s.resolvedAtMs ?? nowMs) > resendMs) continue;
    out.push({
      labels: sortedLabels(s.labels),
      annotations: sortedLabels(s.annotations),
      startsAt: goTime(s.firedAtMs),
      endsAt: goTime(status === 'firing' ? nowMs + options.validForMs : s.resolvedAtMs),
      generatorURL: generatorUrl(options.externalUrl, s.fingerprint),
    });
  }
  return out;
}
