import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { buildSite, SMALL } from '../../../server/src/domain/fleet/presets.js';

/**
 * Test helpers for the simulator suite: a tiny reader of dcgm-exporter text (deliberately
 * local, so these tests do not depend on the ingest parser) and small topology builders.
 */

export interface ExpositionLine {
  family: string;
  labels: Array<[string, string]>;
  /** The value as printed. */
  raw: string;
}

const LINE = /^([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\} (\S+)$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"/g;

export function readExposition(text: string): { lines: ExpositionLine[]; comments: string[] } {
  const lines: ExpositionLine[] = [];
  const comments: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      comments.push(line);
      continue;
    }
    const match = LINE.exec(line);
    if (!match) throw new Error(`unreadable line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(LABEL)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']);
    lines.push({ family: match[1] ?? '', labels, raw: match[3] ?? '' });
  }
  return { lines, comments };
}

/** dcgm blanks (int64 ≥ 2^63 − 16, fp64 2^47) read as "not reported". */
export function valueOf(raw: string): number {
  const value = Number(raw);
  if (value >= 9.2e18 || value === 140737488355328) return Number.NaN;
  return value;
}

export interface GpuReading {
  labels: Array<[string, string]>;
  values: Map<string, number>;
  raw: Map<string, string>;
}

/** Per-GPU readings of one node's text, keyed by the `gpu` label. */
export function readGpus(text: string): Map<number, GpuReading> {
  const gpus = new Map<number, GpuReading>();
  for (const line of readExposition(text).lines) {
    const gpu = Number(line.labels.find(([k]) => k === 'gpu')?.[1]);
    let reading = gpus.get(gpu);
    if (!reading) {
      reading = { labels: line.labels, values: new Map(), raw: new Map() };
      gpus.set(gpu, reading);
    }
    reading.values.set(line.family, valueOf(line.raw));
    reading.raw.set(line.family, line.raw);
  }
  return gpus;
}

export function reading(gpu: GpuReading, family: string): number {
  const value = gpu.values.get(`DCGM_FI_DEV_${family}`) ?? gpu.values.get(`DCGM_FI_PROF_${family}`);
  if (value === undefined) throw new Error(`no ${family}`);
  return value;
}

export function smallSite(): Topology {
  return buildSite(SMALL);
}

/** A mid-sized all-H100 site (4 halls × 8 pods × 8 nodes = 2,048 GPUs) for statistics over pods. */
export function mediumSite(): Topology {
  return buildSite({
    site: { ...SMALL.site, id: 'medium' },
    halls: [{ halls: 4, model: 'H100-SXM', podsPerHall: 8, nodesPerPod: 8, nodesPerRack: 4, fabric: 'pod' }],
  });
}

/** A site of a single pod of `nodes` nodes. */
export function onePodSite(nodes: number): Topology {
  return buildSite({
    site: { ...SMALL.site, id: 'one' },
    halls: [{ halls: 1, model: 'H100-SXM', podsPerHall: 1, nodesPerPod: nodes, nodesPerRack: 4, fabric: 'pod' }],
  });
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
