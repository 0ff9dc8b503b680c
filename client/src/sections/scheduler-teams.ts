import { h } from '../dom.js';
import { formatAge, formatCount, formatUsd, plural } from '../format.js';
import type { TenantsView } from '../scheduler-figures.js';

/**
 * Held by team: per internal team its busy and held GPUs as one bar (busy orange, held reddish purple,
 * each with its number written beside it, so colour is never the only sign), the held GPUs' value a
 * month, and a note when some have been held past the threshold. Teams come held-first from the API.
 */
export function heldByTeam(tenants: TenantsView | null): HTMLElement {
  const head = h('h3', { class: 'sched-sub' }, 'Held by team');
  if (!tenants)
    return h('div', { class: 'sched-teams' }, head, h('p', { class: 'fig-note' }, 'No tenants configured: GPUs are not told by team.'));
  if (!tenants.teams.length)
    return h('div', { class: 'sched-teams' }, head, h('p', { class: 'fig-note' }, 'No internal team holds GPUs now.'));
  const scale = Math.max(1, ...tenants.teams.map((t) => t.busy + t.held));
  const threshold = formatAge(tenants.crossChecks.heldThresholdSeconds * 1000).replace(/ 0 (min|s)$/, '');
  const rows = tenants.teams.map((t) => {
    const over = t.heldOverThreshold > 0;
    return h(
      'li',
      { class: 'team-row', 'data-team': t.team },
      h('span', { class: 'team-name' }, t.team),
      h(
        'span',
        { class: 'team-bar', role: 'img', 'aria-label': `${t.team}: ${formatCount(t.busy)} busy, ${formatCount(t.held)} held` },
        h('span', { class: 'team-seg seg-busy', style: `width:${(t.busy / scale) * 100}%` }),
        h('span', { class: 'team-seg seg-held', style: `width:${(t.held / scale) * 100}%` }),
      ),
      h(
        'span',
        { class: 'team-figures' },
        h('span', { 'data-testid': 'team-busy', 'data-value': t.busy }, `${formatCount(t.busy)} busy`),
        ' · ',
        h('span', { 'data-testid': 'team-held', 'data-value': t.held }, `${formatCount(t.held)} held`),
        t.heldValueUsdPerMonth === null || t.held === 0
          ? null
          : h(
              'span',
              { class: 'team-value', 'data-testid': 'team-held-value', 'data-value': t.heldValueUsdPerMonth },
              ` · ${formatUsd(t.heldValueUsdPerMonth)}/mo held`,
            ),
      ),
      over
        ? h(
            'span',
            { class: 'team-note', 'data-testid': 'team-over', 'data-value': t.heldOverThreshold },
            `⚠ ${plural(t.heldOverThreshold, 'GPU')} held over ${threshold}`,
          )
        : null,
    );
  });
  const { internal, unattributed } = tenants.classes;
  return h(
    'div',
    { class: 'sched-teams' },
    head,
    h(
      'p',
      { class: 'table-summary' },
      `internal ${formatCount(internal.busy)} busy · ${formatCount(internal.held)} held`,
      unattributed.busy + unattributed.held > 0 ? ` · unattributed ${formatCount(unattributed.busy + unattributed.held)}` : '',
      ` · told by ${tenants.source}`,
    ),
    h('ul', { class: 'team-list', 'data-testid': 'held-by-team' }, ...rows),
    h(
      'p',
      { class: 'legend-line' },
      h('span', { class: 'key key-busy' }),
      ' busy ',
      h('span', { class: 'key key-held' }),
      ' held (allocated, not computing)',
    ),
  );
}
