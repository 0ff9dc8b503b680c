import type { Config } from '../config.js';
import type { AppDeps } from '../outputs/http/deps.js';

/** What the HTTP app takes straight from the config: limits, the site's description, access settings. */
export function httpSettings(
  config: Config,
  parts: { version: string; simulated: boolean; auth: Pick<AppDeps['auth'], 'tokens' | 'audit'> },
): Pick<AppDeps, 'limits' | 'info' | 'auth'> {
  return {
    limits: { maxBodyBytes: config.limits.maxBodyBytes },
    info: {
      version: parts.version,
      simulated: parts.simulated,
      scenario: parts.simulated ? config.sim.scenario : null,
      preset: config.preset,
    },
    auth: {
      ...parts.auth,
      publicRead: config.auth.publicRead,
      corsOrigins: config.auth.corsOrigins,
      rateLimits: config.rateLimits,
      wallNow: Date.now,
    },
  };
}
