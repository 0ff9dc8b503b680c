import { Buffer } from 'node:buffer';
import type { Topology } from '../domain/fleet/topology.js';
import { Activity, type NodeActivity } from './activity.js';
import {
  DRIVER_VERSION,
  GPU_UUID_LENGTH,
  gpuUuid,
  INFERENCE_CONTAINER,
  INFERENCE_NAMESPACE,
  inferencePodName,
  modelDisplayName,
  pciBusIdOf,
  writeGpuUuid,
} from './identity.js';
import { inferenceHalves, inferenceJobKey } from './scheduler.js';
import type { GpuSamples } from './telemetry.js';

/**
 * Renders one node's samples as a real dcgm-exporter serves them (Prometheus text format,
 * fixtures/dcgm-exporter): each family opens with `# HELP` and `# TYPE`, families in the order
 * of the exporter's default-counters.csv, labels in the real order (gpu, UUID, pci_bus_id,
 * device, modelName, Hostname, DCGM_FI_DRIVER_VERSION, then container, namespace, pod,
 * pod_uid="" on GPUs that run an internal Kubernetes inference pod: one pod per inference job of
 * the simulated Slurm, on the same GPUs — the whole node or its two halves — named from the
 * same key, so the pod labels and the scheduler tell one allocation). Float fields (power,
 * profiling ratios) print with six decimals (Go's %f), integer fields as integers. A GPU
 * that fell off the bus reports blank sentinels, and XID 79.
 *
 * A Colossus tick is ≈ 400 MB of text, so lines are assembled as bytes: fixed pieces (family
 * prefixes, each GPU's labels) are laid out once in one byte array and copied with
 * copyWithin, values are written digit by digit, and each node becomes one flat string.
 */

/** An int64 blank as the exporter prints it: DCGM_INT64_BLANK (0x7ffffffffffffff0) + 2, "not supported". */
export const INT_BLANK_TEXT = '9223372036854775794';
/** DCGM_FP64_BLANK (2^47) as the exporter prints a float blank with %f. */
export const FLOAT_BLANK_TEXT = '140737488355328.000000';

/** Field kinds: how a family's values print. */
const Kind = { int: 0, milli: 1, micro: 2 } as const;

interface Family {
  name: string;
  help: string;
  kind: number;
  /** Reads the family's value of slot s (an integer, scaled per kind). */
  read: (samples: GpuSamples, s: number) => number;
  /** Whether the field reads as a blank on a GPU that fell off the bus. */
  blanks: boolean;
}

