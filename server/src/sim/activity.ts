import { GpuState, type GpuStateCode } from '../domain/fleet/gpu-state.js';

/**
 * What a node is doing at one moment. Every GPU of a node shares its node's activity:
 * training jobs hold whole pods, inference is allocated node by node, failures and
 * maintenance take whole nodes. So the model is resolved per node and GPUs only add noise.
 */
export const Activity = {
  /** Nothing allocated. */
  idle: 0,
  /** Training job loading data: memory allocated, no kernels yet. */
  loading: 1,
  /** Training job computing. */
  training: 2,
  /** Training job stuck: memory held for the whole slot, no kernels. */
  stuck: 3,
  /** Inference node serving traffic, bursty. */
  serving: 4,
  /** Inference node with a model loaded and no traffic. */
  standby: 5,
  /** Pod sold to a customer, running the customer's work. */
  sold: 6,
  /** Node failed (XID 79, fallen off the bus): GPUs report blanks. */
  failed: 7,
  /** Pod drained for maintenance: idle-like telemetry, down in truth. */
  maintenance: 8,
  /**
   * Training job allocated whose process never started or died (setup, a hang after a crash):
   * no memory, no kernels. Telemetry alone reads it idle; by allocation it is held — the
   * "most wasted GPUs" operators ask to see.
   */
  noProcess: 9,
  /** No job allocated, yet a process holds memory (a leftover outside any job): held-looking, idle by allocation. */
  orphan: 10,
} as const;
export type ActivityCode = (typeof Activity)[keyof typeof Activity];

/**
 * Truth state of a GPU per activity code, as telemetry tells it (memory without kernels is
 * held, no memory is idle): what a perfect reader of the GPU's own telemetry would say.
 * ALLOCATION_STATE is the truth by the scheduler's allocation.
 */
export const ACTIVITY_STATE: readonly GpuStateCode[] = [
  GpuState.idle,
  GpuState.held,
  GpuState.busy,
  GpuState.held,
  GpuState.busy,
  GpuState.held,
  GpuState.sold,
  GpuState.down,
  GpuState.down,
  GpuState.idle,
  GpuState.held,
];

/**
 * Truth state by allocation (issue 18's rules): allocated and computing → busy, allocated and
 * not computing → held whatever the memory says, not allocated → idle (an orphan's memory does
 * not make it allocated), a customer's allocation → sold.
 */
export const ALLOCATION_STATE: readonly GpuStateCode[] = ACTIVITY_STATE.map((state, activity) =>
  activity === Activity.noProcess ? GpuState.held : activity === Activity.orphan ? GpuState.idle : state,
);

/** Whether the activity is the owner's internal work (busy or held, not sold), allocated by its scheduler. */
export function isInternal(activity: number): boolean {
  return (activity >= Activity.loading && activity <= Activity.standby) || activity === Activity.noProcess;
}

/** Per-node resolution of the model at one moment, in typed arrays indexed by node. */
export interface NodeActivity {
  /** ActivityCode per node. */
  activity: Uint8Array;
  /** 1 when the node's pod is drained for maintenance (even if the node also failed). */
  drained: Uint8Array;
  /** Seeded key of the job, inference slot or sale on the node (memory size, k8s pod name). */
  jobKey: Uint32Array;
  /** Duty of a training job or a sold pod; serving duty is drawn per tick instead. */
  duty: Float32Array;
  /** Share of the loading phase done (memory ramps up while a job loads). */
  progress: Float32Array;
}

export function createNodeActivity(nodeCount: number): NodeActivity {
  return {
    activity: new Uint8Array(nodeCount),
    drained: new Uint8Array(nodeCount),
    jobKey: new Uint32Array(nodeCount),
    duty: new Float32Array(nodeCount),
    progress: new Float32Array(nodeCount),
  };
}
