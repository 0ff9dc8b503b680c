/**
 * The trends card's controls: live presets, a custom absolute range (two times, checked, the
 * message naming the field), the zone toggle (UTC | local) and, for an absolute range, what it
 * is and a "back to live" button. It reports choices; trends.ts owns the range and the address.
 */
import { h } from '../dom.js';
import { formatInstant, zoneLabel, zoneOffsetMinutes, type Zone } from '../time-axis.js';
import { PRESETS, checkRange, readLocalInput, type Preset, type TimeRange } from '../time-range.js';

export interface TrendControlEvents {
  range(range: TimeRange): void;
  zone(zone: Zone): void;
  /** Back to the live preset last chosen. */
  live(): void;
  nowMs(): number;
}

/** A time as a `datetime-local` value in the zone: `2026-12-01T14:30`. */
const inputValue = (ms: number, zone: Zone): string => formatInstant(ms, zoneOffsetMinutes(zone, ms)).replace(' ', 'T');

export function createTrendControls(on: TrendControlEvents) {
  const presetButtons = PRESETS.map((p) =>
    h('button', { class: 'btn range', type: 'button', 'data-range': p.label, 'data-key': p.key, 'aria-pressed': 'false' }, p.label),
  );
  const custom = h(
    'button',
    { class: 'btn range', type: 'button', 'data-testid': 'range-custom', 'aria-expanded': 'false', 'aria-controls': 'range-form' },
    'custom…',
  );
  const zoneButtons = (['utc', 'local'] as const).map((z) =>
    h('button', { class: 'btn btn-small', type: 'button', 'data-zone': z, 'aria-pressed': 'false' }, z === 'utc' ? 'UTC' : 'local'),
  );
  const ranges = h('div', { class: 'ranges', role: 'group', 'aria-label': 'range' }, ...presetButtons, custom);
  const zones = h('div', { class: 'ranges zone-toggle', role: 'group', 'aria-label': 'time zone of the charts' }, ...zoneButtons);

  const from = h('input', { type: 'datetime-local', id: 'range-from', 'data-testid': 'range-from', step: 60 });
  const to = h('input', { type: 'datetime-local', id: 'range-to', 'data-testid': 'range-to', step: 60 });
  const fromLabel = h('span', {}, 'from');
  const toLabel = h('span', {}, 'to');
  const error = h('p', { class: 'range-error', role: 'alert', 'data-testid': 'range-error', hidden: true });
  const apply = h('button', { class: 'btn btn-small', type: 'submit', 'data-testid': 'range-apply' }, 'show range');
  const form = h(
    'form',
    { class: 'range-form', id: 'range-form', 'aria-label': 'custom range', hidden: true, novalidate: true },
    h('label', { for: 'range-from' }, fromLabel, from),
    h('label', { for: 'range-to' }, toLabel, to),
    apply,
    error,
  );
  const state = h('span', { class: 'range-state', 'data-testid': 'range-state', role: 'status' });
  const backToLive = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'back-to-live', hidden: true }, 'back to live');
  const bar = h('div', { class: 'trend-controls' }, state, backToLive);

  let zone: Zone = 'utc';

  presetButtons.forEach((b, i) => b.addEventListener('click', () => on.range({ kind: 'preset', preset: PRESETS[i]! })));
  zoneButtons.forEach((b) => b.addEventListener('click', () => on.zone(b.dataset.zone === 'local' ? 'local' : 'utc')));
  backToLive.addEventListener('click', () => on.live());
  custom.addEventListener('click', () => {
    form.hidden = !form.hidden;
    custom.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) from.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const nowMs = on.nowMs();
    const check = checkRange(
      readLocalInput(from.value, zone),
      readLocalInput(to.value, zone),
      nowMs,
      `${formatInstant(nowMs, zoneOffsetMinutes(zone, nowMs))} ${zoneLabel(zone, zoneOffsetMinutes(zone, nowMs))}`,
    );
    from.setAttribute('aria-invalid', String(!check.ok && check.field === 'from'));
    to.setAttribute('aria-invalid', String(!check.ok && check.field === 'to'));
    error.hidden = check.ok;
    if (!check.ok) {
      error.textContent = check.message;
      (check.field === 'from' ? from : to).focus();
      return;
    }
    form.hidden = true;
    custom.setAttribute('aria-expanded', 'false');
    on.range(check.range);
  });

  return {
    /** Into the card's head. */
    head: [ranges, zones],
    /** Above the charts. */
    body: [bar, form],
    show(range: TimeRange, lastPreset: Preset, windowMs: { fromMs: number; toMs: number }): void {
      const live = range.kind === 'preset';
      presetButtons.forEach((b) => b.setAttribute('aria-pressed', String(live && b.dataset.key === range.preset.key)));
      custom.setAttribute('aria-pressed', String(!live));
      backToLive.hidden = live;
      backToLive.textContent = `back to live (${lastPreset.label})`;
      const off = (ms: number): number => zoneOffsetMinutes(zone, ms);
      state.dataset.live = String(live);
      state.textContent = live
        ? `live · last ${range.preset.label}, and the forecast ahead · times in ${zoneLabel(zone, off(windowMs.toMs))}`
        : `${formatInstant(windowMs.fromMs, off(windowMs.fromMs))} – ${formatInstant(windowMs.toMs, off(windowMs.toMs))} ${zoneLabel(zone, off(windowMs.toMs))} · fixed range, not live`;
      from.value = inputValue(windowMs.fromMs, zone);
      to.value = inputValue(Math.min(windowMs.toMs, on.nowMs()), zone);
    },
    showZone(next: Zone): void {
      zone = next;
      zoneButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.zone === zone)));
      const nowMs = on.nowMs();
      const label = zoneLabel(zone, zoneOffsetMinutes(zone, nowMs));
      fromLabel.textContent = `from (${label})`;
      toLabel.textContent = `to (${label})`;
    },
  };
}
