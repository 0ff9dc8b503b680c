import type { Headline, Progress } from '@live/protocol';
import { h, setText } from '../dom.js';
import { formatAge, formatClock, formatDay, formatPercent } from '../format.js';
import type { ConnectionState } from '../live.js';

/**
 * The top bar: site, link state, how old the figures are (ticking every second), the start-up backfill's
 * progress; and the DISCONNECTED banner, which nobody can miss from across a room.
 */
export function createStatusBar() {
  const site = h('span', { class: 'site-name', 'data-testid': 'site-name' }, 'Headroom');
  const pill = h('span', { class: 'pill pill-connecting', 'data-testid': 'connection', 'data-state': 'connecting' }, 'CONNECTING');
  const age = h('span', { class: 'age', 'data-testid': 'updated-ago' }, 'waiting for figures…');
  const dataTime = h('span', { class: 'data-time', 'data-testid': 'data-time' });
  const progressFill = h('span', { class: 'progress-fill' });
  const progressText = h('span', { class: 'progress-text' });
  const progress = h('div', { class: 'progress', 'data-testid': 'backfill-progress', hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, progressFill, progressText);
  const bannerText = h('span', { class: 'banner-text' });
  const banner = h('div', { class: 'banner', 'data-testid': 'disconnected-banner', role: 'alert', hidden: true }, h('strong', {}, 'DISCONNECTED'), bannerText);
  const el = h(
    'div',
    { class: 'top' },
    h('header', { class: 'bar' }, h('div', { class: 'brand' }, h('span', { class: 'logo' }, 'Headroom'), site), progress, h('div', { class: 'status' }, dataTime, age, pill)),
    banner,
  );

  let receivedAtMs: number | null = null;
  let connection: ConnectionState = { status: 'connecting', attempt: 0, reason: null };

  const tick = (): void => {
    const ageText = receivedAtMs === null ? 'waiting for figures…' : `updated ${formatAge(Date.now() - receivedAtMs)} ago`;
    setText(age, ageText);
    age.dataset.ageSeconds = receivedAtMs === null ? '' : String(Math.floor((Date.now() - receivedAtMs) / 1000));
    if (connection.status === 'disconnected') {
      const stale = receivedAtMs === null ? 'no figures yet' : `figures below are ${formatAge(Date.now() - receivedAtMs)} old`;
      setText(bannerText, ` — reconnecting${connection.attempt ? ` (attempt ${connection.attempt})` : ''}… ${stale}`);
    }
  };
  setInterval(tick, 1_000);

  return {
    el,
    headline(headline: Headline): void {
      receivedAtMs = Date.now();
      setText(site, headline.site.name);
      setText(dataTime, `data at ${formatDay(headline.atMs)} ${formatClock(headline.atMs)} UTC`);
      dataTime.dataset.atMs = String(headline.atMs);
      tick();
    },
    connection(state: ConnectionState): void {
      connection = state;
      const label = state.status === 'live' ? 'LIVE' : state.status === 'disconnected' ? 'DISCONNECTED' : 'CONNECTING';
      setText(pill, label);
      pill.className = `pill pill-${state.status}`;
      pill.dataset.state = state.status;
      banner.hidden = state.status !== 'disconnected';
      document.body.classList.toggle('is-disconnected', state.status === 'disconnected');
      tick();
    },
    progress(p: Progress | null): void {
      const running = p !== null && p.total > 0 && p.done < p.total;
      progress.hidden = !running;
      if (!p || !running) return;
      // Tests (and anyone inspecting the page) can tell the backfill was shown.
      document.body.dataset.backfillShown = 'true';
      const share = p.done / p.total;
      progressFill.style.width = `${(share * 100).toFixed(1)}%`;
      progress.setAttribute('aria-valuenow', String(Math.round(share * 100)));
      setText(progressText, `Backfilling history: ${formatPercent(share)}`);
    },
  };
}
