import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';

/** Issue 16 items 5 and 10: the settings for Host names, money on /metrics, failed authentications and connections. */
describe('issue 16 HTTP settings', () => {
  it('defaults: no extra Host names, money on /metrics, 60 failed authentications a minute, 10,000 connections', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ maxConnections: 10_000, allowedHosts: [] });
    expect(config.metricsMoney).toBe(true);
    expect(config.rateLimits.authFailuresPerMin).toBe(60);
  });

  it('reads ALLOWED_HOSTS as lower-case names or *, and refuses a URL or a host with a port', () => {
    expect(loadConfig({ ALLOWED_HOSTS: ' Headroom.Example.com, grafana-proxy ,*,[::1]' }).http.allowedHosts).toEqual([
      'headroom.example.com',
      'grafana-proxy',
      '*',
      '[::1]',
    ]);
    expect(() => loadConfig({ ALLOWED_HOSTS: 'https://headroom.example.com' })).toThrow(
      /ALLOWED_HOSTS: "https:\/\/headroom\.example\.com" is not a host name/,
    );
    expect(() => loadConfig({ ALLOWED_HOSTS: 'headroom.example.com:8080' })).toThrow(/ALLOWED_HOSTS/);
  });

  it('reads METRICS_MONEY, AUTH_FAILURE_LIMIT_PER_MIN and HTTP_MAX_CONNECTIONS, refusing nonsense', () => {
    const config = loadConfig({ METRICS_MONEY: 'false', AUTH_FAILURE_LIMIT_PER_MIN: '5', HTTP_MAX_CONNECTIONS: '3' });
    expect([config.metricsMoney, config.rateLimits.authFailuresPerMin, config.http.maxConnections]).toEqual([false, 5, 3]);
    expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/HTTP_MAX_CONNECTIONS/);
    expect(() => loadConfig({ METRICS_MONEY: 'maybe' })).toThrow(/METRICS_MONEY/);
  });
});
