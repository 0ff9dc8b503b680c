/**
 * Benchmark 12 — a site file of 50,000 nodes (SITE_FILE, docs/site-file.md) read, parsed,
 * checked and built into a topology, as the server does at start: 1,000 GB200 NVL72 racks (18
 * trays each, one NVLink domain per rack), 24,000 DGX H100 nodes under 750 InfiniBand leaves of
 * 32, 8,000 HGX H200 nodes in 250 scalable units of 32, over 10 halls. Three files of that site:
 * YAML with Slurm hostlist patterns (`gb-0001-t[01-18]`, the form npm run site:from-netbox
 * writes), and YAML and JSON with every host written out by name. Each timed from readFileSync
 * to the built topology; median of the runs after one warm-up.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import YAML from 'yaml';
import { parseSiteFile } from '../../../server/src/config/site-file.js';
import { compressHostlist } from '../../../server/src/domain/scheduler/hostlist.js';
import { resolveSiteLayout } from '../../../server/src/domain/fleet/site-layout.js';
import { buildSiteTopology } from '../../../server/src/domain/fleet/site-topology.js';
import { gpuCount } from '../../../server/src/domain/fleet/topology.js';
import { benchMain } from '../lib/child.js';
import { median } from '../lib/stats.js';

const HALLS = 10;
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** The 50,000-node site file as a plain object. */
function bigSite() {
  const racks: Array<{ id: string; hall: string; row: string }> = [];
  const nodes: Array<{ hosts: string[]; rack: string; model: string; gpus: number }> = [];
  const fabrics: Array<{ id: string; kind: string; racks?: string[]; hosts?: string[] }> = [];
  const rack = (id: string, n: number): string => {
    racks.push({ id, hall: `h${pad((n % HALLS) + 1, 2)}`, row: `row-${pad(Math.floor(n / 40), 3)}` });
    return id;
  };
  for (let r = 0; r < 1_000; r++) {
    const id = rack(`nvl-${pad(r, 4)}`, r);
    nodes.push({ hosts: Array.from({ length: 18 }, (_, t) => `gb-${pad(r, 4)}-t${pad(t + 1, 2)}`), rack: id, model: 'GB200', gpus: 4 });
    fabrics.push({ id: `${id}-nvlink`, kind: 'nvlink', racks: [id] });
  }
  const hgx = (prefix: string, model: string, groups: number, kind: string): void => {
    for (let g = 0; g < groups; g++) {
      const members: string[] = [];
      // 8 racks of 4 nodes a group, all in one hall.
      for (let k = 0; k < 8; k++) {
        const id = rack(`${prefix}-${pad(g, 4)}-r${k + 1}`, g);
        const hosts = Array.from({ length: 4 }, (_, n) => `${prefix}-${pad(g, 4)}-${pad(k * 4 + n + 1, 2)}`);
        nodes.push({ hosts, rack: id, model, gpus: 8 });
        members.push(...hosts);
      }
      fabrics.push({ id: `${prefix}-${kind}-${pad(g, 4)}`, kind, hosts: members });
    }
  };
  hgx('h100', 'H100-SXM', 750, 'leaf');
  hgx('h200', 'H200-SXM', 250, 'scalable-unit');
  return {
    site: { id: 'bench-50k', name: '50,000-node site file', feedMW: 450, pue: 1.2 },
    halls: Array.from({ length: HALLS }, (_, h) => ({ id: `h${pad(h + 1, 2)}` })),
    racks,
    nodes,
    fabrics,
  };
}

/** The same site with each node entry's and fabric unit's hosts folded into a hostlist pattern. */
function withPatterns(site: ReturnType<typeof bigSite>): Record<string, unknown> {
  const fold = <T extends { hosts?: string[] }>(item: T) => (item.hosts ? { ...item, hosts: compressHostlist(item.hosts) } : item);
  return { ...site, nodes: site.nodes.map(fold), fabrics: site.fabrics.map(fold) };
}

benchMain(async ({ quick, workDir }) => {
  const dir = join(workDir, 'b12');
  mkdirSync(dir, { recursive: true });
  const site = bigSite();
  const files = { patterns: join(dir, 'site-50k-patterns.yaml'), yaml: join(dir, 'site-50k.yaml'), json: join(dir, 'site-50k.json') };
  writeFileSync(files.patterns, YAML.stringify(withPatterns(site)));
  writeFileSync(files.yaml, YAML.stringify(site));
  writeFileSync(files.json, JSON.stringify(site));
  const runs = quick ? 3 : 7;
  const load = (file: string): { ms: number; nodes: number; gpus: number; pods: number } => {
    const t0 = performance.now();
    const topology = buildSiteTopology(parseSiteFile(readFileSync(file, 'utf8'), file));
    const ms = performance.now() - t0;
    return { ms, nodes: topology.nodes.length, gpus: gpuCount(topology), pods: topology.pods.length };
  };
  for (const file of Object.values(files)) load(file);
  const patternsMs: number[] = [];
  const yamlMs: number[] = [];
  const jsonMs: number[] = [];
  let shape = { nodes: 0, gpus: 0, pods: 0 };
  for (let i = 0; i < runs; i++) {
    const p = load(files.patterns);
    patternsMs.push(p.ms);
    yamlMs.push(load(files.yaml).ms);
    jsonMs.push(load(files.json).ms);
    const { nodes, gpus, pods } = p;
    shape = { nodes, gpus, pods };
  }
  // Where the YAML load's time goes: parse, check, build.
  const text = readFileSync(files.yaml, 'utf8');
  const t0 = performance.now();
  const parsed: unknown = loadYaml(text);
  const t1 = performance.now();
  const resolved = resolveSiteLayout(parsed);
  const t2 = performance.now();
  if (!resolved.ok) throw new Error(resolved.problems.join('\n'));
  buildSiteTopology(resolved.layout);
  const t3 = performance.now();
  return {
    metrics: {
      patternsMs: median(patternsMs),
      yamlMs: median(yamlMs),
      jsonMs: median(jsonMs),
      yamlParseMs: t1 - t0,
      checkMs: t2 - t1,
      buildMs: t3 - t2,
      patternsBytes: readFileSync(files.patterns).length,
      yamlBytes: Buffer.byteLength(text),
      jsonBytes: readFileSync(files.json).length,
      ...shape,
    },
    samples: { patternsMs, yamlMs, jsonMs },
  };
});
