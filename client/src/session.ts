/**
 * Who this browser is to the server: the API token it keeps (localStorage), how it arrives
 * (`/#token=…`, the link the server prints at first start, as Jupyter does, or pasted into the
 * sign-in prompt) and what the server says about it (GET /api/v1/whoami).
 */

import type { WhoAmI } from '@protocol/tokens';

const KEY = 'headroom.token';
const SIGN_IN_NEEDED = 'headroom:sign-in-needed';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** GET /api/v1/whoami (the server's protocol/tokens.ts). `reason` is read when a server sends one for a token it refused. */
export type { WhoAmI };

/** Where the token lives when localStorage is refused (storage disabled): this page only. */
let memory: string | null = null;

export function readToken(): string | null {
  try {
    return localStorage.getItem(KEY) ?? memory;
  } catch {
    return memory;
  }
}

export function saveToken(token: string): void {
  memory = token;
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the token lasts as long as this page.
  }
}

export function forgetToken(): void {
  memory = null;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing was stored.
  }
}

/**
 * Takes `token=` out of the address's fragment, keeps it, and rewrites the address without it
 * (replaceState: it stays out of history, bookmarks, screenshots and shared links). Other
 * fragment parts (`pod=…`) stay. The fragment is split by hand rather than with
 * URLSearchParams, which reads `+` as a space: HEADROOM_ADMIN_TOKEN may be any string.
 * Returns the token taken, or null when the fragment had none.
 */
export function takeTokenFromUrl(): string | null {
  const parts = location.hash.replace(/^#/, '').split('&').filter(Boolean);
  const at = parts.findIndex((p) => p.startsWith('token='));
  if (at < 0) return null;
  const raw = parts[at]?.slice('token='.length) ?? '';
  parts.splice(at, 1);
  history.replaceState(history.state, '', `${location.pathname}${location.search}${parts.length ? `#${parts.join('&')}` : ''}`);
  const token = decodeOr(raw).trim();
  if (token === '') return null;
  saveToken(token);
  return token;
}

/** A pasted token, or a pasted sign-in link (`…/#token=…`), or `Bearer …`: the token alone. */
export function tokenFromInput(text: string): string {
  const trimmed = text.trim();
  const fromLink = /[#&]token=([^&\s]+)/.exec(trimmed)?.[1];
  if (fromLink) return decodeOr(fromLink);
  return trimmed.replace(/^Bearer\s+/i, '');
}

function decodeOr(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The Authorization header for fetch, empty without a token (public reads). */
export function authHeaders(token: string | null = readToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export const hasRole = (who: WhoAmI | null, role: Role): boolean =>
  who?.authenticated === true && ROLES.indexOf(who.role) >= ROLES.indexOf(role);

/**
 * Tells the page the server refused this browser (REST 401 or the live handshake) with its reason.
 * A DOM event, so the REST helpers and the socket need not know the prompt.
 */
export function signInNeeded(serverReason: string): void {
  window.dispatchEvent(new CustomEvent<string>(SIGN_IN_NEEDED, { detail: serverReason }));
}

export function onSignInNeeded(listener: (serverReason: string) => void): void {
  window.addEventListener(SIGN_IN_NEEDED, (event) => listener(String((event as CustomEvent<unknown>).detail ?? '')));
}
