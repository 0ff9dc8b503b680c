/**
 * The live ops dashboard: one page, plain TypeScript and DOM. Live figures arrive on the socket
 * (snapshot on connect, updates after each round, alerts, backfill progress); REST is read for
 * what the socket does not carry (history, blocks, contracts, demand plans, dead letters), once,
 * and again only when a live message says it changed. No polling. Both carry this browser's API token (session.ts);
 * a refusal brings up the sign-in prompt.
 */
import type { Headline, Layout, PodCell } from '@protocol/live';
import { api, type CapacityReport, type Contract, type Valuation } from './api.js';
import { h } from './dom.js';
import { formatDay } from './format.js';
import { connectLive } from './live.js';
import { readToken, takeTokenFromUrl } from './session.js';
import { createSessionView } from './session-view.js';
import { createAlerts } from './sections/alerts.js';
import { createContracts } from './sections/contracts.js';
import { createDemandPlans } from './sections/demand-plans.js';
import { createHallFigures, hallGpus } from './sections/hall-figures.js';
import { createHeadline } from './sections/headline.js';
import { createHeatmap, type PodRef } from './sections/heatmap.js';
import { createPodDetail } from './sections/pod-detail.js';
import { createScheduler } from './sections/scheduler.js';
import { createSellable } from './sections/sellable.js';
import { createTrends } from './sections/trends.js';
import { createWhatIf } from './sections/what-if.js';
import { onChange } from './on-change.js';
import { followPodLinks } from './pod-links.js';
import { sellablePodsOf } from './scheduler-figures.js';
import { createTabTitle } from './tab-title.js';
import { createThemeControl } from './theme.js';
import { readView, writeView } from './url-state.js';
import type { ConnectionState } from './live.js';
import './styles.css';
import './a11y.css';
import './print.css';

// First, before anything reads the address: a sign-in link's token is kept and leaves the URL.
takeTokenFromUrl();

// `?kiosk` (a wall screen nobody touches): larger type, every section on one screen, no session
// controls. Styles only (styles.css, html.kiosk); the sign-in prompt still shows when it is needed.
document.documentElement.classList.toggle('kiosk', new URLSearchParams(location.search).has('kiosk'));
// Before anything is drawn, so the page never flashes the other theme.
const themeControl = createThemeControl();

/** A new token (or none): the page starts again with it, so every part reads with the same one. */
const restart = (): void => location.reload();
const session = createSessionView(restart);
/** The tab's title follows the link, the sellable power and the alerts firing. */
const title = createTabTitle((text) => (document.title = text));
const { status, signIn } = session;
const hallFigures = createHallFigures();
const headline = createHeadline(hallFigures.el);
// Opened by Enter or Space, the detail takes the focus; closed (✕ or Escape), the pod's cell gets it back.
const heatmap = createHeatmap(
  (pod, byKeyboard) => {
    pick(pod);
    if (byKeyboard) podDetail.focus();
  },
  (chosen) => setHall(chosen),
);
const podDetail = createPodDetail(() => closeDetail());
heatmap.el.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || podDetail.current() === null) return;
  event.preventDefault();
  closeDetail();
});
heatmap.detailSlot.append(podDetail.el);
const trends = createTrends();
const sellable = createSellable();
const whatIf = createWhatIf();
const contracts = createContracts();
const plans = createDemandPlans();
const alerts = createAlerts();
const scheduler = createScheduler();

// The first Tab stop: past the top bar to the heatmap's one stop (its arrows reach every pod).
const skip = h('a', { class: 'skip-link', href: '#heatmap' }, 'Skip to heatmap');
skip.addEventListener('click', (event) => {
  event.preventDefault(); // the fragment is the open pod's (#pod=…), not a place to scroll to
  heatmap.focus();
});

const app = document.getElementById('app')!;
app.replaceChildren(
  skip,
  status.el,
  signIn.el,
  h(
    'main',
    { class: 'grid' },
    h('div', { class: 'area-headline' }, headline.el),
    h('div', { class: 'area-heatmap' }, heatmap.el),
    h('div', { class: 'area-alerts' }, alerts.el),
    h('div', { class: 'area-trends' }, trends.el),
    h('div', { class: 'area-sellable' }, sellable.el, whatIf.el),
    h('div', { class: 'area-contracts' }, contracts.el),
    h('div', { class: 'area-plans' }, plans.el),
    h('div', { class: 'area-scheduler' }, scheduler.el),
  ),
  // At the end, not in the top bar: the chart range stays within 15 Tabs of page load.
  h('footer', { class: 'page-foot' }, themeControl),
);

