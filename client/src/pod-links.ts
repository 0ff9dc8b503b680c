import { viewHref } from './url-state.js';

const linkOf = (event: Event): HTMLAnchorElement | null =>
  event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('a.pod-link[data-pod]') : null;

/**
 * In-page pod links (`<a class="pod-link" data-pod="…">`, the sellable table's) open the pod and
 * keep the rest of the view (range, hall, time zone): the page writes the fragment itself rather
 * than let the href replace it. `open` returns false for a pod it does not know (the click then
 * goes its ordinary way). With Ctrl, ⌘ or Shift the browser opens its new tab, from an href kept
 * current as the pointer or the focus reaches the link.
 */
export function followPodLinks(root: HTMLElement, open: (pod: string) => boolean): void {
  root.addEventListener('click', (event) => {
    const link = linkOf(event);
    if (!link?.dataset.pod || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (open(link.dataset.pod)) event.preventDefault();
  });
  for (const type of ['pointerover', 'focusin'])
    root.addEventListener(type, (event) => {
      const link = linkOf(event);
      if (link?.dataset.pod) link.href = viewHref({ pod: link.dataset.pod });
    });
}
