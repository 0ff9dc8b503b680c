import { gpuModelAt, GPU_MODELS } from '../domain/fleet/gpu-models.js';
import type { Topology } from '../domain/fleet/topology.js';
import { Activity, ACTIVITY_STATE, type NodeActivity } from './activity.js';
import { busyPowerWatts, powerProfileOf, servingDuty, UTIL_HIGH_MIN, UTIL_LOW_VALUES, type PowerProfile } from './gpu-power.js';
import { hash4, rehash, toUnit, Stream } from './random.js';
import type { ScenarioParams } from './scenario.js';

/**
 * Per-GPU samples of one tick in typed arrays indexed by GPU slot: what a dcgm-exporter on
 * each node would report. Each sample of a GPU whose truth is X classifies as X under
 * classifySample (domain/fleet/utilization.ts), except GPUs of a drained pod, which look idle
 * and are down by their node's status. Noise is seeded per (slot, tick): deterministic.
 */
export interface GpuSamples {
  /** Truth GpuState code. */
  state: Uint8Array;
  /** 1 when the GPU has fallen off the bus and every field is a blank sentinel. */
  blank: Uint8Array;
  utilPercent: Uint8Array;
  powerMilliwatts: Int32Array;
  fbUsedMiB: Int32Array;
  fbTotalMiB: Int32Array;
  tempC: Uint8Array;
  smClockMhz: Uint16Array;
  /** Last XID error (79 = fallen off the bus; 0 = none). */
  xid: Uint8Array;
  /** DCGM_FI_PROF_GR_ENGINE_ACTIVE in millionths. */
  grActiveMicro: Int32Array;
  /** Per node: Σ board power of its GPUs this tick, milliwatts (exact integer sum). */
  nodeGpuMilliwatts: Float64Array;
  /** GPUs per truth state this tick, indexed by GpuState code. */
  counts: Float64Array;
}

/** Per-GPU constants seeded once: each board's own idle and held draw and thermal offset. */
export interface GpuBases {
  idleWatts: Float32Array;
  heldWatts: Float32Array;
  tempOffsetC: Int8Array;
}

export const SM_CLOCK_IDLE_MHZ = 345;
export const SM_CLOCK_ACTIVE_MHZ = 1980;
/** Near the 700 W cap an H100 throttles its SM clock to ≈ 1335–1455 MHz (fixtures/nvidia-smi). */
const SM_CLOCK_CAPPED_MHZ = 1335;
export const XID_FALLEN_OFF_BUS = 79;

/** One power profile per GPU_MODELS entry, by model index. */
export const POWER_PROFILES: readonly PowerProfile[] = GPU_MODELS.map((_, i) => powerProfileOf(gpuModelAt(i)));

export function profileOf(modelIndex: number): PowerProfile {
  const profile = POWER_PROFILES[modelIndex] ?? POWER_PROFILES[0];
  if (!profile) throw new Error('no GPU power profiles');
  return profile;
}

export function createGpuBases(topology: Topology, seed: number): GpuBases {
  const count = topology.slotNode.length;
  const bases: GpuBases = {
    idleWatts: new Float32Array(count),
    heldWatts: new Float32Array(count),
    tempOffsetC: new Int8Array(count),
  };
  for (let s = 0; s < count; s++) {
    const profile = profileOf(topology.nodes[topology.slotNode[s] ?? 0]?.modelIndex ?? 0);
    const draw = hash4(seed, Stream.gpuBase, s, 0);
    bases.idleWatts[s] = profile.idleLoW + toUnit(draw) * (profile.idleHiW - profile.idleLoW);
    bases.heldWatts[s] = profile.heldLoW + toUnit(rehash(draw, 1)) * (profile.heldHiW - profile.heldLoW);
    bases.tempOffsetC[s] = (rehash(draw, 2) % 5) - 2;
  }
  return bases;
}

export function createGpuSamples(topology: Topology): GpuSamples {
  const count = topology.slotNode.length;
  const samples: GpuSamples = {
    state: new Uint8Array(count),
    blank: new Uint8Array(count),
    utilPercent: new Uint8Array(count),
    powerMilliwatts: new Int32Array(count),
    fbUsedMiB: new Int32Array(count),
    fbTotalMiB: new Int32Array(count),
    tempC: new Uint8Array(count),
    smClockMhz: new Uint16Array(count),
    xid: new Uint8Array(count),
    grActiveMicro: new Int32Array(count),
    nodeGpuMilliwatts: new Float64Array(topology.nodes.length),
    counts: new Float64Array(6),
  };
  for (let s = 0; s < count; s++) {
    samples.fbTotalMiB[s] = profileOf(topology.nodes[topology.slotNode[s] ?? 0]?.modelIndex ?? 0).memoryMiB;
  }
  return samples;
}

/** Framebuffer a job keeps allocated on each GPU of a node, before per-GPU jitter, MiB. */
function jobMemoryMiB(activity: number, key: number, progress: number, totalMiB: number): number {
  const draw = toUnit(rehash(key, 5));
  if (activity === Activity.serving || activity === Activity.standby) return totalMiB * (0.85 + 0.07 * draw);
  if (activity === Activity.sold) return totalMiB * (0.8 + 0.15 * draw);
  // A leftover process (a notebook, a zombie of a finished job): a few GB.
  if (activity === Activity.orphan) return 2_000 + 18_000 * draw;
  const full = 60_000 + 19_000 * draw;
  return activity === Activity.loading ? 700 + (full - 700) * progress : full;
}

