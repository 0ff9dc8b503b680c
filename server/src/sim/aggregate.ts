import { gpuModelAt, GPU_MODELS } from '../domain/fleet/gpu-models.js';
import { GPU_STATES, type StateCounts } from '../domain/fleet/gpu-state.js';
import { NODE_GPU_OVERHEAD } from '../domain/fleet/presets.js';
import type { ScopeRollup } from '../domain/fleet/rollup.js';
import { podModels, type Topology } from '../domain/fleet/topology.js';
import { sampleActivity } from '../domain/fleet/utilization.js';
import { Activity, ACTIVITY_STATE, isInternal, type NodeActivity } from './activity.js';
import { meanBusyUtilPercent, meanBusyWatts, meanHeldWatts, meanIdleWatts, meanServingDuty } from './gpu-power.js';
import type { ScenarioParams } from './scenario.js';
import { profileOf } from './telemetry.js';

/**
 * Rollups of one moment straight from the per-node model, without per-GPU noise: what the
 * store would hold had the collector watched. Counts are exact (every GPU of a node shares
 * its node's truth); watts and utilization are expected values over the sample noise.
 */

const STATE_COUNT = GPU_STATES.length;
const ACTIVITY_COUNT = ACTIVITY_STATE.length;
/** Per scope row: counts per state, then Σ estimate, GPUs with an estimate, Σ GPU W, Σ base W. */
const WIDTH = STATE_COUNT + 4;
const EST_SUM = STATE_COUNT;
const EST_GPUS = STATE_COUNT + 1;
const GPU_WATTS = STATE_COUNT + 2;
const BASE_WATTS = STATE_COUNT + 3;

/**
 * Expected board draw (W) and utilization estimate of one GPU per (model, activity). The
 * estimate is the collector's per-sample blend (sampleActivity) at the expected utilization
 * reading and power; NaN for down GPUs, which get no verdict. Training depends on the job's
 * duty d and is linear in it (no clamping happens for d in [0, 1]): a + b × d.
 */
interface Expectations {
  watts: Float64Array;
  estimate: Float64Array;
  trainingWattsA: Float64Array;
  trainingWattsB: Float64Array;
  trainingEstimateA: Float64Array;
  trainingEstimateB: Float64Array;
}

function expectations(params: ScenarioParams): Expectations {
  const models = GPU_MODELS.length;
  const table: Expectations = {
    watts: new Float64Array(models * ACTIVITY_COUNT),
    estimate: new Float64Array(models * ACTIVITY_COUNT),
    trainingWattsA: new Float64Array(models),
    trainingWattsB: new Float64Array(models),
    trainingEstimateA: new Float64Array(models),
    trainingEstimateB: new Float64Array(models),
  };
  for (let m = 0; m < models; m++) {
    const profile = profileOf(m);
    const model = gpuModelAt(m);
    const busy = (duty: number): [number, number] => {
      const watts = meanBusyWatts(duty, profile);
      return [watts, sampleActivity(meanBusyUtilPercent(duty), watts, model)];
    };
    const idle = meanIdleWatts(profile);
    const held = meanHeldWatts(profile);
    const rows: Array<[number, number, number]> = [
      [Activity.idle, idle, sampleActivity(0, idle, model)],
      [Activity.loading, held, sampleActivity(0, held, model)],
      [Activity.stuck, held, sampleActivity(0, held, model)],
      [Activity.orphan, held, sampleActivity(0, held, model)],
      [Activity.noProcess, idle, sampleActivity(0, idle, model)],
      [Activity.standby, held, sampleActivity(0, held, model)],
      [Activity.serving, ...busy(meanServingDuty(params))],
      [Activity.sold, ...busy(params.soldDuty)],
      [Activity.failed, 0, Number.NaN],
      [Activity.maintenance, idle, Number.NaN],
    ];
    for (const [activity, watts, estimate] of rows) {
      table.watts[m * ACTIVITY_COUNT + activity] = watts;
      table.estimate[m * ACTIVITY_COUNT + activity] = estimate;
    }
    const [w0, e0] = busy(0);
    const [w1, e1] = busy(1);
    table.trainingWattsA[m] = w0;
    table.trainingWattsB[m] = w1 - w0;
    table.trainingEstimateA[m] = e0;
    table.trainingEstimateB[m] = e1 - e0;
  }
  return table;
}

function countsFrom(values: Float64Array, offset: number): StateCounts {
  return {
    busy: values[offset] ?? 0,
    held: values[offset + 1] ?? 0,
    idle: values[offset + 2] ?? 0,
    sold: values[offset + 3] ?? 0,
    down: values[offset + 4] ?? 0,
    unknown: values[offset + 5] ?? 0,
  };
}

export interface RollupModel {
  /**
   * One ScopeRollup for the site, each hall, each pod and, on a site of several GPU models, each
   * model pool (in that order), from nodes resolved at one moment. Nodes no pod places count in
   * the site only.
   *
   * @param tsSeconds the bucket start, unix seconds
   */
  rollups(nodes: NodeActivity, tsSeconds: number): ScopeRollup[];
  /** GPUs doing the owner's internal work (busy + held, not sold). */
  internalGpus(nodes: NodeActivity): number;
}

