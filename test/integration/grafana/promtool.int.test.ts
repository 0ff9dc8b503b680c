import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hasBinary } from '../metrics/promtool.js';
import { dashboardQueries, interpolateQuery, PROMETHEUS_CONFIG, RULE_FILES } from './metric-families.js';
import { readRuleFile } from './rule-files.js';

/**
 * Prometheus's own checker (Debian package `prometheus`, 2.42) on the files we ship: the
 * config, both rule files (PromQL and annotation templates), and every dashboard query.
 */
const hasPromtool = hasBinary('promtool');
const run = promisify(execFile);

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'headroom-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!hasPromtool)('promtool on the Prometheus files', () => {
  it('accepts prometheus.yml, with both rule files resolved next to it', async () => {
    const { code, output } = await promtool('check', 'config', PROMETHEUS_CONFIG);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS: 2 rule files found');
    const ruleFiles = readFileSync(PROMETHEUS_CONFIG, 'utf8').match(/^rule_files:\n((?:\s+- .+\n)+)/m)?.[1] ?? '';
    const listed = [...ruleFiles.matchAll(/- (\S+)/g)].map((m) => join(dirname(PROMETHEUS_CONFIG), m[1] ?? ''));
    expect(listed.sort()).toEqual(Object.values(RULE_FILES).sort());
  });

  it.each(Object.entries(RULE_FILES))('accepts the %s rules, and reads as many as the test parser', async (_kind, file) => {
    const { code, output } = await promtool('check', 'rules', file);
    expect(code, output).toBe(0);
    // Guards the hand-rolled YAML reader the other suites use.
    const found = Number(/SUCCESS: (\d+) rules found/.exec(output)?.[1]);
    expect(readRuleFile(file)).toHaveLength(found);
  });

  it('fails a rule file with a bad template, so the check above means something', async () => {
    const broken = join(scratch, 'broken-alerts.yml');
    writeFileSync(broken, readFileSync(RULE_FILES.alerting, 'utf8').replace('| humanizeDuration }}', '| humanizeDurationz }}'));
    const { code, output } = await promtool('check', 'rules', broken);
    expect(code).not.toBe(0);
    expect(output).toContain('humanizeDurationz');
  });

  it('parses every dashboard query, for one site, several and All', async () => {
    // promtool has no expression checker; recording rules are parsed by Prometheus's own parser.
    const queries = dashboardQueries();
    const exprs = queries.flatMap((q) =>
      [['alpha'], ['alpha', 'beta.eu'], 'all' as const].map((sites) => interpolateQuery(q.expr, { sites })),
    );
    const file = join(scratch, 'dashboard-queries.yml');
    const rules = exprs.map((e, i) => `      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(e)}\n`).join('');
    writeFileSync(file, `groups:\n  - name: ${basename(file)}\n    rules:\n${rules}`);
    const { code, output } = await promtool('check', 'rules', file);
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
