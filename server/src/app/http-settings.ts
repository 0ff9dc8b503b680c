import type { Config } from '../config.js';
import type { AppDeps } from '../outputs/http/deps.js';
import { hostPolicy, hostRefusal } from '../outputs/http/host-check.js';
import type { LiveAccessDeps } from '../outputs/live/live-access.js';
import type { TokenService } from '../services/auth/token-service.js';
import { presetName } from './start-options.js';

const hostsOf = (config: Config) =>
  hostPolicy({ host: config.host, externalUrl: config.externalUrl, allowedHosts: config.http.allowedHosts });

/** What the HTTP app takes straight from the config: limits, the site's description, access settings. */
export function httpSettings(
  config: Config,
  parts: { version: string; simulated: boolean; auth: Pick<AppDeps['auth'], 'tokens' | 'audit'> },
): Pick<AppDeps, 'limits' | 'hosts' | 'info' | 'auth'> {
  return {
    limits: { maxBodyBytes: config.limits.maxBodyBytes },
    hosts: hostsOf(config),
    info: {
      version: parts.version,
      simulated: parts.simulated,
      scenario: parts.simulated ? config.sim.scenario : null,
      preset: presetName(config),
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

/** What the live view's gate takes from the config: the same tokens, public reads, origins, limits and Host names as the API. */
export function liveAccessSettings(config: Config, tokens: Pick<TokenService, 'authenticate'>): LiveAccessDeps {
  const hosts = hostsOf(config);
  return {
    authenticate: tokens.authenticate,
    publicRead: config.auth.publicRead,
    corsOrigins: config.auth.corsOrigins,
    ...config.live,
    hostRefusal: (host) => hostRefusal(hosts, host),
  };
}
