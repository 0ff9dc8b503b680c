import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { parseSiteFile, readSiteFile, SiteFileError } from '../../../server/src/config/site-file.js';
import { GPU_MODELS } from '../../../server/src/domain/fleet/gpu-models.js';
import { buildSite } from '../../../server/src/domain/fleet/site-topology.js';
import { gpuCount, podModels } from '../../../server/src/domain/fleet/topology.js';
import { fixture, fixturePath } from '../../fixtures/index.js';

const dir = mkdtempSync(join(tmpdir(), 'headroom-site-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the hand-computed small site file (test/fixtures/sites/small-mixed.yaml)', () => {
  const topology = buildSite({ layout: readSiteFile(fixturePath('sites/small-mixed.yaml')) });

  it('loads into exactly the pods computed by hand: ids, models, fabric kinds, GPUs and full-load watts', () => {
    const pods = topology.pods.map((p) => ({
      id: p.id,
      model: GPU_MODELS[p.modelIndex]?.key,
      fabric: p.fabric,
      nodes: p.nodes.length,
      gpus: p.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.slots.length ?? 0), 0),
      fullLoadWatts: p.nodes.reduce((sum, n) => sum + (topology.nodes[n]?.maxInputWatts ?? 0), 0),
    }));
    expect(pods).toEqual([
      { id: 'leaf-a', model: 'H100-SXM', fabric: 'leaf', nodes: 4, gpus: 32, fullLoadWatts: 40_800 },
      { id: 'leaf-b', model: 'H100-SXM', fabric: 'leaf', nodes: 2, gpus: 16, fullLoadWatts: 20_400 },
      { id: 'nvl72-r03', model: 'GB200', fabric: 'nvlink', nodes: 18, gpus: 72, fullLoadWatts: 131_994 },
    ]);
    expect(gpuCount(topology)).toBe(120);
    expect(topology.site).toEqual({ id: 'small-mixed', name: 'Small mixed site (hand-computed)', feedWatts: 300_000, pue: 1.25 });
    expect(podModels(topology).map((m) => GPU_MODELS[m]?.key)).toEqual(['H100-SXM', 'GB200']);
  });

  it('keeps each node in its own rack while its leaf group straddles two racks', () => {
    const leafA = topology.pods[0]?.nodes.map((n) => [topology.nodes[n]?.host, topology.nodes[n]?.rack]);
    expect(leafA).toEqual([
      ['gpu-h100-001', 'r01'],
      ['gpu-h100-002', 'r01'],
      ['gpu-h100-003', 'r01'],
      ['gpu-h100-004', 'r02'],
    ]);
  });

  it('reads the same site from JSON when the name ends in .json', () => {
    const json = join(dir, 'small-mixed.json');
    writeFileSync(json, JSON.stringify(YAML.parse(fixture('sites/small-mixed.yaml'))));
    expect(readSiteFile(json)).toEqual(readSiteFile(fixturePath('sites/small-mixed.yaml')));
  });
});

describe('SITE_FILE at start', () => {
  it('is read by the config and replaces the preset', () => {
    const file = fixturePath('sites/small-mixed.yaml');
    const config = loadConfig({ SITE_FILE: file });
    expect(config.siteFile?.file).toBe(file);
    expect(config.siteFile?.layout.nodes).toHaveLength(24);
    expect(loadConfig({}).siteFile).toBeNull();
  });

  it('stops the start naming the file, the path and the field', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, fixture('sites/small-mixed.yaml').replace('{ id: r02, hall: h01, row: a }', '{ id: r02, hall: h09, row: a }'));
    expect(() => loadConfig({ SITE_FILE: bad })).toThrow(
      `invalid configuration: SITE_FILE ${bad}: racks[1].hall: "h09" is not a hall (halls: h01)`,
    );
  });

  it('lists every problem of a file with several, each on its line', () => {
    const text = fixture('sites/small-mixed.yaml')
      .replace('model: GB200', 'model: GB999')
      .replace('hall: h01, row: b', 'hall: h02, row: b');
    const error = (() => {
      try {
        parseSiteFile(text, 'site.yaml');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(SiteFileError);
    expect((error as SiteFileError).problems).toEqual([
      'racks[2].hall: "h02" is not a hall (halls: h01)',
      `nodes[2].model: "GB999" is not a GPU model key (known: ${GPU_MODELS.map((m) => m.key).join(', ')})`,
    ]);
    expect((error as SiteFileError).message).toMatch(/^SITE_FILE site.yaml: 2 problems:\n {2}racks\[2\]\.hall: /);
  });

  it('refuses text that is not YAML or JSON, and a file it cannot read, naming the file', () => {
    expect(() => parseSiteFile('site: [', 'a.yaml')).toThrow(/^SITE_FILE a.yaml: not YAML: /);
    expect(() => parseSiteFile('{"site": ', 'a.json')).toThrow(/^SITE_FILE a.json: not JSON: /);
    expect(() => readSiteFile(join(dir, 'missing.yaml'))).toThrow(/^SITE_FILE .*missing.yaml: cannot read: /);
  });
});
