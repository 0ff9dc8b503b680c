import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scrapeConfig } from '../../bench/lib/prometheus.js';
import { loopbackAddress, nodeIndexOfAddress, targetUrl } from '../../bench/lib/targets.js';

describe('loopback node addresses', () => {
  it('gives each of 24,576 nodes its own 127.x address, mapped back to the same node', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 24_576; i++) {
      const address = loopbackAddress(i);
      expect(address).toMatch(/^127\.\d+\.\d+\.\d+$/);
      seen.add(address);
      expect(nodeIndexOfAddress(address)).toBe(i);
    }
    expect(seen.size).toBe(24_576);
  });
  it('never uses 127.0.0.1 (the control address) or a .0/.255 host byte', () => {
    expect(loopbackAddress(0)).toBe('127.1.0.1');
    expect(loopbackAddress(253)).toBe('127.1.0.254');
    expect(loopbackAddress(254)).toBe('127.1.1.1');
    expect(nodeIndexOfAddress('127.0.0.1')).toBe(-1);
  });
  it('accepts the IPv4-mapped form a dual-stack socket reports', () => {
    expect(nodeIndexOfAddress('::ffff:127.1.0.5')).toBe(4);
    expect(targetUrl(4, 9400)).toBe('http://127.1.0.5:9400/metrics');
  });
});

describe('scrapeConfig', () => {
  it('lists every target once under one job at the given interval', () => {
    const addresses = Array.from({ length: 1_000 }, (_, i) => `${loopbackAddress(i)}:9400`);
    const config = parse(scrapeConfig(addresses, 5)) as {
      global: { scrape_interval: string; scrape_timeout: string };
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.global).toEqual({ scrape_interval: '5s', scrape_timeout: '4s' });
    expect(config.scrape_configs).toHaveLength(1);
    expect(config.scrape_configs[0]?.static_configs[0]?.targets).toEqual(addresses);
  });
});
