import { findGpuModelIndex, isKnownModelIndex, UNKNOWN_MODEL_INDEX } from './gpu-models.js';
import type { RunningJob } from '../scheduler/scheduler-snapshot.js';
import type { Tenant } from '../scheduler/tenants.js';
import { GpuState } from './gpu-state.js';
import { addSlot, addUnplacedNode, type Topology } from './topology.js';

/**
 * The collector's live view of every GPU: a short ring of recent samples per GPU slot in
 * typed arrays (a Colossus-scale site has 196,608 slots), plus the verdicts the classifier
 * writes back. Plain data; the functions here and in apply-batch.ts / classify.ts change it
 * in place and read no clock.
 */
export interface FleetState {
  topology: Topology;
  /** Samples kept per GPU for the utilization window. */
  windowSize: number;
  /** Slots the typed arrays have room for (grows by doubling). */
  capacity: number;
  uuidOfSlot: (string | null)[];
  slotByUuid: Map<string, number>;
  /**
   * Per slot: index into GPU_MODELS, or UNKNOWN_MODEL_INDEX. Telemetry's name decides (the hardware's
   * own word, even where the topology says otherwise); a GPU reporting no name has its node's model.
   */
  modelIndex: Uint8Array;
  /** The name each GPU of an unknown model reported, by slot ('' when it reported none); no entry for known models. */
  unknownModelNames: Map<number, string>;
  /** Per slot: the newest enforced power limit reported, W; NaN when none was. */
  powerLimitWatts: Float32Array;
  /** Rings of `windowSize` per slot; NaN = field not reported in that sample. */
  utilRing: Float64Array;
  powerRing: Float64Array;
  memRing: Float64Array;
  /** Sample time per ring entry, unix ms; 0 = empty entry. */
  timeRing: Float64Array;
  /** Next ring position to write per slot. */
  ringHead: Uint8Array;
  memTotalMiB: Float32Array;
  /** 1 while the GPU's last XID needs a reset (fallen off the bus, uncorrectable ECC, …). */
  xidFatal: Uint8Array;
  /** 1 when the latest report for the slot failed (target down, garbage, blank sentinels). */
  missing: Uint8Array;
  /** Verdicts written by classifyFleet. */
  state: Uint8Array;
  /** Utilization estimate 0–1 over the window; NaN without a verdict. */
  utilization: Float32Array;
  /** Per node: drained by the scheduler (maintenance). */
  drained: Uint8Array;
  drainReason: Map<number, string>;
  /** Per pod: delivered to a resale customer. */
  podSold: Uint8Array;
  /** The scheduler's view, laid over telemetry (domain/scheduler/allocation.ts writes it, classify reads it). */
  sched: SchedulerOverlay;
  meters: Map<string, { scope: string; watts: number; atMs: number }>;
  /** GPUs swapped out, by their UUID: a UUID once seen stays known (issue 16 item 11). */
  replaced: Map<string, GpuReplacement>;
}

/** A GPU whose slot (host and index) a new UUID took: the old card was swapped out. */
export interface GpuReplacement {
  uuid: string;
  slot: number;
  host: string;
  gpuIndex: number;
  replacedBy: string;
  atMs: number;
}

/**
 * Per node and per slot, what the scheduler says. Typed arrays: classify reads them for every
 * one of a Colossus' 196,608 slots each round.
 */
export interface SchedulerOverlay {
  /** Per node: 0 no scheduler covers it, 1 covered with fresh allocation, 2 covered but stale. */
  cover: Uint8Array;
  /**
   * Per node: 1 down by the scheduler (drained, down, in a maintenance window), 2 draining (only
   * the GPUs no job holds are down); reason in downReason.
   */
  down: Uint8Array;
  downReason: Map<number, string>;
  /** Per slot: index of the running job (in the snapshot's `running`) holding the GPU; -1 none. */
  job: Int32Array;
  /** Per slot, written by classify: 1 when the verdict came from the scheduler's allocation. */
  source: Uint8Array;
  /** Per slot, written by classify: memory or compute in use on a GPU no job holds (reported held). */
  orphaned: Uint8Array;
  /** The running jobs `job` indexes (the last snapshot's). */
  jobs: readonly RunningJob[];
  /** Per job (indexed like `jobs`): its tenant by the tenants configuration; null unknown. */
  jobTenant: ReadonlyArray<Tenant | null>;
}

export const DEFAULT_WINDOW_SIZE = 6;

