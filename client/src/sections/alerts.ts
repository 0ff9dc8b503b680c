import type { AlertsState } from '@protocol/live';
import type { AlertView, Delivery } from '../api.js';
import { card, fill, h, markLoaded, setText } from '../dom.js';
import { formatAge, formatClock, formatCount, formatDay } from '../format.js';

const when = (iso: string): string => {
  const ms = Date.parse(iso);
  return `${formatDay(ms)} ${formatClock(ms)}`;
};

/** Active alerts (live), recently resolved ones and webhook delivery state with the dead letters. */
export function createAlerts() {
  const c = card('alerts', 'Alerts and webhooks');
  let live: AlertsState | null = null;
  /** Wall time the live state arrived: the server sends the oldest pending age once, the page ages it. */
  let receivedAtMs = 0;
  const oldest = h('b', { 'data-testid': 'delivery-oldest' }, '–');
  setInterval(() => {
    if (live?.delivery.pending) setText(oldest, formatAge(live.delivery.oldestPendingAgeSeconds * 1000 + Date.now() - receivedAtMs));
  }, 1_000);
  let recent: AlertView[] = [];
  let dead: Delivery[] = [];
  /** Pending notifications that failed at least once and are being retried (null: not readable with this token). */
  let failing: Delivery[] | null = [];
  /** Why the delivery lists are not shown: webhook reads need an operator token. */
  let restricted: string | null = null;
  let receiverNames = new Map<string, string>();
  const receiver = (id: string): string => receiverNames.get(id) ?? id;

  const draw = (): void => {
    if (!live) return;
    const active = live.active.length
      ? h(
          'ul',
          { class: 'alert-list', 'data-testid': 'alerts-active' },
          ...live.active.map((a) =>
            h(
              'li',
              { class: `alert sev-${a.severity} st-${a.status}`, 'data-fingerprint': a.fingerprint },
              h('span', { class: `tag sev sev-${a.severity}` }, a.severity),
              h('span', { class: 'alert-status' }, a.status),
              h('strong', { class: 'alert-name' }, a.alertname),
              h('span', { class: 'alert-summary' }, a.summary),
              h('span', { class: 'alert-since' }, `since ${when(a.since)} UTC`),
            ),
          ),
        )
      : h('p', { class: 'ok-line', 'data-testid': 'alerts-active' }, 'No active alerts.');
    const d = live.delivery;
    setText(oldest, d.pending ? formatAge(d.oldestPendingAgeSeconds * 1000 + Date.now() - receivedAtMs) : '–');
    const delivery = h(
      'div',
      { class: 'delivery', 'data-testid': 'delivery' },
      h(
        'span',
        { class: 'delivery-item', 'data-level': d.pending ? 'warn' : 'ok' },
        h('b', { 'data-testid': 'delivery-pending', 'data-value': d.pending }, formatCount(d.pending)),
        ' pending',
      ),
      failing === null
        ? h('span', { class: 'delivery-item' }, h('b', { 'data-testid': 'delivery-failing', 'data-value': '' }, '–'), ' failed, retrying')
        : h(
            'span',
            { class: 'delivery-item', 'data-level': failing.length ? 'warn' : 'ok' },
            h('b', { 'data-testid': 'delivery-failing', 'data-value': failing.length }, formatCount(failing.length)),
            ' failed, retrying',
          ),
      h(
        'span',
        { class: 'delivery-item', 'data-level': d.dead ? 'bad' : 'ok' },
        h('b', { 'data-testid': 'delivery-dead', 'data-value': d.dead }, formatCount(d.dead)),
        ' dead-lettered',
      ),
      h('span', { class: 'delivery-item' }, 'oldest pending ', oldest),
    );
    const failingList = failing?.length
      ? h(
          'ul',
          { class: 'dead-list', 'data-testid': 'failing-deliveries' },
          ...(failing ?? [])
            .slice(0, 5)
            .map((x) =>
              h(
                'li',
                {},
                h('code', {}, x.id),
                ` to ${receiver(x.receiverId)} · ${formatCount(x.attempts)} attempts · `,
                h('span', { class: 'warn-text' }, x.lastError ?? 'no error recorded'),
              ),
            ),
        )
      : null;
    const deadList = dead.length
      ? h(
          'ul',
          { class: 'dead-list', 'data-testid': 'dead-letters' },
          ...dead
            .slice(0, 8)
            .map((x) =>
              h(
                'li',
                {},
                h('code', {}, x.id),
                ` to ${receiver(x.receiverId)} · ${formatCount(x.attempts)} attempts · `,
                h('span', { class: 'error-text' }, x.lastError ?? 'no error recorded'),
              ),
            ),
        )
      : null;
    const recentList = recent.length
      ? h(
          'div',
          { class: 'recent' },
          h('h3', {}, 'Resolved recently'),
          h(
            'ul',
            { class: 'alert-list alert-list-recent' },
            ...recent
              .slice(0, 6)
              .map((a) =>
                h(
                  'li',
                  { class: 'alert st-resolved' },
                  h('span', { class: 'tag' }, 'resolved'),
                  h('strong', { class: 'alert-name' }, a.labels.alertname ?? ''),
                  h('span', { class: 'alert-summary' }, a.annotations.summary ?? ''),
                  h('span', { class: 'alert-since' }, a.endsAt ? `at ${when(a.endsAt)} UTC` : ''),
                ),
              ),
          ),
        )
      : null;
    const note = restricted ? h('p', { class: 'restricted', 'data-testid': 'delivery-restricted' }, restricted) : null;
    fill(c.body, active, h('h3', {}, 'Webhook delivery'), delivery, note, failingList, deadList, recentList);
    markLoaded(c.el);
  };

  return {
    el: c.el,
    live(state: AlertsState): void {
      live = state;
      receivedAtMs = Date.now();
      draw();
    },
    /**
     * The REST part. Webhook deliveries and receiver names are operator reads: null for a weaker
     * token, with `restrictedNote` saying so where the lists would be.
     */
    rest(
      r: AlertView[],
      d: Delivery[] | null,
      f: Delivery[] | null,
      names: Map<string, string> | null,
      restrictedNote: string | null,
    ): void {
      receiverNames = names ?? new Map();
      recent = r;
      dead = d ?? [];
      failing = f;
      restricted = restrictedNote;
      draw();
    },
  };
}
