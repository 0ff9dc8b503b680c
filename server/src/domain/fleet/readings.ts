/**
 * What every ingest path (dcgm-exporter text, nvidia-smi CSV, JSON push, the simulator)
 * produces: one validated batch, applied to fleet state whole or not at all.
 */

import type { PodLabels } from '../scheduler/pod-labels.js';

/** One reading of one GPU. `null` means the source did not report the field or sent a blank. */
export interface GpuSample {
  uuid: string;
  /** Node host name (dcgm `Hostname`/`hostname` label, or the batch's host). */
  host: string;
  /** GPU index on the host (dcgm `gpu` label, nvidia-smi `index`); -1 when not reported. */
  index: number;
  modelName: string | null;
  /** utilization.gpu / DCGM_FI_DEV_GPU_UTIL, 0–100. */
  utilPercent: number | null;
  /** Board power draw, W. */
  powerWatts: number | null;
  /**
   * The power limit the board enforces now, W (dcgm DCGM_FI_DEV_ENFORCED_POWER_LIMIT, else
   * DCGM_FI_DEV_POWER_MGMT_LIMIT; nvidia-smi enforced.power.limit, else power.limit). Absent or null
   * when not reported: most dcgm-exporter configurations do not export it.
   */
  powerLimitWatts?: number | null;
  memUsedMiB: number | null;
  memTotalMiB: number | null;
  /** Last XID error code reported (0 = none). */
  xid: number | null;
  /**
   * Sample time relative to the batch time, ms (≤ 0). Non-zero only for batches that carry
   * several samples per GPU (an nvidia-smi `-lms` trace); samples of one GPU come oldest first.
   */
  offsetMs: number;
  /** The Kubernetes pod dcgm-exporter attributes the GPU to (its pod labels); absent when none. */
  pod?: PodLabels;
}

/** A node's scheduling status from a scheduler integration (e.g. drained for maintenance). */
export interface NodeStatus {
  host: string;
  drained: boolean;
  reason: string | null;
}

/** A facility power meter reading: what the utility side sees (IT load × PUE). */
export interface MeterReading {
  id: string;
  /** `site` or `hall:<hallId>`. */
  scope: string;
  watts: number;
}

export interface IngestBatch {
  samples: GpuSample[];
  nodes: NodeStatus[];
  meters: MeterReading[];
}

export function emptyBatch(): IngestBatch {
  return { samples: [], nodes: [], meters: [] };
}