/** Duty of a busy node this tick: a training job's own duty ± 1 %, a sale's ± 4 %, serving bursty. */
function tickDuty(activity: number, baseDuty: number, nodeDraw: number, params: ScenarioParams): number {
  if (activity === Activity.serving) return servingDuty(params, toUnit(nodeDraw), toUnit(rehash(nodeDraw, 1)));
  const spread = activity === Activity.sold ? 0.08 : 0.02;
  return Math.min(1, Math.max(0, baseDuty + (toUnit(nodeDraw) - 0.5) * spread));
}

/**
 * Fills `out` with the truth and sample of every GPU of the nodes [from, to) for one tick,
 * adding them to `out.counts` (the caller clears the counts once per tick and fills each node
 * once). A node's samples depend on that node alone, so a tick filled in pieces, in any order,
 * is the same as one filled at once.
 *
 * @param tick tick index (tick start / tick length): the seed of this tick's noise
 */
export function fillNodeSamples(
  topology: Topology,
  nodes: NodeActivity,
  bases: GpuBases,
  params: ScenarioParams,
  seed: number,
  tick: number,
  out: GpuSamples,
  from: number,
  to: number,
): void {
  for (let n = from; n < to; n++) {
    const node = topology.nodes[n];
    if (!node) continue;
    const activity = nodes.activity[n] ?? Activity.idle;
    const state = ACTIVITY_STATE[activity] ?? 0;
    const slots = node.slots;
    out.counts[state] = (out.counts[state] ?? 0) + slots.length;
    let nodeMilliwatts = 0;
    const profile = profileOf(node.modelIndex);
    const key = nodes.jobKey[n] ?? 0;
    const idleLike = activity === Activity.idle || activity === Activity.maintenance || activity === Activity.noProcess;
    const heldLike =
      activity === Activity.loading || activity === Activity.stuck || activity === Activity.standby || activity === Activity.orphan;
    const duty = idleLike || heldLike ? 0 : tickDuty(activity, nodes.duty[n] ?? 0, hash4(seed, Stream.nodeDuty, n, tick), params);
    const memoryCap = Math.floor(profile.memoryMiB * 0.98);
    const jobMiB = idleLike ? 0 : jobMemoryMiB(activity, key, nodes.progress[n] ?? 1, profile.memoryMiB);
    for (let g = 0; g < slots.length; g++) {
      const s = slots[g] ?? 0;
      out.state[s] = state;
      if (activity === Activity.failed) {
        out.blank[s] = 1;
        out.xid[s] = XID_FALLEN_OFF_BUS;
        out.powerMilliwatts[s] = 0;
        out.utilPercent[s] = 0;
        out.fbUsedMiB[s] = 0;
        out.tempC[s] = 0;
        out.smClockMhz[s] = 0;
        out.grActiveMicro[s] = 0;
        continue;
      }
      const draw = hash4(seed, Stream.sample, s, tick);
      const bits = rehash(draw, 1);
      const noise = (bits & 1023) / 511.5 - 1;
      const tempJitter = (bits >>> 10) & 1;
      const utilBits = (bits >>> 11) & 3;
      out.blank[s] = 0;
      out.xid[s] = 0;
      let watts: number;
      if (idleLike) {
        watts = (bases.idleWatts[s] ?? profile.idleLoW) + noise * profile.idleNoiseW;
        out.utilPercent[s] = 0;
        out.fbUsedMiB[s] = 0;
        out.smClockMhz[s] = SM_CLOCK_IDLE_MHZ;
        out.tempC[s] = 27 + (bases.tempOffsetC[s] ?? 0) + tempJitter;
        out.grActiveMicro[s] = 0;
      } else {
        const gpuOffset = (((Math.imul(g + 1, 0x9e3779b1) ^ key) >>> 0) % 512) - 256;
        const memJitter = ((bits >>> 25) & 127) - 64;
        out.fbUsedMiB[s] = Math.min(memoryCap, Math.max(700, Math.round(jobMiB + gpuOffset + memJitter)));
        const held = bases.heldWatts[s] ?? profile.heldLoW;
        if (heldLike) {
          watts = held + noise * profile.heldNoiseW;
          out.utilPercent[s] = 0;
          out.smClockMhz[s] = SM_CLOCK_ACTIVE_MHZ;
          out.tempC[s] = 32 + (bases.tempOffsetC[s] ?? 0) + tempJitter;
          out.grActiveMicro[s] = 0;
        } else {
          watts = busyPowerWatts(held, duty, noise * profile.busyNoiseW, profile);
          out.utilPercent[s] = toUnit(draw) < duty ? UTIL_HIGH_MIN + utilBits : (UTIL_LOW_VALUES[utilBits] ?? 0);
          out.smClockMhz[s] = duty >= 0.85 ? SM_CLOCK_CAPPED_MHZ + 15 * (((bits >>> 13) & 15) % 9) : SM_CLOCK_ACTIVE_MHZ;
          out.tempC[s] = 36 + Math.round(28 * duty) + (bases.tempOffsetC[s] ?? 0) + tempJitter;
          const gr = duty + (((bits >>> 17) & 255) / 255 - 0.5) * 0.04;
          out.grActiveMicro[s] = Math.round(Math.min(1, Math.max(0, gr)) * 1_000_000);
        }
      }
      const milliwatts = Math.round(watts * 1000);
      out.powerMilliwatts[s] = milliwatts;
      nodeMilliwatts += milliwatts;
    }
    out.nodeGpuMilliwatts[n] = nodeMilliwatts;
  }
}
