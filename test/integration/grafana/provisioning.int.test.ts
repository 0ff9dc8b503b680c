import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_PROVIDER_FILE, DATASOURCE_FILE, provisionedDatasourceUid } from './grafana-files.js';

/**
 * The provisioning files are read by Grafana as they are; these checks pin what Grafana's
 * provisioning format needs and what the dashboards rely on.
 */
const datasource = readFileSync(DATASOURCE_FILE, 'utf8');
const provider = readFileSync(DASHBOARD_PROVIDER_FILE, 'utf8');
const uncommented = (yaml: string) => yaml.replace(/^\s*#.*$/gm, '');

describe('the datasource provisioning file', () => {
  it('declares one Prometheus datasource with the uid the dashboards use', () => {
    expect(uncommented(datasource)).toMatch(/^apiVersion: 1$/m);
    expect(uncommented(datasource)).toMatch(/^\s+type: prometheus$/m);
    expect(provisionedDatasourceUid()).toBe('headroom-prometheus');
  });

  it('takes its URL from $PROMETHEUS_URL in a form Grafana expands', () => {
    // Grafana runs provisioning values through Go's os.ExpandEnv: ${VAR} works, ${VAR:-default}
    // would look up a variable literally named "PROMETHEUS_URL:-…" and yield an empty URL.
    expect(uncommented(datasource)).toMatch(/^\s+url: \$\{PROMETHEUS_URL\}$/m);
    expect(uncommented(datasource)).not.toContain(':-');
  });

  it('tells Grafana the scrape interval, which $__rate_interval derives from', () => {
    expect(uncommented(datasource)).toMatch(/^\s+timeInterval: 15s$/m);
  });
});

describe('the dashboard provider file', () => {
  it('is a file provider reading a dashboards directory into a Headroom folder', () => {
    const yaml = uncommented(provider);
    expect(yaml).toMatch(/^apiVersion: 1$/m);
    expect(yaml).toMatch(/^\s+type: file$/m);
    expect(yaml).toMatch(/^\s+folder: Headroom$/m);
    expect(yaml).toMatch(/^\s+path: \/\S+$/m);
  });
});
