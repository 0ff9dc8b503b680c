import { h } from './dom.js';
import { readView, writeView } from './url-state.js';

/** The colour theme: dark (the control room's), light (an office, paper), or the system's choice. */
export const THEMES = ['dark', 'light', 'system'] as const;
export type Theme = (typeof THEMES)[number];

const STORAGE_KEY = 'headroom.theme';
const isTheme = (v: string | null): v is Theme => v !== null && (THEMES as readonly string[]).includes(v);
const prefersLight = window.matchMedia('(prefers-color-scheme: light)');

/**
 * The address's `theme=` first (a shared link shows what its sender saw), then this browser's last
 * choice, else dark: the control room's, and what a wall screen with no one to choose shows.
 */
function chosen(): Theme {
  const fromUrl = readView('theme');
  if (isTheme(fromUrl)) return fromUrl;
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (isTheme(kept)) return kept;
  } catch {
    // Storage refused (a private window's policy): the default.
  }
  return 'dark';
}

/** Sets `html[data-theme]` to dark or light; the CSS custom properties follow it (styles.css). */
function apply(theme: Theme): void {
  const resolved = theme === 'system' ? (prefersLight.matches ? 'light' : 'dark') : theme;
  document.documentElement.dataset.theme = resolved;
  document.documentElement.dataset.themeChoice = theme;
}

/**
 * Applies the theme at once (before the first paint of the sections) and returns its control: a
 * labelled select, one Tab stop. A choice goes into the address (`theme=`; dark, the default, clears
 * it) and into localStorage.
 */
export function createThemeControl(): HTMLElement {
  let theme = chosen();
  apply(theme);
  prefersLight.addEventListener('change', () => apply(theme));
  const select = h(
    'select',
    { id: 'theme-select', 'data-testid': 'theme-select' },
    ...THEMES.map((t) => h('option', { value: t, selected: t === theme }, t)),
  );
  select.addEventListener('change', () => {
    if (!isTheme(select.value)) return;
    theme = select.value;
    apply(theme);
    writeView({ theme: theme === 'dark' ? null : theme });
    try {
      localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      // Not kept across visits; the address still carries it.
    }
  });
  return h('span', { class: 'theme-control' }, h('label', { for: 'theme-select' }, 'Theme'), select);
}