export function createRollupModel(topology: Topology, params: ScenarioParams): RollupModel {
  const nodeCount = topology.nodes.length;
  const halls = topology.halls.length;
  const pods = topology.pods.length;
  const nodeGpus = new Uint16Array(nodeCount);
  const nodePod = new Int32Array(nodeCount);
  const nodeModel = new Uint8Array(nodeCount);
  const nodeBaseWatts = new Float64Array(nodeCount);
  for (const [n, node] of topology.nodes.entries()) {
    nodeGpus[n] = node.slots.length;
    nodePod[n] = node.podIndex;
    nodeModel[n] = node.modelIndex;
    nodeBaseWatts[n] = node.baseWatts;
  }
  const podHall = Int32Array.from(topology.pods, (pod) => pod.hallIndex);
  const table = expectations(params);
  // Model pools as the collector's 1-min accumulator keeps them (rollup-accumulator.ts): only on a
  // site of several models, so the backfilled history gives each pool its own forecast from the start.
  const models = podModels(topology);
  const modelScopes = models.length > 1 ? models.map((m) => `model:${gpuModelAt(m).key}`) : [];
  const podModelRow = Int32Array.from(topology.pods, (pod) =>
    modelScopes.length > 0 ? 1 + halls + pods + models.indexOf(pod.modelIndex) : -1,
  );
  const scopes = ['site', ...topology.halls.map((h) => `hall:${h.id}`), ...topology.pods.map((p) => `pod:${p.id}`), ...modelScopes];
  // Rows: 0 = site, 1..halls = halls, then pods, then model pools (if several).
  const acc = new Float64Array(scopes.length * WIDTH);

  function addRow(to: number, from: number): void {
    for (let k = 0; k < WIDTH; k++) acc[to * WIDTH + k] = (acc[to * WIDTH + k] ?? 0) + (acc[from * WIDTH + k] ?? 0);
  }

  function rollups(nodes: NodeActivity, tsSeconds: number): ScopeRollup[] {
    acc.fill(0);
    for (let n = 0; n < nodeCount; n++) {
      const activity = nodes.activity[n] ?? Activity.idle;
      const gpus = nodeGpus[n] ?? 0;
      const model = nodeModel[n] ?? 0;
      const pod = nodePod[n] ?? -1;
      let watts: number;
      let estimate: number;
      if (activity === Activity.training) {
        const duty = nodes.duty[n] ?? 0;
        watts = (table.trainingWattsA[model] ?? 0) + (table.trainingWattsB[model] ?? 0) * duty;
        estimate = (table.trainingEstimateA[model] ?? 0) + (table.trainingEstimateB[model] ?? 0) * duty;
      } else {
        watts = table.watts[model * ACTIVITY_COUNT + activity] ?? 0;
        estimate = table.estimate[model * ACTIVITY_COUNT + activity] ?? 0;
      }
      const at = (pod >= 0 ? 1 + halls + pod : 0) * WIDTH;
      const state = ACTIVITY_STATE[activity] ?? 0;
      acc[at + state] = (acc[at + state] ?? 0) + gpus;
      if (!Number.isNaN(estimate)) {
        acc[at + EST_SUM] = (acc[at + EST_SUM] ?? 0) + gpus * estimate;
        acc[at + EST_GPUS] = (acc[at + EST_GPUS] ?? 0) + gpus;
      }
      acc[at + GPU_WATTS] = (acc[at + GPU_WATTS] ?? 0) + gpus * watts;
      acc[at + BASE_WATTS] = (acc[at + BASE_WATTS] ?? 0) + (nodeBaseWatts[n] ?? 0);
    }
    for (let p = 0; p < pods; p++) {
      const hall = podHall[p] ?? -1;
      addRow(hall >= 0 ? 1 + hall : 0, 1 + halls + p);
      const modelRow = podModelRow[p] ?? -1;
      if (modelRow >= 0) addRow(modelRow, 1 + halls + p);
    }
    for (let h = 0; h < halls; h++) addRow(0, 1 + h);
    return scopes.map((scope, row) => {
      const at = row * WIDTH;
      const withEstimate = acc[at + EST_GPUS] ?? 0;
      const itWatts = (acc[at + BASE_WATTS] ?? 0) + (1 + NODE_GPU_OVERHEAD) * (acc[at + GPU_WATTS] ?? 0);
      return {
        scope,
        ts: tsSeconds,
        utilization: withEstimate > 0 ? (acc[at + EST_SUM] ?? 0) / withEstimate : 0,
        itWatts,
        facilityWatts: itWatts * topology.site.pue,
        counts: countsFrom(acc, at),
      };
    });
  }

  function internalGpus(nodes: NodeActivity): number {
    let total = 0;
    for (let n = 0; n < nodeCount; n++) {
      if (isInternal(nodes.activity[n] ?? Activity.idle)) total += nodeGpus[n] ?? 0;
    }
    return total;
  }

  return { rollups, internalGpus };
}
