import type { ZodIssue } from 'zod';
import { expandHostlist } from '../scheduler/hostlist.js';
import { GPU_MODELS } from './gpu-models.js';
import { NODE_SPECS } from './node-specs.js';
import { siteFileSchema, type SiteFile } from './site-file-schema.js';
import type { FabricKind, Site } from './topology.js';

/**
 * A site file checked and resolved: every host expanded, placed in one rack, hall and pod, with
 * its model and power. Plain data (structured-cloneable), so the backfill worker rebuilds the
 * same topology from it (site-topology.ts) without reading the file again.
 */
export interface SiteLayout {
  site: Site;
  halls: string[];
  pods: Array<{ id: string; hallIndex: number; modelIndex: number; fabric: FabricKind }>;
  /** In rack order (racks as the file lists them, nodes as their entries do); pods hold them in that order. */
  nodes: Array<{
    host: string;
    hallIndex: number;
    podIndex: number;
    rack: string;
    modelIndex: number;
    gpus: number;
    maxInputWatts: number;
    baseWatts: number;
  }>;
}

export type SiteLayoutResult = { ok: true; layout: SiteLayout } | { ok: false; problems: string[] };

/** Enough to fix a file in a few passes without flooding the log. */
const MAX_PROBLEMS = 20;

/**
 * For models with no node spec: the DGX H100's ratios — 10,200 W maximum input for 8 × 700 W of
 * GPUs, 2,000 W base for 8 GPUs (250 W a GPU). docs/site-file.md states the rule.
 */
const NO_SPEC_INPUT_PER_GPU_WATT = 10_200 / 5_600;
const NO_SPEC_BASE_WATTS_PER_GPU = 250;

/**
 * Checks a parsed site file (the value YAML or JSON gave) and resolves it into a layout. Each
 * problem names its path and field (`racks[3].hall: "h09" is not a hall`); the first
 * MAX_PROBLEMS are returned. Refused: schema breaks, a duplicate hall, rack or fabric id, a rack
 * in no hall, a node in an unknown rack, an unknown model key (the known ones listed), a host
 * listed twice (a node in two racks), a fabric unit spanning GPU models or halls, a node in two
 * fabric units, a fabric unit with no node, two pods of one id.
 *
 * Pods: each fabric unit is one pod of its kind; the nodes of a rack in no fabric unit make one
 * pod of kind `pod` per rack and model, named after the rack (`<rack>-<model>` when the rack
 * holds several models).
 */
export function resolveSiteLayout(input: unknown): SiteLayoutResult {
  const parsed = siteFileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.slice(0, MAX_PROBLEMS).map(issueText) };
  const problems: string[] = [];
  const layout = resolve(parsed.data, (p) => problems.length < MAX_PROBLEMS && problems.push(p));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, layout };
}

interface Entry {
  host: string;
  /** Where it was listed: `nodes[4]`. */
  at: string;
  rackIndex: number;
  modelIndex: number;
  gpus: number;
  maxInputWatts: number;
  baseWatts: number;
}

