import { h } from './dom.js';

let next = 0;

/**
 * A figure's name that explains itself: focusable, with its definition in a tooltip shown on hover
 * and on keyboard focus (headline.css) and linked by aria-describedby, so a screen reader reads it
 * too. Escape hides it until the term loses focus (WCAG 1.4.13: dismissible without moving focus).
 */
export function term(name: string, definition: string, ...value: Array<Node | string>): HTMLElement {
  return definedTerm(name, definition, true, ...value);
}

/**
 * As `term`, but not a Tab stop (hover and screen readers only): for a legend repeated beside
 * terms that are, so the keyboard reaches the charts within 15 Tabs (issue 17).
 */
export function legendTerm(name: string, definition: string): HTMLElement {
  return definedTerm(name, definition, false);
}

function definedTerm(name: string, definition: string, focusable: boolean, ...value: Array<Node | string>): HTMLElement {
  const id = `term-def-${++next}`;
  const el = h(
    'span',
    {
      class: 'term',
      ...(focusable ? { tabindex: 0 } : {}),
      'aria-describedby': id,
      'data-term': name,
      onkeydown: (event: Event) => {
        if ((event as KeyboardEvent).key === 'Escape') el.classList.add('term-dismissed');
      },
      onfocusout: () => el.classList.remove('term-dismissed'),
      onmouseleave: () => el.classList.remove('term-dismissed'),
    },
    h('span', { class: 'term-name' }, name),
    ...value,
    h('span', { class: 'term-def', role: 'tooltip', id }, definition),
  );
  return el;
}
