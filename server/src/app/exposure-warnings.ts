import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { hostPolicy } from '../outputs/http/host-check.js';

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * Warnings at start for settings that show more than intended: /metrics open to the network
 * (it carries contract revenue and value unless METRICS_MONEY=false), and, bound to every
 * interface with no name configured, any Host accepted (DNS rebinding; host-check.ts).
 */
export function warnOfExposure(config: Config, log: { warn: (obj: object, msg: string) => void }): void {
  const metricsOpen = config.metricsAuth.bearerToken === null && config.metricsAuth.basic === null;
  if (metricsOpen && !isLoopback(config.host)) {
    log.warn(
      { host: config.host, money: config.metricsMoney },
      `/metrics is open without credentials on ${config.host}${config.metricsMoney ? ', with contract revenue and value per customer' : ''}: set METRICS_BEARER_TOKEN or METRICS_BASIC_AUTH${config.metricsMoney ? ', or METRICS_MONEY=false' : ''}`,
    );
  }
  const policy = hostPolicy({ host: config.host, externalUrl: config.externalUrl, allowedHosts: config.http.allowedHosts });
  if (policy.anyHost) {
    log.warn(
      { host: config.host },
      'any Host header is accepted, so a DNS-rebinding page in a browser can read what needs no token here: set EXTERNAL_URL or ALLOWED_HOSTS to the names people use',
    );
  }
}
