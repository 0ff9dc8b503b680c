/**
 * Per-GPU accumulators for the dcgm-exporter scanner and the fold of a GPU's series
 * (whole GPU plus MIG instances) into one GpuSample.
 */
import type { GpuSample } from '../../domain/fleet/readings.js';
import type { PodLabels } from '../../domain/scheduler/pod-labels.js';
import type { LabelBlock } from './dcgm-labels.js';

/** Indices of the families we read, into FAMILY_NAMES below. */
export const F_UTIL = 0;
export const F_POWER = 1;
export const F_FB_USED = 2;
export const F_FB_FREE = 3;
export const F_FB_RESERVED = 4;
export const F_GR_ACTIVE = 5;
export const F_XID = 6;
export const F_ENFORCED_LIMIT = 7;
export const F_MGMT_LIMIT = 8;
export const FAMILY_COUNT = 9;

/** Families we read, in F_* order. Every other family is syntax-checked and ignored. */
export const FAMILY_NAMES: readonly string[] = [
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_FREE',
  'DCGM_FI_DEV_FB_RESERVED',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  'DCGM_FI_DEV_XID_ERRORS',
  // Not in dcgm-exporter's default counters; read when a site adds them (a capped GPU's scale).
  'DCGM_FI_DEV_ENFORCED_POWER_LIMIT',
  'DCGM_FI_DEV_POWER_MGMT_LIMIT',
];

const POWER_MAX_WATTS = 5000;

/** A reading's physical range when `v` (not blank) is outside it, else null. */
export function rangeViolated(family: number, v: number): string | null {
  switch (family) {
    case F_UTIL:
      return v >= 0 && v <= 100 ? null : '0–100 %';
    case F_POWER:
    case F_ENFORCED_LIMIT:
    case F_MGMT_LIMIT:
      return v >= 0 && v <= POWER_MAX_WATTS ? null : `0–${POWER_MAX_WATTS} W`;
    case F_FB_USED:
    case F_FB_FREE:
    case F_FB_RESERVED:
      return v >= 0 && v !== Number.POSITIVE_INFINITY ? null : '≥ 0 MiB';
    case F_GR_ACTIVE:
      return v >= 0 && v <= 1 ? null : 'a ratio 0–1';
    default: // F_XID
      return v >= 0 && Number.isInteger(v) ? null : 'an integer ≥ 0';
  }
}

/** Readings of one entity: the whole GPU (no GPU_I_ID) or one MIG GPU instance. */
export class InstanceAcc {
  /** Reading per family; NaN = blank sentinel / NaN. Meaningful only where lines[f] > 0. */
  readonly values: number[] = [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN];
  /** 1-based line of the first series per family; 0 = not seen. */
  readonly lines: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** Label block of that first series, for duplicate checks. */
  readonly blocks: Array<LabelBlock | null> = [null, null, null, null, null, null, null, null, null];
  /** Further series of a family with other labels (a shared GPU's per-pod copies). Rare. */
  extraSeries: Array<{ family: number; line: number; block: LabelBlock }> | null = null;

  constructor(readonly id: string) {}

  has(family: number): boolean {
    return (this.lines[family] as number) > 0;
  }

  value(family: number): number {
    return this.values[family] as number;
  }
}

export class GpuAcc {
  /** Series without GPU_I_ID: the whole GPU (the only entity when MIG is off). */
  readonly whole = new InstanceAcc('');
  /** MIG GPU instances by GPU_I_ID, in first-seen order. */
  readonly instances: InstanceAcc[] = [];
  /** The first pod named on any of the GPU's series (a shared GPU's later pods are not kept). */
  pod: PodLabels | null = null;

  constructor(
    readonly uuid: string,
    readonly host: string,
    readonly index: number,
    public modelName: string | null,
    readonly firstLine: number,
  ) {}

  /** The MIG instance with this GPU_I_ID, created on first use. */
  instance(id: string): InstanceAcc {
    for (const inst of this.instances) if (inst.id === id) return inst;
    const created = new InstanceAcc(id);
    this.instances.push(created);
    return created;
  }
}

/** Max of the non-blank readings of a per-GPU field over all entities; null when none. */
function maxOver(gpu: GpuAcc, family: number): number | null {
  let best = Number.NEGATIVE_INFINITY;
  if (gpu.whole.has(family)) {
    const v = gpu.whole.value(family);
    if (v > best) best = v; // NaN never compares greater
  }
  for (const inst of gpu.instances) {
    if (!inst.has(family)) continue;
    const v = inst.value(family);
    if (v > best) best = v;
  }
  return best === Number.NEGATIVE_INFINITY ? null : best;
}

/**
 * Entities that carry a per-instance field: the MIG instances that report it, or else the
 * whole GPU — never both, so a whole-GPU series is not counted on top of its instances.
 */
function sources(gpu: GpuAcc, family: number): InstanceAcc[] {
  const fromInstances = gpu.instances.filter((inst) => inst.has(family));
  if (fromInstances.length > 0) return fromInstances;
  return gpu.whole.has(family) ? [gpu.whole] : [];
}

/** Sum of a memory field; null when unreported or when any contributing entity is blank. */
function sumOver(entities: readonly InstanceAcc[], family: number): number | null {
  if (entities.length === 0) return null;
  let sum = 0;
  for (const e of entities) {
    const v = e.value(family);
    if (Number.isNaN(v)) return null;
    sum += v;
  }
  return sum;
}

/** FB_FREE + FB_USED (+ FB_RESERVED when reported and not blank), summed like the others. */
function memTotal(gpu: GpuAcc): number | null {
  const entities = sources(gpu, F_FB_FREE);
  if (entities.length === 0) return null;
  let sum = 0;
  for (const e of entities) {
    const free = e.value(F_FB_FREE);
    const used = e.has(F_FB_USED) ? e.value(F_FB_USED) : Number.NaN;
    if (Number.isNaN(free) || Number.isNaN(used)) return null;
    const reserved = e.has(F_FB_RESERVED) ? e.value(F_FB_RESERVED) : 0;
    // A blank FB_RESERVED (older drivers) is a few hundred MiB at most; leaving it out beats
    // losing the total.
    sum += free + used + (Number.isNaN(reserved) ? 0 : reserved);
  }
  return sum;
}

/** Mean of GR_ENGINE_ACTIVE × 100 over the entities that reported a non-blank ratio. */
function grEngineUtil(gpu: GpuAcc): number | null {
  let sum = 0;
  let count = 0;
  for (const e of sources(gpu, F_GR_ACTIVE)) {
    const v = e.value(F_GR_ACTIVE);
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return count === 0 ? null : (sum / count) * 100;
}

export function foldGpu(gpu: GpuAcc): GpuSample {
  const util = maxOver(gpu, F_UTIL);
  const sample: GpuSample = {
    uuid: gpu.uuid,
    host: gpu.host,
    index: gpu.index,
    modelName: gpu.modelName,
    utilPercent: util ?? grEngineUtil(gpu),
    powerWatts: maxOver(gpu, F_POWER),
    // The enforced limit is what the board holds to (the lowest of every limit set); the management limit stands in.
    powerLimitWatts: maxOver(gpu, F_ENFORCED_LIMIT) ?? maxOver(gpu, F_MGMT_LIMIT),
    memUsedMiB: sumOver(sources(gpu, F_FB_USED), F_FB_USED),
    memTotalMiB: memTotal(gpu),
    xid: maxOver(gpu, F_XID),
    offsetMs: 0,
  };
  if (gpu.pod) sample.pod = gpu.pod;
  return sample;
}
