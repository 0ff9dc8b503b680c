import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../server/src/config/site-file.js';
import { GPU_MODELS } from '../../server/src/domain/fleet/gpu-models.js';
import { buildSite } from '../../server/src/domain/fleet/site-topology.js';
import { fixturePath } from '../fixtures/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm run site:from-netbox -- …`'s own command, on the NetBox export in test/fixtures/sites/netbox/. */
function convert(...extra: string[]) {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/src/cli/site-from-netbox.ts',
      ...['--racks', fixturePath('sites/netbox/racks.json'), '--devices', fixturePath('sites/netbox/devices.json')],
      ...['--feed-mw', '0.5', '--pue', '1.3', '--model', 'dgx-h100=H100-SXM', '--model', 'gb200-nvl72-compute-tray=GB200'],
      ...extra,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run site:from-netbox', () => {
  it('turns a NetBox racks and devices export into a site file that loads into its fabric units', () => {
    const run = convert();
    expect(run.status, run.stderr).toBe(0);
    const topology = buildSite({ layout: parseSiteFile(run.stdout, 'site.yaml') });
    expect(topology.site).toEqual({ id: 'dc1', name: 'DC 1', feedWatts: 500_000, pue: 1.3 });
    expect(topology.halls.map((h) => h.id)).toEqual(['hall-1']);
    const pods = topology.pods.map((p) => [
      p.id,
      GPU_MODELS[p.modelIndex]?.key,
      p.fabric,
      p.nodes.map((n) => topology.nodes[n]?.host).join(' '),
      p.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.slots.length ?? 0), 0),
    ]);
    expect(pods).toEqual([
      ['leaf-1', 'H100-SXM', 'leaf', 'dgx-a01-01 dgx-a01-02 dgx-a02-01', 24],
      ['leaf-2', 'H100-SXM', 'leaf', 'dgx-a02-02', 8],
      ['A03', 'H200-SXM', 'pod', 'hgx-a03-01', 8],
      ['B01-nvl', 'GB200', 'nvlink', expect.stringMatching(/^b01-tray01 b01-tray02 .* b01-tray18$/), 72],
    ]);
    expect(run.stderr).toContain('left out, status planned: hgx-a03-02');
    expect(run.stderr).toContain(
      'left out, no GPU model (device type nvlink-switch-tray; custom field gpu_model or --model): b01-nvsw[1-9]',
    );
    expect(run.stderr).toContain('23 nodes, 112 GPUs, 4 pods; 34 devices read');
  });

  it('writes JSON with --json, the same site', () => {
    const yaml = convert();
    const json = convert('--json');
    expect(json.status).toBe(0);
    expect(parseSiteFile(json.stdout, 'site.json')).toEqual(parseSiteFile(yaml.stdout, 'site.yaml'));
  });

  it('refuses to print a site file that would not load, naming the problem', () => {
    // A later --model for a device type wins: the DGX nodes become a model key the table lacks.
    const run = convert('--model', 'dgx-h100=H100:8');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the converted site file is not valid:\n {2}nodes\[0\]\.model: "H100" is not a GPU model key/);
    expect(run.stdout).toBe('');
  });
});