export function createFleetState(topology: Topology, windowSize = DEFAULT_WINDOW_SIZE): FleetState {
  const capacity = Math.max(16, topology.slotNode.length);
  const state: FleetState = {
    topology,
    windowSize,
    capacity: 0,
    uuidOfSlot: [],
    slotByUuid: new Map(),
    modelIndex: new Uint8Array(0),
    unknownModelNames: new Map(),
    powerLimitWatts: new Float32Array(0),
    utilRing: new Float64Array(0),
    powerRing: new Float64Array(0),
    memRing: new Float64Array(0),
    timeRing: new Float64Array(0),
    ringHead: new Uint8Array(0),
    memTotalMiB: new Float32Array(0),
    xidFatal: new Uint8Array(0),
    missing: new Uint8Array(0),
    state: new Uint8Array(0),
    utilization: new Float32Array(0),
    drained: new Uint8Array(Math.max(16, topology.nodes.length)),
    drainReason: new Map(),
    podSold: new Uint8Array(topology.pods.length),
    sched: {
      cover: new Uint8Array(Math.max(16, topology.nodes.length)),
      down: new Uint8Array(Math.max(16, topology.nodes.length)),
      downReason: new Map(),
      job: new Int32Array(0),
      source: new Uint8Array(0),
      orphaned: new Uint8Array(0),
      jobs: [],
      jobTenant: [],
    },
    meters: new Map(),
    replaced: new Map(),
  };
  growSlots(state, capacity);
  for (let slot = 0; slot < topology.slotNode.length; slot++) resetSlotModel(state, slot);
  return state;
}

function grow<T extends Float32Array | Float64Array | Uint8Array | Int32Array>(old: T, length: number, fill: number): T {
  const next = new (old.constructor as new (n: number) => T)(length);
  next.fill(fill);
  next.set(old);
  return next;
}

function growSlots(state: FleetState, capacity: number): void {
  const w = state.windowSize;
  state.modelIndex = grow(state.modelIndex, capacity, UNKNOWN_MODEL_INDEX);
  state.powerLimitWatts = grow(state.powerLimitWatts, capacity, Number.NaN);
  state.utilRing = grow(state.utilRing, capacity * w, Number.NaN);
  state.powerRing = grow(state.powerRing, capacity * w, Number.NaN);
  state.memRing = grow(state.memRing, capacity * w, Number.NaN);
  state.timeRing = grow(state.timeRing, capacity * w, 0);
  state.ringHead = grow(state.ringHead, capacity, 0);
  state.memTotalMiB = grow(state.memTotalMiB, capacity, Number.NaN);
  state.xidFatal = grow(state.xidFatal, capacity, 0);
  state.missing = grow(state.missing, capacity, 0);
  state.state = grow(state.state, capacity, GpuState.unknown);
  state.utilization = grow(state.utilization, capacity, Number.NaN);
  state.sched.job = grow(state.sched.job, capacity, -1);
  state.sched.source = grow(state.sched.source, capacity, 0);
  state.sched.orphaned = grow(state.sched.orphaned, capacity, 0);
  state.capacity = capacity;
}

function ensureSlotCapacity(state: FleetState): void {
  if (state.topology.slotNode.length > state.capacity) growSlots(state, state.capacity * 2);
  if (state.topology.nodes.length > state.drained.length) {
    state.drained = grow(state.drained, state.drained.length * 2, 0);
    state.sched.cover = grow(state.sched.cover, state.drained.length, 0);
    state.sched.down = grow(state.sched.down, state.drained.length, 0);
  }
}

export function slotCount(state: FleetState): number {
  return state.topology.slotNode.length;
}

/** A new binding of a GPU UUID to a slot, for the caller to persist. */
export interface SlotBinding {
  slot: number;
  uuid: string;
  host: string;
  gpuIndex: number;
  model: string | null;
  /** The UUID this one displaced from the slot (a GPU swap), if any. */
  replaces?: string;
}

/** Index of a node by host, registering an unplaced node on first sight (never dropped). */
export function resolveNode(state: FleetState, host: string, modelName: string | null): number {
  const known = state.topology.nodeByHost.get(host);
  if (known !== undefined) return known;
  const node = addUnplacedNode(state.topology, host, modelName);
  ensureSlotCapacity(state);
  return node.index;
}

/**
 * The slot a GPU's samples go to. A UUID seen before keeps its slot. A new UUID takes the
 * slot its host and index name in the topology (replacing a GPU swapped out there), or, on an
 * unplaced host or an index the topology lacks, a new slot on that node.
 */