function resolve(file: SiteFile, problem: (text: string) => void): SiteLayout {
  const hallIndex = indexIds(file.halls, 'halls', problem);
  const rackIndex = indexIds(file.racks, 'racks', problem);
  const fabricIndex = indexIds(file.fabrics, 'fabrics', problem);
  const rackHall = file.racks.map((r, i) => {
    const h = hallIndex.get(r.hall);
    if (h === undefined) problem(`racks[${i}].hall: ${q(r.hall)} is not a hall (halls: ${listed([...hallIndex.keys()])})`);
    return h ?? -1;
  });

  // Nodes, each host once.
  const entries: Entry[] = [];
  const byHost = new Map<string, number>();
  file.nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    const rack = rackIndex.get(n.rack);
    if (rack === undefined) problem(`${at}.rack: ${q(n.rack)} is not a rack`);
    const modelIndex = GPU_MODELS.findIndex((m) => m.key === n.model);
    if (modelIndex < 0) problem(`${at}.model: ${q(n.model)} is not a GPU model key (known: ${GPU_MODELS.map((m) => m.key).join(', ')})`);
    const power = nodePower(n, modelIndex);
    if (power.baseWatts >= power.maxInputWatts)
      problem(`${at}.baseWatts: ${power.baseWatts} W is not below maxInputWatts (${power.maxInputWatts} W)`);
    for (const host of expandHosts(n.hosts, `${at}.hosts`, problem)) {
      const first = byHost.get(host);
      if (first !== undefined) {
        const other = entries[first];
        problem(
          `${at}.hosts: ${q(host)} is listed already at ${other?.at} (rack ${q(file.racks[other?.rackIndex ?? -1]?.id ?? '?')}); a node is in one rack`,
        );
        continue;
      }
      byHost.set(host, entries.length);
      entries.push({ host, at, rackIndex: rack ?? -1, modelIndex, gpus: n.gpus, ...power });
    }
  });

  // Fabric units: which entry is in which.
  const entryFabric = new Int32Array(entries.length).fill(-1);
  const rackEntries = file.racks.map((): number[] => []);
  entries.forEach((e, i) => rackEntries[e.rackIndex]?.push(i));
  file.fabrics.forEach((f, fi) => {
    const at = `fabrics[${fi}]`;
    const members: Array<{ entry: number; where: string }> = [];
    f.racks?.forEach((r, j) => {
      const rack = rackIndex.get(r);
      if (rack === undefined) problem(`${at}.racks[${j}]: ${q(r)} is not a rack`);
      else for (const entry of rackEntries[rack] ?? []) members.push({ entry, where: `${at}.racks[${j}]` });
    });
    if (f.hosts !== undefined) {
      for (const host of expandHosts(f.hosts, `${at}.hosts`, problem)) {
        const entry = byHost.get(host);
        if (entry === undefined) problem(`${at}.hosts: ${q(host)} is not a node of the file`);
        else members.push({ entry, where: `${at}.hosts` });
      }
    }
    for (const { entry, where } of members) {
      const other = entryFabric[entry] ?? -1;
      if (other === fi) continue;
      if (other >= 0) {
        problem(
          `${where}: node ${q(entries[entry]?.host ?? '?')} is in ${`fabrics[${other}]`} (${q(file.fabrics[other]?.id ?? '?')}) already; a node is in one fabric unit`,
        );
        continue;
      }
      entryFabric[entry] = fi;
    }
    checkOneOf(
      members.map((m) => entries[m.entry]).filter((e) => e !== undefined),
      f,
      at,
      rackHall,
      file,
      problem,
    );
  });

  return buildLayout(file, entries, entryFabric, rackHall, fabricIndex, problem);
}

/** A fabric unit is one model in one hall, and holds at least one node. */
function checkOneOf(
  members: Entry[],
  f: SiteFile['fabrics'][number],
  at: string,
  rackHall: number[],
  file: SiteFile,
  problem: (text: string) => void,
): void {
  if (members.length === 0) return void problem(`${at}: fabric unit ${q(f.id)} holds no node`);
  // Unknown models and racks in no hall are reported already: not again as a span.
  const models = countBy(
    members.filter((e) => e.modelIndex >= 0),
    (e) => GPU_MODELS[e.modelIndex]?.key ?? '?',
  );
  if (models.size > 1) problem(`${at}: fabric unit ${q(f.id)} spans GPU models ${counted(models, 'node')}; a fabric unit is one model`);
  const halls = countBy(
    members.filter((e) => (rackHall[e.rackIndex] ?? -1) >= 0),
    (e) => file.halls[rackHall[e.rackIndex] ?? -1]?.id ?? '?',
  );
  if (halls.size > 1) problem(`${at}: fabric unit ${q(f.id)} spans halls ${counted(halls, 'node')}; a fabric unit is in one hall`);
}

