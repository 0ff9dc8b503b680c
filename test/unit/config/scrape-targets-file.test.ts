import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { parseScrapeTargets } from '../../../server/src/config/scrape-targets-file.js';

const dir = mkdtempSync(join(tmpdir(), 'headroom-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileWith = (text: string, name = `targets-${files++}.txt`): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const urls = (text: string): string[] => parseScrapeTargets(text, 'f').map((t) => t.url);

describe('a targets file of one URL a line', () => {
  it('reads URLs, skipping blank lines and # comments', () => {
    expect(urls('# hall 1\nhttp://node1:9400/metrics\n\n  http://node2:9400/metrics   # rack 7\r\n')).toEqual([
      'http://node1:9400/metrics',
      'http://node2:9400/metrics',
    ]);
  });

  it('names the file, the line and the problem for a bad URL', () => {
    const file = fileWith('http://node1:9400/metrics\nnode2:9400\n');
    expect(() => loadConfig({ SCRAPE_TARGETS_FILE: file })).toThrow(
      `SCRAPE_TARGETS_FILE ${file}: line 2: "node2:9400" is not http or https`,
    );
    expect(() => parseScrapeTargets('http://a/metrics\nnot a url\n', 'f')).toThrow('f: line 2: "not a url" holds a space: one URL a line');
    expect(() => parseScrapeTargets('\n\nhttp//x\n', 'f')).toThrow('f: line 3: "http//x" is not a URL');
  });

  it('refuses a URL listed twice, naming both lines', () => {
    expect(() => parseScrapeTargets('http://a/metrics\nhttp://b/metrics\nhttp://a/metrics\n', 'f')).toThrow(
      'f: line 3: http://a/metrics is listed already (line 1)',
    );
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig({ SCRAPE_TARGETS_FILE: join(dir, 'missing.txt') })).toThrow(
      /SCRAPE_TARGETS_FILE .*missing\.txt: cannot read: ENOENT/,
    );
  });
});

describe('a targets file in Prometheus file_sd JSON', () => {
  it('builds each URL from host:port, __scheme__ and __metrics_path__ (defaults http and /metrics)', () => {
    const text = JSON.stringify([
      { targets: ['node1:9400', 'node2:9400'], labels: { hall: 'h1' } },
      { targets: ['node3:9401'], labels: { __scheme__: 'https', __metrics_path__: '/dcgm' } },
      { targets: ['node4:9400'] },
    ]);
    expect(urls(text)).toEqual([
      'http://node1:9400/metrics',
      'http://node2:9400/metrics',
      'https://node3:9401/dcgm',
      'http://node4:9400/metrics',
    ]);
  });

  it('names the entry and the problem when the structure is wrong', () => {
    expect(() => parseScrapeTargets('[{"targets": ["a:1", 7]}]', 'f')).toThrow('f: file_sd [0].targets[1]: ');
    expect(() => parseScrapeTargets('[{"targets": ["a:1"], "labels": {"bad-name": "x"}}]', 'f')).toThrow(
      'f: file_sd [0].labels.bad-name: ',
    );
    expect(() => parseScrapeTargets('[{"target": ["a:1"]}]', 'f')).toThrow('f: file_sd [0]');
    expect(() => parseScrapeTargets('[{"targets": ["http://a:1/metrics"]}]', 'f')).toThrow(
      'f: file_sd [0].targets[0]: "http://a:1/metrics" is not host:port',
    );
  });

  it('names the line of a JSON syntax error', () => {
    expect(() => parseScrapeTargets('[\n  {"targets": ["a:1"]},\n  {"targets": ["b:1"],}\n]', 'f')).toThrow(
      /^SCRAPE_TARGETS_FILE f: line 3: not valid JSON/,
    );
  });
});

describe('SCRAPE_TARGETS and SCRAPE_TARGETS_FILE together', () => {
  it('scrapes both: the variable’s targets first, then the file’s', () => {
    const file = fileWith('[{"targets": ["node2:9400", "node3:9400"]}]', 'sd.json');
    expect(loadConfig({ SCRAPE_TARGETS: 'http://node1:9400/metrics', SCRAPE_TARGETS_FILE: file }).scrape.targets).toEqual([
      'http://node1:9400/metrics',
      'http://node2:9400/metrics',
      'http://node3:9400/metrics',
    ]);
  });

  it('refuses a target in both, naming both places', () => {
    const file = fileWith('http://node2:9400/metrics\nhttp://node1:9400/metrics\n');
    expect(() => loadConfig({ SCRAPE_TARGETS: 'http://node1:9400/metrics', SCRAPE_TARGETS_FILE: file })).toThrow(
      `invalid configuration: SCRAPE_TARGETS_FILE ${file}: line 2: http://node1:9400/metrics is listed already (SCRAPE_TARGETS entry 1)`,
    );
  });

  it('carries a Colossus fleet: 24,576 targets from one file', () => {
    const file = fileWith(Array.from({ length: 24_576 }, (_, i) => `http://node${i}:9400/metrics`).join('\n'));
    expect(loadConfig({ SCRAPE_TARGETS_FILE: file }).scrape.targets).toHaveLength(24_576);
  });
});

describe('SCRAPE_MAX_CONNECTIONS', () => {
  it('is taken as given, and defaults to a positive bound below the open-file limit', () => {
    expect(loadConfig({ SCRAPE_MAX_CONNECTIONS: '300' }).scrape.maxConnections).toBe(300);
    expect(loadConfig({}).scrape.maxConnections).toBeGreaterThanOrEqual(64);
    expect(() => loadConfig({ SCRAPE_MAX_CONNECTIONS: '0' })).toThrow(/SCRAPE_MAX_CONNECTIONS/);
  });
});