export function resolveSlot(
  state: FleetState,
  uuid: string,
  host: string,
  gpuIndex: number,
  modelName: string | null,
  bindings: SlotBinding[],
): number {
  const known = state.slotByUuid.get(uuid);
  if (known !== undefined) return known;
  const nodeIndex = resolveNode(state, host, modelName);
  const node = state.topology.nodes[nodeIndex];
  if (!node) throw new Error(`node ${nodeIndex} vanished`);
  let slot = gpuIndex >= 0 ? node.slots[gpuIndex] : undefined;
  if (slot === undefined) slot = appendSlot(state, nodeIndex);
  const previous = state.uuidOfSlot[slot];
  if (previous) {
    state.slotByUuid.delete(previous);
    // A swapped-in card is a new GPU: the old one's samples and verdict are not its own.
    clearSlot(state, slot);
  }
  const own = bindSlot(state, slot, uuid, modelName);
  // Own copies too: a binding waits for the end of the round to be saved, and a slice would keep
  // its scraped text alive that long — long enough to be promoted (400 MB in a first Colossus round).
  const model = modelName === null ? null : ownCopy(modelName);
  const index = gpuIndex >= 0 ? gpuIndex : node.slots.indexOf(slot);
  bindings.push({ slot, uuid: own, host: ownCopy(host), gpuIndex: index, model, ...(previous ? { replaces: previous } : {}) });
  return slot;
}

/** Empties a slot's window and verdict, so its next GPU starts with no samples (unknown until it has enough). */
function clearSlot(state: FleetState, slot: number): void {
  const w = state.windowSize;
  state.utilRing.fill(Number.NaN, slot * w, (slot + 1) * w);
  state.powerRing.fill(Number.NaN, slot * w, (slot + 1) * w);
  state.memRing.fill(Number.NaN, slot * w, (slot + 1) * w);
  state.timeRing.fill(0, slot * w, (slot + 1) * w);
  state.ringHead[slot] = 0;
  state.memTotalMiB[slot] = Number.NaN;
  state.xidFatal[slot] = 0;
  state.missing[slot] = 0;
  state.state[slot] = GpuState.unknown;
  state.utilization[slot] = Number.NaN;
  state.powerLimitWatts[slot] = Number.NaN;
  resetSlotModel(state, slot);
}

/** A slot's model before its GPU names one: its node's (the topology's, or an unplaced node's first name). */
function resetSlotModel(state: FleetState, slot: number): void {
  const node = state.topology.nodes[state.topology.slotNode[slot] ?? -1];
  const index = node?.modelIndex ?? UNKNOWN_MODEL_INDEX;
  state.modelIndex[slot] = index;
  if (isKnownModelIndex(index)) state.unknownModelNames.delete(slot);
  else state.unknownModelNames.set(slot, '');
}

/** Adds a GPU slot to a node, growing the state's arrays to hold it. */
export function appendSlot(state: FleetState, nodeIndex: number): number {
  const node = state.topology.nodes[nodeIndex];
  if (!node) throw new Error(`no node ${nodeIndex}`);
  const slot = addSlot(state.topology, node);
  ensureSlotCapacity(state);
  resetSlotModel(state, slot);
  return slot;
}

/**
 * Records that `uuid` lives in `slot` (also used when restoring bindings from disk); returns the UUID
 * as kept. A reported model name sets the slot's model, or marks it unknown keeping the name; without
 * one the slot keeps its node's model.
 */
export function bindSlot(state: FleetState, slot: number, uuid: string, modelName: string | null): string {
  const own = ownCopy(uuid);
  state.uuidOfSlot[slot] = own;
  state.slotByUuid.set(own, slot);
  if (modelName) {
    const index = findGpuModelIndex(modelName);
    state.modelIndex[slot] = index;
    if (isKnownModelIndex(index)) state.unknownModelNames.delete(slot);
    else state.unknownModelNames.set(slot, ownCopy(modelName.trim()));
  }
  return own;
}

/**
 * A copy of `s` that holds its own characters. A label value the parser cut out of a scrape is a
 * view into the whole text (V8 keeps substrings of 13 or more characters as slices of their
 * parent): kept in the UUID index, each UUID kept its node's ≈ 16-KB text alive — 400 MB at
 * Colossus scale for a process that learnt its GPUs from scrapes. Runs once per new UUID.
 */
function ownCopy(s: string): string {
  // Concatenation makes a new (cons) string and slicing flattens it into a copy: ≈ 0.1 µs, where
  // splitting and joining took ≈ 1 µs (196,608 UUIDs in a first Colossus round).
  return (s + ' ').slice(0, -1);
}

/** Index of the newest ring entry of a slot. */
export function newestRingIndex(state: FleetState, slot: number): number {
  const w = state.windowSize;
  return slot * w + (((state.ringHead[slot] ?? 0) + w - 1) % w);
}
