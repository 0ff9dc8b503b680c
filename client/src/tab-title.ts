import { formatMwNumber, plural } from './format.js';

export interface TabStatus {
  /** The live link: anything but live is said first, in capitals, as the page's pill says it. */
  link: 'connecting' | 'live' | 'disconnected' | 'unauthorized';
  /** Sellable power now; null while history loads. */
  sellableWatts: number | null;
  /** Alerts firing (not pending). */
  firing: number;
}

const LINK_WORD: Record<Exclude<TabStatus['link'], 'live'>, string> = {
  connecting: 'CONNECTING',
  disconnected: 'DISCONNECTED',
  unauthorized: 'SIGN-IN NEEDED',
};

/**
 * The tab's title: what a person with the page in a background tab needs to know. Live:
 * "Headroom · 80.2 MW sellable · 2 alerts firing"; otherwise the link's state only, since the
 * figures may be stale ("Headroom · DISCONNECTED").
 */
export function tabTitle(status: TabStatus): string {
  if (status.link !== 'live') return `Headroom · ${LINK_WORD[status.link]}`;
  const parts = ['Headroom'];
  if (status.sellableWatts !== null) parts.push(`${formatMwNumber(status.sellableWatts)} MW sellable`);
  if (status.firing > 0) parts.push(`${plural(status.firing, 'alert')} firing`);
  return parts.join(' · ');
}

/**
 * Keeps a title to `tabTitle` of what it is told: `write` (the page sets document.title) is called
 * only when the text changes, so a live update that changes nothing in it writes nothing.
 */
export function createTabTitle(write: (title: string) => void) {
  const status: TabStatus = { link: 'connecting', sellableWatts: null, firing: 0 };
  let shown: string | null = null;
  return (change: Partial<TabStatus>): void => {
    Object.assign(status, change);
    const title = tabTitle(status);
    if (title === shown) return;
    shown = title;
    write(title);
  };
}
