import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { SiteSource } from '../domain/fleet/site-topology.js';
import type { Topology } from '../domain/fleet/topology.js';

export interface StartOptions {
  /** Run collection rounds on a timer (off in tests that drive rounds themselves). */
  autoCollect?: boolean;
  log?: Logger;
  /** Build the dashboard first when its build is missing or stale (npm start); else serve it if built. */
  buildClient?: boolean;
  /** At stop, how long the server still answers new requests (with Connection: close) before it stops accepting (npm start: main.ts). */
  drainGraceMs?: number;
  /** Where the admin token made at first start is shown (stdout by default: it must not depend on LOG_LEVEL). */
  announce?: (text: string) => void;
  /** Tests: a site of their own in place of the preset (a fresh copy per call: the collector, simulator and backfill each get one). */
  topology?: () => Topology;
}

/** SITE_ID / SITE_NAME rename the preset's site: two processes of one preset are two sites. */
export function siteOverride(config: Config): { id?: string; name?: string } {
  return { ...(config.site.id ? { id: config.site.id } : {}), ...(config.site.name ? { name: config.site.name } : {}) };
}

/** SITE_FILE's layout when given, else the preset. */
export function siteSource(config: Config): SiteSource {
  return config.siteFile ? { layout: config.siteFile.layout } : { preset: config.preset };
}

/** What the `preset` label and the home page name: the preset, or `site-file` when SITE_FILE replaces it. */
export function presetName(config: Config): string {
  return config.siteFile ? 'site-file' : config.preset;
}
