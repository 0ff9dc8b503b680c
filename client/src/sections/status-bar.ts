import type { Headline, Progress } from '@protocol/live';
import { fill, h, setText } from '../dom.js';
import { formatAge, formatClock, formatCount, formatDay, formatPercent } from '../format.js';
import type { ConnectionState } from '../live.js';
import type { WhoAmI } from '../session.js';

export interface StatusBarActions {
  signIn(): void;
  signOut(): void;
}

/** Unknown model names written out in the bar; the rest are counted (all are in the tooltip). */
const UNKNOWN_MODELS_SHOWN = 2;

const PILL: Record<ConnectionState['status'], string> = {
  connecting: 'CONNECTING',
  live: 'LIVE',
  disconnected: 'DISCONNECTED',
  unauthorized: 'SIGN-IN NEEDED',
};

/**
 * The top bar: site, link state, how old the figures are (ticking every second), the start-up backfill's
 * progress, who is signed in; and the DISCONNECTED banner, which nobody can miss from across a room.
 */
export function createStatusBar(actions: StatusBarActions) {
  // The site's name comes with the first figures (a refused page has none: no "Headroom Headroom").
  const site = h('span', { class: 'site-name', 'data-testid': 'site-name' });
  // role=status: a screen reader says LIVE / DISCONNECTED when it changes, without moving the focus.
  const pill = h(
    'span',
    { class: 'pill pill-connecting', role: 'status', 'data-testid': 'connection', 'data-state': 'connecting' },
    'CONNECTING',
  );
  const age = h('span', { class: 'age', 'data-testid': 'updated-ago' }, 'waiting for figures…');
  const dataTime = h('span', { class: 'data-time', 'data-testid': 'data-time' });
  // GPUs whose model the table lacks: read on their own power scale, never priced or sold (docs/gpu-states.md).
  // A line of its own under the bar: the bar has no room left at 1280 px.
  const unknownModels = h('p', { class: 'unknown-models', 'data-testid': 'unknown-models', role: 'note', hidden: true });
  const progressFill = h('span', { class: 'progress-fill' });
  const progressText = h('span', { class: 'progress-text' });
  const progress = h(
    'div',
    { class: 'progress', 'data-testid': 'backfill-progress', hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 },
    progressFill,
    progressText,
  );
  const who = h('span', { class: 'who', 'data-testid': 'session', 'data-state': 'unknown' });
  const signOut = h(
    'button',
    { class: 'btn btn-small', type: 'button', hidden: true, 'data-testid': 'sign-out', onclick: () => actions.signOut() },
    'Sign out',
  );
  const signIn = h(
    'button',
    { class: 'btn btn-small', type: 'button', hidden: true, 'data-testid': 'status-sign-in', onclick: () => actions.signIn() },
    'Sign in',
  );
  const sessionEl = h('span', { class: 'session', hidden: true }, who, signIn, signOut);
  const bannerText = h('span', { class: 'banner-text' });
  const banner = h(
    'div',
    { class: 'banner', 'data-testid': 'disconnected-banner', role: 'alert', hidden: true },
    h('strong', {}, 'DISCONNECTED'),
    bannerText,
  );
  // On paper only (print.css): where the page came from and when its figures are from.
  const printLine = h('p', { class: 'print-meta', 'data-testid': 'print-meta' });
  let figuresAt = '';
  const describePrint = (): void => setText(printLine, `Printed from ${location.href}${figuresAt ? ` · figures at ${figuresAt}` : ''}`);
  window.addEventListener('beforeprint', describePrint);
  const el = h(
    'div',
    { class: 'top' },
    printLine,
    h(
      'header',
      { class: 'bar' },
      // The page's one h1: "Headroom" and the site's name.
      h('h1', { class: 'brand' }, h('span', { class: 'logo' }, 'Headroom'), site),
      progress,
      h('div', { class: 'status' }, dataTime, age, pill, sessionEl),
    ),
    banner,
    unknownModels,
  );

  let receivedAtMs: number | null = null;
  let connection: ConnectionState = { status: 'connecting', attempt: 0, reason: null };

  const tick = (): void => {
    const ageText =
      receivedAtMs !== null
        ? `updated ${formatAge(Date.now() - receivedAtMs)} ago`
        : connection.status === 'unauthorized'
          ? ''
          : 'waiting for figures…';
    setText(age, ageText);
    age.dataset.ageSeconds = receivedAtMs === null ? '' : String(Math.floor((Date.now() - receivedAtMs) / 1000));
    if (connection.status === 'disconnected') {
      const stale = receivedAtMs === null ? 'no figures yet' : `figures below are ${formatAge(Date.now() - receivedAtMs)} old`;
      setText(bannerText, ` — reconnecting${connection.attempt ? ` (attempt ${connection.attempt})` : ''}… ${stale}`);
    }
  };
  setInterval(tick, 1_000);

  /** `7 GPUs of unknown models: "Tesla V100-SXM2-16GB" ×4, "NVIDIA A10G" ×2 +1 more`, every name in the tooltip. */
  const showUnknownModels = (models: Headline['unknownModels']): void => {
    unknownModels.hidden = models.length === 0;
    unknownModels.dataset.gpus = String(models.reduce((n, m) => n + m.gpus, 0));
    if (models.length === 0) return;
    const quoted = (name: string): string => (name === '' ? '(no name reported)' : `"${name}"`);
    const named = (m: { name: string; gpus: number }): string => `unknown model ${quoted(m.name)} ×${formatCount(m.gpus)}`;
    const shown = models.slice(0, UNKNOWN_MODELS_SHOWN).map((m) => `${quoted(m.name)} ×${formatCount(m.gpus)}`);
    const more = models.length > UNKNOWN_MODELS_SHOWN ? ` +${models.length - UNKNOWN_MODELS_SHOWN} more` : '';
    const gpus = Number(unknownModels.dataset.gpus);
    setText(unknownModels, `⚠ ${formatCount(gpus)} GPU${gpus === 1 ? '' : 's'} of unknown models: ${shown.join(', ')}${more}`);
    unknownModels.title = `Models the model table lacks, read on their own power limit or on utilization alone, neither priced nor sold:\n${models.map(named).join('\n')}`;
  };

  return {
    el,
    headline(headline: Headline): void {
      receivedAtMs = Date.now();
      setText(site, headline.site.name);
      figuresAt = `${formatDay(headline.atMs)} ${formatClock(headline.atMs)} UTC`;
      setText(dataTime, `data at ${figuresAt}`);
      dataTime.dataset.atMs = String(headline.atMs);
      describePrint();
      showUnknownModels(headline.unknownModels);
      tick();
    },
    connection(state: ConnectionState): void {
      connection = state;
      setText(pill, PILL[state.status]);
      pill.className = `pill pill-${state.status}`;
      pill.dataset.state = state.status;
      banner.hidden = state.status !== 'disconnected';
      document.body.classList.toggle('is-disconnected', state.status === 'disconnected');
      document.body.classList.toggle('is-unauthorized', state.status === 'unauthorized');
      tick();
    },
    /**
     * Who the server says this browser is: "admin · initial admin", "public read-only", or a
     * token it refused. `hasToken`: whether a token was sent (a refused one reads as no one).
     */
    session(answer: WhoAmI, hasToken: boolean): void {
      const state = answer.authenticated ? 'signed-in' : hasToken ? 'refused' : answer.publicRead ? 'public' : 'signed-out';
      who.dataset.state = state;
      who.dataset.role = answer.authenticated ? answer.role : '';
      if (answer.authenticated) {
        fill(
          who,
          h('span', { class: `role role-${answer.role}` }, answer.role),
          h('span', { class: 'who-sep' }, ' · '),
          h('span', { class: 'who-name' }, answer.name),
        );
        who.title = `Signed in with token ${answer.id} (${answer.name}), role ${answer.role}`;
      } else if (state === 'public') {
        fill(who, h('span', { class: 'role role-public' }, 'public read-only'));
        who.title = 'Reading without a token: this server has public reads (PUBLIC_READ=true). Changes need a token.';
      } else if (state === 'refused') {
        fill(who, h('span', { class: 'role role-none' }, 'token refused'));
        who.title = 'The server does not accept the token this browser keeps (unknown or revoked)';
      } else {
        // Not signed in: the prompt says so, the bar need not repeat it.
        fill(who);
        who.title = '';
      }
      sessionEl.hidden = state === 'signed-out';
      signOut.hidden = !hasToken;
      signIn.hidden = hasToken || !answer.publicRead;
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