/**
 * Signed out, the dashboard (<main>) is hidden and the sign-in prompt is the page: it is then the
 * main landmark (axe landmark-one-main). With public reads both show, and <main> stays the one.
 */
function setConnection(state: ConnectionState): void {
  status.connection(state);
  if (state.status === 'unauthorized') signIn.el.setAttribute('role', 'main');
  else signIn.el.removeAttribute('role');
  title({ link: state.status });
}

let last: Headline | null = null;
let backfilling = false;
let layout: Layout | null = null;
let pods: PodCell[] = [];
let report: CapacityReport | null = null;
/** The hall shown alone (heatmap, hall figures, sellable table), `hall=` in the address; null = all. */
let hall: string | null = null;

const refreshCapacity = onChange(
  () => {
    const c = last?.capacity;
    const r = last?.risk;
    return c
      ? `${c.sellableGpus}|${c.sellableBlocks}|${c.sellableWatts}|${c.reserveGpus}|${r?.oversold}|${r?.firstShortfallAt}|${r?.firstRiskAt}`
      : 'none';
  },
  async () => {
    if (!last?.capacity) {
      sellable.waiting(); // the report needs history: it comes with a later update
      return;
    }
    try {
      report = await api.capacity();
      sellable.render(report);
      trends.capacity(report);
      drawHall();
      refreshScheduler(true); // its queue is set against the sellable pods
    } catch (error) {
      sellable.error(`capacity unavailable: ${(error as Error).message}`);
    }
    rendered();
  },
);

const refreshContracts = onChange(
  () => (last ? `${last.contracts.active}|${last.contracts.revenueUsdPerMonth}|${last.contracts.contractedGpus}` : ''),
  async () => {
    try {
      const list: Contract[] = await api.contracts();
      const valuations = new Map<string, Valuation>();
      await Promise.all(list.map(async (c) => valuations.set(c.id, await api.valuation(c.id))));
      contracts.render(list, valuations);
      trends.contracts(list);
    } catch (error) {
      contracts.error(`contracts unavailable: ${(error as Error).message}`);
    }
    rendered();
  },
);

// Read again when the plans change (their revision, in every live headline) and when the day
// does (a plan's status moves with it: the collection clock's day, as the valuations' asOf).
const refreshPlans = onChange(
  () => (last ? `${formatDay(last.atMs)}|${last.plans.count}|${last.plans.revision}` : ''),
  async () => {
    if (!last) return;
    try {
      plans.render(await api.demandPlans(), formatDay(last.atMs));
    } catch (error) {
      plans.error(`demand plans unavailable: ${(error as Error).message}`);
    }
    rendered();
  },
);

// The queue and held GPUs move every round: read again after each live update (the throttle bounds it).
const refreshScheduler = onChange(
  () => String(last?.atMs ?? ''),
  async () => {
    try {
      const [answer, site] = await Promise.all([api.scheduler(), api.fleet()]);
      scheduler.render(answer, site.toldBy, report && sellablePodsOf(report.sellable.blocks), last?.atMs ?? Date.parse(site.updatedAt));
    } catch (error) {
      scheduler.error(`scheduler unavailable: ${(error as Error).message}`);
    }
    rendered();
  },
);

let alertsKey = '';
const refreshAlerts = onChange(
  () => alertsKey,
  async () => {
    try {
      const who = await session.identity();
      const { operatorRead } = session;
      const [list, dead, pending, names] = await Promise.all([
        api.alerts(),
        operatorRead(api.deadLetters),
        operatorRead(api.pendingDeliveries),
        operatorRead(api.webhookNames),
      ]);
      const restricted =
        dead === null || pending === null || names === null
          ? `Which deliveries fail, the dead letters and the receivers' names need an operator token (${who?.authenticated ? `this one is ${who.role}` : 'reading without a token'}).`
          : null;
      trends.alertsChanged();
      alerts.rest(list.recent, dead, pending?.filter((d) => d.attempts > 0) ?? null, names, restricted);
    } catch {
      // The live part still shows; the lists come with the next change.
    }
    rendered();
  },
);

function drawHall(): void {
  const counts = hall !== null && layout ? hallGpus(heatmap.refs(), pods, hall) : null;
  hallFigures.render(hall, counts, report?.sellable.blocks ?? null, {
    gpus: last?.gpus.total ?? 0,
    sellableWatts: report?.sellable.watts ?? null,
  });
}