function buildLayout(
  file: SiteFile,
  entries: Entry[],
  entryFabric: Int32Array,
  rackHall: number[],
  fabricIndex: Map<string, number>,
  problem: (text: string) => void,
): SiteLayout {
  const site = file.site;
  const layout: SiteLayout = {
    site: { id: site.id, name: site.name, feedWatts: site.feedWatts ?? Math.round((site.feedMW ?? 0) * 1e6), pue: site.pue },
    halls: file.halls.map((h) => h.id),
    pods: [],
    nodes: [],
  };
  const podByKey = new Map<number, number>();
  const podIds = new Map<string, string>();
  const rackModels = file.racks.map(() => new Set<number>());
  entries.forEach((e, i) => {
    if ((entryFabric[i] ?? -1) < 0) rackModels[e.rackIndex]?.add(e.modelIndex);
  });
  const order = entries.map((_, i) => i).sort((a, b) => (entries[a]?.rackIndex ?? 0) - (entries[b]?.rackIndex ?? 0) || a - b);
  for (const i of order) {
    const e = entries[i];
    if (!e) continue;
    const fabric = entryFabric[i] ?? -1;
    const f = file.fabrics[fabric];
    const rack = file.racks[e.rackIndex];
    // Fabric units first, then one key per (rack, model): numbers, as 50,000 string keys cost a start measurably.
    const key = f ? fabric : file.fabrics.length + e.rackIndex * GPU_MODELS.length + e.modelIndex;
    let podIndex = podByKey.get(key);
    if (podIndex === undefined) {
      const several = (rackModels[e.rackIndex]?.size ?? 0) > 1;
      const id = f ? f.id : several ? `${rack?.id}-${GPU_MODELS[e.modelIndex]?.key}` : (rack?.id ?? '?');
      const owner = f ? `fabrics[${fabric}]` : `the nodes of racks[${e.rackIndex}] in no fabric unit`;
      const first = podIds.get(id);
      if (first !== undefined && !f && fabricIndex.has(id))
        problem(`racks[${e.rackIndex}].id: ${owner} make pod ${q(id)}, the id of ${first}; rename the fabric unit or put them in it`);
      else if (first !== undefined) problem(`${owner}: pod id ${q(id)} is taken by ${first}`);
      podIds.set(id, owner);
      podIndex = layout.pods.length;
      podByKey.set(key, podIndex);
      layout.pods.push({ id, hallIndex: rackHall[e.rackIndex] ?? -1, modelIndex: e.modelIndex, fabric: f ? f.kind : 'pod' });
    }
    const { host, modelIndex, gpus, maxInputWatts, baseWatts } = e;
    layout.nodes.push({
      host,
      hallIndex: rackHall[e.rackIndex] ?? -1,
      podIndex,
      rack: rack?.id ?? '?',
      modelIndex,
      gpus,
      maxInputWatts,
      baseWatts,
    });
  }
  return layout;
}

/**
 * A node entry's power: its own figures, else the model's node spec (scaled per GPU when the
 * entry's GPU count differs from the spec's), else the DGX H100's ratios (see above).
 */
function nodePower(n: SiteFile['nodes'][number], modelIndex: number): { maxInputWatts: number; baseWatts: number } {
  const model = GPU_MODELS[modelIndex];
  const spec = NODE_SPECS[n.model];
  const perGpu = (watts: number, of: number): number => Math.round((watts * n.gpus) / of);
  const maxInputWatts =
    n.maxInputWatts ??
    (spec ? perGpu(spec.maxInputWatts, spec.gpusPerNode) : Math.round(n.gpus * (model?.maxWatts ?? 700) * NO_SPEC_INPUT_PER_GPU_WATT));
  const baseWatts = n.baseWatts ?? (spec ? perGpu(spec.baseWatts, spec.gpusPerNode) : n.gpus * NO_SPEC_BASE_WATTS_PER_GPU);
  return { maxInputWatts, baseWatts };
}

const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function expandHosts(hosts: string | string[], at: string, problem: (text: string) => void): string[] {
  const out: string[] = [];
  for (const item of typeof hosts === 'string' ? [hosts] : hosts) {
    // Most hosts of a large file are plain names: no pattern to expand.
    if (HOST.test(item)) {
      out.push(item);
      continue;
    }
    let expanded: string[];
    try {
      expanded = expandHostlist(item);
    } catch (error) {
      problem(`${at}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const host of expanded) {
      if (HOST.test(host)) out.push(host);
      else problem(`${at}: ${q(host)} is not a host name (letters, digits, . _ -)`);
    }
  }
  return out;
}

/** id → index; a second use of an id is a problem naming both places. */
function indexIds(items: ReadonlyArray<{ id: string }>, list: string, problem: (text: string) => void): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const first = index.get(item.id);
    if (first === undefined) index.set(item.id, i);
    else problem(`${list}[${i}].id: ${q(item.id)} is used by ${list}[${first}] already`);
  });
  return index;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const counted = (counts: Map<string, number>, noun: string): string =>
  [...counts].map(([k, n]) => `${k} (${n} ${noun}${n === 1 ? '' : 's'})`).join(' and ');

const listed = (ids: string[]): string => (ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, …` : ids.join(', '));

const q = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** `racks[3].hall: Invalid input…`, paths as the file is read (an unknown field named itself). */
function issueText(issue: ZodIssue): string {
  const path = [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])];
  const text = path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
  return `${text || '(top)'}: ${issue.code === 'unrecognized_keys' ? 'is not a field of the site file' : issue.message}`;
}
