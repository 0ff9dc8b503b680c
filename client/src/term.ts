import { h } from './dom.js';

let next = 0;

/**
 * A figure's name that explains itself: focusable, with its definition in a tooltip shown on hover
 * and on keyboard focus (headline.css) and linked by aria-describedby, so a screen reader reads it
 * too. Escape hides it until the term loses focus (WCAG 1.4.13: dismissible without moving focus).
 */
export function term(name: string, definition: string, ...value: Array<Node | string>): HTMLElement {
  const id = `term-def-${++next}`;
  const el = h(
    'span',
    {
      class: 'term',
      tabindex: 0,
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
