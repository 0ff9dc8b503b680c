/**
 * The view's state in the address's fragment (`#pod=A-3&range=7d&hall=B&tz=local`), so a link or a
 * bookmark opens the same view and a reload keeps it. Each part is owned by one section; writing
 * one keeps the others. replaceState, not pushState: changing the range or the pod is not a page
 * the Back button should walk through. Split by hand, not with URLSearchParams, which reads `+`
 * as a space (session.ts takes `token=` out of the same fragment the same way).
 */
export type ViewKey = 'pod' | 'hall' | 'range' | 'tz' | 'theme';

function parts(): Array<[string, string]> {
  return location.hash
    .replace(/^#/, '')
    .split('&')
    .filter(Boolean)
    .map((p): [string, string] => {
      const at = p.indexOf('=');
      return at < 0 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
    });
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** One part of the view, or null when the address does not set it. */
export function readView(key: ViewKey): string | null {
  const found = parts().find(([k]) => k === key);
  return found ? decode(found[1]) : null;
}

type ViewChanges = Partial<Record<ViewKey, string | null>>;

/** The fragment with `changes` made and every other part kept, in its order ('' when empty). */
function fragmentWith(changes: ViewChanges): string {
  const next = parts().filter(([k]) => !(k in changes));
  for (const [k, v] of Object.entries(changes)) if (v !== null && v !== undefined) next.push([k, encodeURIComponent(v)]);
  const fragment = next.map(([k, v]) => `${k}=${v}`).join('&');
  return fragment ? `#${fragment}` : '';
}

/** Sets (a string) or removes (null) parts of the view; the others, in their order, stay. */
export function writeView(changes: ViewChanges): void {
  const url = `${location.pathname}${location.search}${fragmentWith(changes)}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
}

/**
 * An in-page link's href to the view with `changes` made (`#range=7d&pod=B-3` from `#range=7d`):
 * a link that opens a pod keeps the chart range, hall and time zone. The page's own click on it
 * calls writeView; the href serves "open in a new tab" and "copy link", as of when it was drawn.
 */
export function viewHref(changes: ViewChanges): string {
  return fragmentWith(changes) || '#';
}
