import type { AlertState } from '../../domain/alerts/alert-state.js';
import { alertmanagerAlerts } from '../../domain/alerts/alertmanager-alerts.js';

/**
 * Forwards Headroom's alerts to Alertmanagers (`ALERTMANAGER_URLS`), as Prometheus does: every
 * evaluation POSTs all firing alerts to `<url>/api/v2/alerts` with `endsAt` a validity window
 * ahead (so an Alertmanager resolves them by itself if Headroom dies), and recently resolved
 * ones with their `endsAt`, for a while (see domain/alerts/alertmanager-alerts.ts).
 *
 * There is no outbox here, on purpose: Prometheus does not queue these either. Re-sending the
 * whole set every round is the durability; a failed POST is logged, counted (`onResult`) and
 * made good by the next round. The webhook outbox is for our own receivers only.
 */

export type ForwardResult =
  | { url: string; outcome: 'sent'; alerts: number; ms: number }
  | { url: string; outcome: 'failed'; alerts: number; ms: number; error: string }
  /** The previous round's POST to this URL had not finished: this round is not sent there. */
  | { url: string; outcome: 'skipped'; alerts: number };

export interface AlertmanagerForwarderOptions {
  /** Alertmanager base URLs, e.g. `http://127.0.0.1:9093` or `https://am.example/prefix`. */
  urls: readonly string[];
  /** Headroom's own URL, for each alert's `generatorURL`. */
  externalUrl: string;
  /** How far ahead a firing alert's `endsAt` lies, ms: ~4 × the collection interval, a few minutes at least. */
  validForMs: number;
  /** How long a resolved alert keeps being sent, ms (default 15 min, as Prometheus). */
  resolvedResendMs?: number;
  /** Per POST, ms; past it the request is aborted and counted as failed. */
  timeoutMs: number;
  /** Wall clock, ms: Alertmanager judges `endsAt` against its own. */
  nowMs: () => number;
  log: { warn: (obj: object, msg: string) => void };
  onResult?: (result: ForwardResult) => void;
}

/** `<base>/api/v2/alerts`, keeping any path prefix; a URL already naming the endpoint is kept. */
export function alertsEndpoint(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v2/alerts') ? trimmed : `${trimmed}/api/v2/alerts`;
}

/**
 * Alert times are on the collection clock, which runs SIM_SPEED times as fast under the
 * simulator; Alertmanager compares them with its wall clock. Shift them by the difference, so
 * a firing alert ends in Alertmanager's future and a resolved one in its past.
 */
function onWallClock(states: readonly AlertState[], offsetMs: number): readonly AlertState[] {
  if (offsetMs === 0) return states;
  const shift = (ms: number | null) => (ms === null ? null : ms + offsetMs);
  return states.map((s) => ({ ...s, firedAtMs: shift(s.firedAtMs), resolvedAtMs: shift(s.resolvedAtMs) }));
}

export function createAlertmanagerForwarder(options: AlertmanagerForwarderOptions) {
  const endpoints = options.urls.map(alertsEndpoint);
  const busy = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  async function post(url: string, body: string, alerts: number): Promise<ForwardResult> {
    const started = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Headroom' },
        body,
        // A redirect is a misconfigured URL: report it rather than re-POST somewhere else.
        redirect: 'manual',
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      // Read the body either way: it frees the connection, and Alertmanager's 400 says which alert it rejected.
      const text = await res.text();
      if (res.ok) return { url, outcome: 'sent', alerts, ms: Date.now() - started };
      return { url, outcome: 'failed', alerts, ms: Date.now() - started, error: `HTTP ${res.status}: ${text.slice(0, 300)}` };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return {
        url,
        outcome: 'failed',
        alerts,
        ms: Date.now() - started,
        error: `${err instanceof Error ? err.message : String(err)}${cause}`,
      };
    }
  }

  function report(result: ForwardResult): void {
    if (result.outcome === 'failed')
      options.log.warn({ url: result.url, alerts: result.alerts, ms: result.ms, err: result.error }, 'alertmanager forward failed');
    if (result.outcome === 'skipped') options.log.warn({ url: result.url }, 'alertmanager still busy with the previous round; skipped');
    options.onResult?.(result);
  }

  return {
    /**
     * Sends this round's alerts to every Alertmanager. Never rejects; resolves once every POST
     * of the round has finished (tests await it; the evaluation loop does not: `void forward()`).
     * A URL whose previous POST is still running is skipped this round, so one slow Alertmanager
     * neither piles up requests nor delays the others.
     */
    forward(states: readonly AlertState[], evalNowMs: number): Promise<void> {
      if (stopping.signal.aborted || endpoints.length === 0) return Promise.resolve();
      const wallNowMs = options.nowMs();
      const alerts = alertmanagerAlerts(onWallClock(states, wallNowMs - evalNowMs), wallNowMs, {
        externalUrl: options.externalUrl,
        validForMs: options.validForMs,
        resolvedResendMs: options.resolvedResendMs,
      });
      // As Prometheus: nothing to say, nothing sent (silence lets firing alerts time out).
      if (alerts.length === 0) return Promise.resolve();
      const body = JSON.stringify(alerts);
      const round = endpoints.map(async (url) => {
        if (busy.has(url)) return report({ url, outcome: 'skipped', alerts: alerts.length });
        busy.add(url);
        try {
          report(await post(url, body, alerts.length));
        } finally {
          busy.delete(url);
        }
      });
      // Only a throwing onResult can land here; it must not become an unhandled rejection.
      const done = Promise.all(round).then(
        () => undefined,
        (err: unknown) => options.log.warn({ err }, 'alertmanager forward: result handler failed'),
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
      return done;
    },

    /** Aborts the POSTs in flight and sends nothing more; resolves once they have settled. */
    async stop(): Promise<void> {
      stopping.abort();
      await Promise.all(inFlight);
    },
  };
}

export type AlertmanagerForwarder = ReturnType<typeof createAlertmanagerForwarder>;
