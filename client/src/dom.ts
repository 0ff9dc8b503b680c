/** A few DOM helpers: the page is plain TypeScript, no framework (small, fast, nothing to install). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** h('div', { class: 'x', 'data-testid': 'y', onclick: fn }, child, …) */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Sets text only when it changed (live updates touch the DOM as little as they can). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A figure the tests can read exactly: the text people see and the raw number behind it. */
export function setFigure(el: HTMLElement, text: string, raw: number | string | null): void {
  setText(el, text);
  const value = raw === null ? '' : String(raw);
  if (el.dataset.value !== value) el.dataset.value = value;
}

/** A section card: title, optional tools on the right, a body that starts as "loading…". */
export function card(id: string, title: string, tools: Child[] = []): { el: HTMLElement; body: HTMLElement; tools: HTMLElement } {
  const toolsEl = h('div', { class: 'card-tools' }, ...tools);
  const body = h('div', { class: 'card-body' }, loading());
  const el = h(
    'section',
    { class: 'card', id, 'data-testid': id, 'aria-busy': 'true' },
    h('header', { class: 'card-head' }, h('h2', {}, title), toolsEl),
    body,
  );
  return { el, body, tools: toolsEl };
}

export function loading(what = 'loading…'): HTMLElement {
  return h(
    'div',
    { class: 'loading', 'data-testid': 'loading' },
    h('span', { class: 'skeleton' }),
    h('span', { class: 'skeleton short' }),
    h('span', { class: 'loading-text' }, what),
  );
}

/** Marks a section drawn (aria-busy off): the first-render measurement waits for all of them. */
export function markLoaded(section: HTMLElement): void {
  if (section.getAttribute('aria-busy') !== 'false') section.setAttribute('aria-busy', 'false');
}