const FAMILIES: readonly Family[] = [
  {
    name: 'DCGM_FI_DEV_SM_CLOCK',
    help: 'SM clock frequency (in MHz).',
    kind: Kind.int,
    blanks: true,
    read: (x, s) => x.smClockMhz[s] ?? 0,
  },
  { name: 'DCGM_FI_DEV_GPU_TEMP', help: 'GPU temperature (in C).', kind: Kind.int, blanks: true, read: (x, s) => x.tempC[s] ?? 0 },
  {
    name: 'DCGM_FI_DEV_POWER_USAGE',
    help: 'Power draw (in W).',
    kind: Kind.milli,
    blanks: true,
    read: (x, s) => x.powerMilliwatts[s] ?? 0,
  },
  { name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', kind: Kind.int, blanks: true, read: (x, s) => x.utilPercent[s] ?? 0 },
  {
    name: 'DCGM_FI_DEV_XID_ERRORS',
    help: 'Value of the last XID error encountered.',
    kind: Kind.int,
    blanks: false,
    read: (x, s) => x.xid[s] ?? 0,
  },
  {
    name: 'DCGM_FI_DEV_FB_FREE',
    help: 'Framebuffer memory free (in MiB).',
    kind: Kind.int,
    blanks: true,
    read: (x, s) => (x.fbTotalMiB[s] ?? 0) - (x.fbUsedMiB[s] ?? 0),
  },
  {
    name: 'DCGM_FI_DEV_FB_USED',
    help: 'Framebuffer memory used (in MiB).',
    kind: Kind.int,
    blanks: true,
    read: (x, s) => x.fbUsedMiB[s] ?? 0,
  },
  {
    name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    help: 'Ratio of time the graphics engine is active.',
    kind: Kind.micro,
    blanks: true,
    read: (x, s) => x.grActiveMicro[s] ?? 0,
  },
];

/** Metric family names the simulator exports, in output order. */
export const DCGM_FAMILIES: readonly string[] = FAMILIES.map((f) => f.name);

const NEWLINE = 0x0a;
const DOT = 0x2e;
const ZERO = 0x30;
/** Longest value text (the int blank) plus `} ` and the newline. */
const MAX_VALUE_BYTES = INT_BLANK_TEXT.length + 3;
/** Room for the container/namespace/pod/pod_uid labels of one pod; a node holds at most two. */
const K8S_BYTES = 160;

/** A piece of text laid out in the byte array: [start, start + length). */
interface Piece {
  start: number;
  length: number;
}

export class DcgmRenderer {
  private bytes = new Uint8Array(0);
  private view = Buffer.alloc(0);
  private headers: Piece[] = [];
  private prefixes: Piece[] = [];
  private intBlank: Piece = { start: 0, length: 0 };
  private floatBlank: Piece = { start: 0, length: 0 };
  private k8sStart = 0;
  /** Start of each slot's label bytes; lengths in labelLength. */
  private labelStart = new Int32Array(0);
  private labelLength = new Uint16Array(0);
  private outStart = 0;

  constructor(
    private readonly topology: Topology,
    private readonly seed: number,
    /** Whether inference GPUs carry their pods' labels (dcgm-exporter's Kubernetes attribution). */
    private readonly podLabels = true,
  ) {}

  uuidOf(slot: number): string {
    return gpuUuid(this.seed, slot);
  }

  /**
   * Lays out every fixed piece once: family headers and prefixes, blank sentinels and the
   * labels of every GPU (≈ 33 MB for Colossus), each label as head + UUID + tail pieces.
   */
  private layOut(): void {
    const { nodes, slotNode, slotGpuIndex } = this.topology;
    const texts: Array<[string, number]> = [];
    const place = (text: string, at: number): Piece => {
      texts.push([text, at]);
      return { start: at, length: text.length };
    };
    let at = 0;
    this.headers = [];
    this.prefixes = [];
    for (const family of FAMILIES) {
      const header = place(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`, at);
      at += header.length;
      const prefix = place(`${family.name}{`, at);
      at += prefix.length;
      this.headers.push(header);
      this.prefixes.push(prefix);
    }
    this.intBlank = place(INT_BLANK_TEXT, at);
    at += this.intBlank.length;
    this.floatBlank = place(FLOAT_BLANK_TEXT, at);
    at += this.floatBlank.length;
    const tails = nodes.map(
      (node) => `",modelName="${modelDisplayName(node.modelIndex)}",Hostname="${node.host}",DCGM_FI_DRIVER_VERSION="${DRIVER_VERSION}"`,
    );
    const heads: string[] = [];
    // By GPU index and model: a GB200 tray's bus ids are not an HGX board's.
    const mids = new Map<number, string>();
    const slots = slotNode.length;
    this.labelStart = new Int32Array(slots);
    this.labelLength = new Uint16Array(slots);
    const uuidAt = new Int32Array(slots);
    for (let s = 0; s < slots; s++) {
      const gpu = slotGpuIndex[s] ?? 0;
      const head = (heads[gpu] ??= `gpu="${gpu}",UUID="`);
      const modelIndex = nodes[slotNode[s] ?? 0]?.modelIndex ?? 0;
      const midKey = modelIndex * 1024 + gpu;
      let mid = mids.get(midKey);
      if (mid === undefined) {
        mid = `",pci_bus_id="${pciBusIdOf(gpu, modelIndex)}",device="nvidia${gpu}`;
        mids.set(midKey, mid);
      }
      this.labelStart[s] = at;
      place(head, at);
      uuidAt[s] = at + head.length;
      const piece = place(mid + (tails[slotNode[s] ?? 0] ?? ''), at + head.length + GPU_UUID_LENGTH);
      at = piece.start + piece.length;
      this.labelLength[s] = at - (this.labelStart[s] ?? 0);
    }
    this.k8sStart = at;
    this.outStart = at + 2 * K8S_BYTES;
    this.grow(this.outStart + 64 * 1024);
    for (const [text, offset] of texts) this.view.write(text, offset, 'latin1');
    for (let s = 0; s < slots; s++) writeGpuUuid(this.seed, s, this.bytes, uuidAt[s] ?? 0);
  }

  private grow(size: number): void {
    const bigger = new Uint8Array(size);
    bigger.set(this.bytes.subarray(0, Math.min(this.bytes.length, size)));
    this.bytes = bigger;
    this.view = Buffer.from(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  private copy(piece: Piece, at: number): number {
    this.bytes.copyWithin(at, piece.start, piece.start + piece.length);
    return at + piece.length;
  }

  /** Writes a non-negative integer's digits at `at`, zero-padded to `width`; returns the end. */
  private digits(value: number, at: number, width: number): number {
    let length = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) length++;
    if (length < width) length = width;
    let v = value;
    for (let i = at + length - 1; i >= at; i--) {
      this.bytes[i] = ZERO + (v % 10);
      v = Math.floor(v / 10);
    }
    return at + length;
  }

  private value(family: Family, samples: GpuSamples, s: number, at: number): number {
    if (family.blanks && samples.blank[s] === 1) return this.copy(family.kind === Kind.int ? this.intBlank : this.floatBlank, at);
    const value = family.read(samples, s);
    if (family.kind === Kind.int) return this.digits(value, at, 1);
    const scale = family.kind === Kind.milli ? 1000 : 1_000_000;
    let end = this.digits(Math.floor(value / scale), at, 1);
    this.bytes[end++] = DOT;
    end = this.digits(value % scale, end, family.kind === Kind.milli ? 3 : 6);
    if (family.kind === Kind.milli) for (let i = 0; i < 3; i++) this.bytes[end++] = ZERO;
    return end;
  }

  /** The exporter text of one node at the tick `samples` and `nodes` hold. */
  render(nodeIndex: number, samples: GpuSamples, nodes: NodeActivity): string {
    const node = this.topology.nodes[nodeIndex];
    if (!node) throw new RangeError(`no node ${nodeIndex}`);
    if (this.labelStart.length !== this.topology.slotNode.length) this.layOut();
    const activity = nodes.activity[nodeIndex];
    // The inference jobs' pods: [first GPU, piece] per job, the whole node or two halves.
    const pods: Array<[number, Piece]> = [];
    if (this.podLabels && (activity === Activity.serving || activity === Activity.standby)) {
      const slotKey = nodes.jobKey[nodeIndex] ?? 0;
      for (const [i, [firstGpu]] of inferenceHalves(slotKey, node.slots.length).entries()) {
        const pod = inferencePodName(inferenceJobKey(slotKey, firstGpu));
        const text = `,container="${INFERENCE_CONTAINER}",namespace="${INFERENCE_NAMESPACE}",pod="${pod}",pod_uid=""`;
        const start = this.k8sStart + i * K8S_BYTES;
        pods.push([firstGpu, { start, length: this.view.write(text, start, K8S_BYTES, 'latin1') }]);
      }
    }
    const podOf = (s: number): Piece | null => {
      const gpu = this.topology.slotGpuIndex[s] ?? 0;
      let piece: Piece | null = null;
      for (const [firstGpu, p] of pods) if (gpu >= firstGpu) piece = p;
      return piece;
    };
    const k8sBytes = pods.reduce((most, [, p]) => Math.max(most, p.length), 0);
    let bound = 0;
    for (const [f, header] of this.headers.entries()) {
      bound += header.length;
      for (const s of node.slots) bound += (this.prefixes[f]?.length ?? 0) + (this.labelLength[s] ?? 0) + k8sBytes + MAX_VALUE_BYTES;
    }
    if (this.outStart + bound > this.bytes.length) this.grow(this.outStart + 2 * bound);
    const bytes = this.bytes;
    let at = this.outStart;
    for (const [f, family] of FAMILIES.entries()) {
      const prefix = this.prefixes[f];
      const header = this.headers[f];
      if (!prefix || !header) continue;
      at = this.copy(header, at);
      for (const s of node.slots) {
        at = this.copy(prefix, at);
        const start = this.labelStart[s] ?? 0;
        bytes.copyWithin(at, start, start + (this.labelLength[s] ?? 0));
        at += this.labelLength[s] ?? 0;
        const pod = pods.length > 0 ? podOf(s) : null;
        if (pod) at = this.copy(pod, at);
        bytes[at++] = 0x7d; // }
        bytes[at++] = 0x20;
        at = this.value(family, samples, s, at);
        bytes[at++] = NEWLINE;
      }
    }
    return this.view.toString('latin1', this.outStart, at);
  }
}
