/**
 * Debian's Prometheus as a benchmark baseline: a scrape config for node endpoints, and the
 * process started on loopback with its own TSDB folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked, waitForUrl, type Tracked } from './processes.js';

/** The prometheus binary on PATH, or null. */
export function findPrometheus(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export function prometheusVersion(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** prometheus.yml scraping `addresses` (host:port) at `intervalS`, no rules, no self-scrape. */
export function scrapeConfig(addresses: readonly string[], intervalS: number): string {
  const timeoutS = Math.max(1, intervalS - 1);
  return [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  scrape_timeout: ${timeoutS}s`,
    'scrape_configs:',
    '  - job_name: dcgm',
    '    static_configs:',
    '      - targets:',
    ...addresses.map((a) => `          - '${a}'`),
    '',
  ].join('\n');
}

export async function startPrometheusProcess(binary: string, dir: string, config: string, port: number): Promise<Tracked> {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const proc = spawnTracked('prometheus', binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  await waitForUrl(`http://127.0.0.1:${port}/-/ready`, proc, 30_000);
  return proc;
}