/** Shows one hall (an id the layout does not have: all halls) and keeps it in the address. */
function setHall(chosen: string | null): void {
  hall = chosen !== null && layout?.halls.some((x) => x.id === chosen) ? chosen : null;
  writeView({ hall });
  heatmap.showHall(hall);
  sellable.showHall(hall);
  drawHall();
}

function pick(pod: PodRef): void {
  heatmap.select(pod.index);
  writeView({ pod: pod.id });
  void podDetail.open(pod, last?.atMs ?? Date.now());
  podDetail.render(pods[pod.index]);
}

function unpick(): void {
  heatmap.select(-1);
  podDetail.hide();
  writeView({ pod: null });
}

function closeDetail(): void {
  const open = podDetail.current();
  unpick();
  if (open) heatmap.focus(open.index);
}

function pickFromHash(): void {
  const id = readView('pod') ?? '';
  const ref = id ? heatmap.refs().find((r) => r.id === id) : undefined;
  if (ref && podDetail.current()?.id !== ref.id) pick(ref);
}
window.addEventListener('hashchange', () => {
  // A sign-in link opened in this tab changes only the fragment: take its token and start again.
  if (takeTokenFromUrl() !== null) restart();
  else {
    // An address edited by hand: the hall and pod it names.
    if (layout && readView('hall') !== hall) setHall(readView('hall'));
    pickFromHash();
    podDetail.el.scrollIntoView({ block: 'nearest' });
  }
});

followPodLinks(app, (id) => {
  const ref = heatmap.refs().find((r) => r.id === id);
  if (!ref) return false;
  pick(ref);
  podDetail.el.scrollIntoView({ block: 'nearest' });
  return true;
});

function drawLive(hl: Headline, cells: PodCell[]): void {
  last = hl;
  pods = cells;
  status.headline(hl);
  headline.render(hl);
  if (layout) heatmap.render(layout, cells);
  const open = podDetail.current();
  if (open) podDetail.render(cells[open.index]);
  whatIf.now(hl.atMs);
  drawHall();
  title({ sellableWatts: hl.capacity?.sellableWatts ?? null });
}

/** Set once every section has drawn: `data-rendered="full"` and a performance mark (the tests read them). */
function rendered(): void {
  if (document.body.dataset.rendered === 'full') return;
  if ([...document.querySelectorAll('.card')].some((c) => c.getAttribute('aria-busy') !== 'false')) return;
  performance.mark('headroom:first-full-render');
  document.body.dataset.rendered = 'full';
  document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
}

const startLive = () =>
  connectLive(
    {
      snapshot(snapshot, cells) {
        layout = snapshot.layout;
        drawLive(snapshot.headline, cells);
        setHall(readView('hall'));
        pickFromHash();
        // A (re)connect: everything read over REST may be stale, read it again.
        trends.reload(snapshot.headline);
        refreshCapacity(true);
        refreshContracts(true);
        refreshPlans(true);
        refreshAlerts(true);
        refreshScheduler(true);
        rendered();
      },
      update(update, cells) {
        drawLive(update.headline, cells);
        trends.live(update.headline);
        refreshCapacity();
        refreshContracts();
        refreshPlans();
        refreshScheduler();
        rendered();
      },
      alerts(state) {
        alerts.live(state);
        title({ firing: state.active.filter((a) => a.status === 'firing').length });
        alertsKey = `${state.active.map((a) => `${a.fingerprint}:${a.status}`).join(',')}|${state.delivery.pending}|${state.delivery.dead}`;
        refreshAlerts();
        rendered();
      },
      progress(p) {
        status.progress(p);
        const running = p !== null && p.done < p.total;
        // The backfill wrote history the charts did not have when they loaded.
        if (backfilling && !running && last) trends.reload(last);
        backfilling = running;
      },
      connection(state) {
        setConnection(state);
        if (state.status === 'unauthorized') session.refused(state.reason);
      },
    },
    readToken,
  );

/**
 * With a token, the live view and /whoami start together (a refused token is answered by the
 * handshake, with the server's reason). Without one, /whoami says first whether reads are public:
 * if not, the prompt shows and nothing is read; a server that does not answer is left to the
 * socket's reconnection.
 */
if (readToken() !== null) {
  startLive();
  void session.identity();
} else {
  void session.identity().then((answer) => {
    if (answer === null || answer.authenticated || answer.publicRead) {
      startLive();
      return;
    }
    setConnection({ status: 'unauthorized', attempt: 0, reason: null });
    session.askSignIn(null);
  });
}

// Charts draw asynchronously: check again whenever a section reports itself drawn.
new MutationObserver(rendered).observe(app, { subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
