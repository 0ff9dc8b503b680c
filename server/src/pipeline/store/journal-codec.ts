import type { GpuSample, IngestBatch, MeterReading, NodeStatus } from '../../domain/fleet/readings.js';
import type { PodLabels } from '../../domain/scheduler/pod-labels.js';

/**
 * The ingest journal's on-disk form of an IngestBatch: JSON with positional arrays instead of
 * objects, so field names are not repeated per sample (about half the bytes of plain JSON):
 *
 *   {"v":1,
 *    "s":[[uuid, host, index, modelName, utilPercent, powerWatts, memUsedMiB, memTotalMiB, xid, offsetMs(, pod(, powerLimitWatts))], …],
 *    "n":[[host, drained 0|1, reason], …],
 *    "m":[[id, scope, watts], …]}
 *
 * Non-finite numbers become null (JSON has no NaN), which reads back as "not reported". `pod`,
 * only on a GPU with pod labels, is [namespace, pod, container, hpcJob]: without it a pushed
 * node's Kubernetes allocation would be lost at a restart until its next push. `powerLimitWatts`, only on a
 * GPU that reported one, follows `pod` (null when the GPU has none), so batches written before it read the same.
 */
const VERSION = 1;

type PodTuple = [string, string, string | null, string | null];
type SampleTuple = [string, string, number, string | null, ...Array<number | null | PodTuple>];
const POD_AT = 10;
const LIMIT_AT = 11;

export function encodeBatch(batch: IngestBatch): string {
  return JSON.stringify({
    v: VERSION,
    s: batch.samples.map((s): SampleTuple => {
      const t: SampleTuple = [
        s.uuid,
        s.host,
        s.index,
        s.modelName,
        s.utilPercent,
        s.powerWatts,
        s.memUsedMiB,
        s.memTotalMiB,
        s.xid,
        s.offsetMs,
      ];
      const pod: PodTuple | null = s.pod ? [s.pod.namespace, s.pod.pod, s.pod.container, s.pod.hpcJob] : null;
      const limit = s.powerLimitWatts ?? null;
      if (pod !== null || limit !== null) t.push(pod);
      if (limit !== null) t.push(limit);
      return t;
    }),
    n: batch.nodes.map((n) => [n.host, n.drained ? 1 : 0, n.reason]),
    m: batch.meters.map((m) => [m.id, m.scope, m.watts]),
  });
}

/** @throws Error when `text` is not a batch this codec wrote. */
export function decodeBatch(text: string): IngestBatch {
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc) || doc['v'] !== VERSION) throw new Error('not a version-1 journal batch');
  return {
    samples: arrayOf(doc['s'], 's').map(decodeSample),
    nodes: arrayOf(doc['n'], 'n').map(decodeNode),
    meters: arrayOf(doc['m'], 'm').map(decodeMeter),
  };
}

function decodeSample(value: unknown): GpuSample {
  const t = Array.isArray(value) && (value.length === 11 || value.length === 12) ? value : tuple(value, 10, 'sample');
  const sample: GpuSample = {
    uuid: str(t[0]),
    host: str(t[1]),
    index: num(t[2]),
    modelName: optStr(t[3]),
    utilPercent: optNum(t[4]),
    powerWatts: optNum(t[5]),
    memUsedMiB: optNum(t[6]),
    memTotalMiB: optNum(t[7]),
    xid: optNum(t[8]),
    offsetMs: num(t[9]),
  };
  if (t.length > POD_AT && t[POD_AT] !== null) sample.pod = decodePod(t[POD_AT]);
  if (t.length > LIMIT_AT) sample.powerLimitWatts = optNum(t[LIMIT_AT]);
  return sample;
}

function decodePod(value: unknown): PodLabels {
  const t = tuple(value, 4, 'pod');
  return { namespace: str(t[0]), pod: str(t[1]), container: optStr(t[2]), hpcJob: optStr(t[3]) };
}

function decodeNode(value: unknown): NodeStatus {
  const t = tuple(value, 3, 'node');
  return { host: str(t[0]), drained: num(t[1]) !== 0, reason: optStr(t[2]) };
}

function decodeMeter(value: unknown): MeterReading {
  const t = tuple(value, 3, 'meter');
  return { id: str(t[0]), scope: str(t[1]), watts: num(t[2]) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`journal batch field ${field} is not an array`);
  return value;
}

function tuple(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw new Error(`journal ${what} is not a ${length}-tuple`);
  return value;
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${typeof value}`);
  return value;
}

function optStr(value: unknown): string | null {
  return value === null ? null : str(value);
}

function num(value: unknown): number {
  if (typeof value !== 'number') throw new Error(`expected a number, got ${typeof value}`);
  return value;
}

function optNum(value: unknown): number | null {
  return value === null ? null : num(value);
}
