/**
 * The GPU models Headroom knows, keyed by the name the hardware reports (dcgm-exporter
 * `modelName`, nvidia-smi `name`), with each board's power cap, idle and held draw and memory.
 * A name that matches none of them is an *unknown model*: never taken for another (issue 19).
 *
 * Sources: board power and memory from NVIDIA's datasheets (cited per row). Idle and held draw
 * are measured only for the H100 SXM (fixtures/nvidia-smi: ≈ 70 W idle, 116–145 W held of
 * 700 W); for every other model they are scaled from the H100's ratios (idle ≈ 10 % of the
 * cap, held ≈ 17 %), and the rows say so. Memory is what nvidia-smi reports as `memory.total`
 * where we have a capture, else the datasheet's GB × 1,024 less ≈ 0.5 % reserved.
 */
export interface GpuModel {
  /** Stable key: the price book's key (`gpuHourUsd`), the API's `model` and the `model` label. */
  key: string;
  /** Names real hardware reports for this model, verbatim (the test runs each through the table). */
  reportedNames: readonly string[];
  /** Variants of those names (MIG suffixes, names without the `NVIDIA ` prefix); tried in MATCH_ORDER. */
  pattern: RegExp;
  /** Board power cap (TDP), W. */
  maxWatts: number;
  /** Truly idle: no CUDA context. */
  idleWatts: number;
  /** Context open and memory allocated, no kernels running. */
  heldWatts: number;
  memoryMiB: number;
}

/**
 * By model index: the order is part of the simulator's and the stored topology's contract (an
 * index is kept per node and per GPU slot), so models are only ever appended.
 */
export const GPU_MODELS: readonly GpuModel[] = [
  // H100 SXM5 80 GB: 700 W (H100 datasheet); idle/held measured (fixtures/nvidia-smi).
  {
    key: 'H100-SXM',
    reportedNames: ['NVIDIA H100 80GB HBM3'],
    pattern: /\bH100 (?:80GB HBM3|SXM)/i,
    maxWatts: 700,
    idleWatts: 70,
    heldWatts: 120,
    memoryMiB: 81559,
  },
  // H200 SXM 141 GB: 700 W (H200 datasheet); idle/held as the H100 SXM (same board power).
  {
    key: 'H200-SXM',
    reportedNames: ['NVIDIA H200'],
    pattern: /\bH200(?! NVL)\b/i,
    maxWatts: 700,
    idleWatts: 70,
    heldWatts: 120,
    memoryMiB: 143771,
  },
  // H100 PCIe 80 GB: 350 W (H100 datasheet); idle/held scaled from the H100 SXM.
  {
    key: 'H100-PCIE',
    reportedNames: ['NVIDIA H100 PCIe'],
    pattern: /\bH100 PCIe/i,
    maxWatts: 350,
    idleWatts: 35,
    heldWatts: 60,
    memoryMiB: 81559,
  },
  // GB200 (one Blackwell GPU of a Grace Blackwell superchip): 1,200 W (GB200 NVL72 datasheet). Idle from a
  // real capture (test/fixtures/dcgm-exporter/gb200-tray-sampled.txt: 156–174 W with no memory in use), not
  // the H100's 10 % — which would put a truly idle GB200 above the idle/held midpoint; held = idle + the
  // H100's held step as a share of cap (50 / 700 × 1,200 ≈ 85 W).
  {
    key: 'GB200',
    reportedNames: ['NVIDIA GB200'],
    pattern: /\bGB200\b/i,
    maxWatts: 1200,
    idleWatts: 165,
    heldWatts: 250,
    memoryMiB: 189471,
  },
  // B200 (HGX B200): 1,000 W (HGX B200 datasheet); scaled idle/held.
  {
    key: 'B200',
    reportedNames: ['NVIDIA B200'],
    pattern: /(?<!G)\bB200\b/i,
    maxWatts: 1000,
    idleWatts: 100,
    heldWatts: 170,
    memoryMiB: 183359,
  },
  // A100 SXM4 80 GB: 400 W (A100 datasheet); idle/held as before (50/70 W, scaled).
  {
    key: 'A100-80GB',
    reportedNames: ['NVIDIA A100-SXM4-80GB', 'NVIDIA A100-SXM-80GB'],
    pattern: /\bA100-SXM\d?-80GB/i,
    maxWatts: 400,
    idleWatts: 50,
    heldWatts: 70,
    memoryMiB: 81920,
  },
  // L40S 48 GB: 350 W (L40S datasheet); scaled idle/held.
  { key: 'L40S', reportedNames: ['NVIDIA L40S'], pattern: /\bL40S\b/i, maxWatts: 350, idleWatts: 35, heldWatts: 60, memoryMiB: 46068 },
  // H100 NVL 94 GB: 400 W (H100 NVL datasheet, 350–400 W configurable); scaled idle/held.
  {
    key: 'H100-NVL',
    reportedNames: ['NVIDIA H100 NVL'],
    pattern: /\bH100 NVL\b/i,
    maxWatts: 400,
    idleWatts: 40,
    heldWatts: 68,
    memoryMiB: 95830,
  },
  // H200 NVL 141 GB: 600 W (H200 datasheet, NVL column); scaled idle/held.
  {
    key: 'H200-NVL',
    reportedNames: ['NVIDIA H200 NVL'],
    pattern: /\bH200 NVL\b/i,
    maxWatts: 600,
    idleWatts: 60,
    heldWatts: 102,
    memoryMiB: 143771,
  },
  // H20 96 GB (China export part): 400 W (NVIDIA H20 product brief); scaled idle/held.
  { key: 'H20', reportedNames: ['NVIDIA H20'], pattern: /\bH20\b/i, maxWatts: 400, idleWatts: 40, heldWatts: 68, memoryMiB: 97871 },
  // A100 SXM4 40 GB: 400 W (A100 datasheet); idle/held as the A100 80 GB.
  {
    key: 'A100-40GB',
    reportedNames: ['NVIDIA A100-SXM4-40GB'],
    pattern: /\bA100-SXM\d?-40GB/i,
    maxWatts: 400,
    idleWatts: 50,
    heldWatts: 70,
    memoryMiB: 40960,
  },
  // A100 80 GB PCIe: 300 W (A100 datasheet); scaled idle/held.
  {
    key: 'A100-80GB-PCIE',
    reportedNames: ['NVIDIA A100 80GB PCIe'],
    pattern: /\bA100 80GB PCIe/i,
    maxWatts: 300,
    idleWatts: 30,
    heldWatts: 51,
    memoryMiB: 81920,
  },
  // A800 SXM4 80 GB (China export A100): 400 W (A800 datasheet); idle/held as the A100 80 GB.
  {
    key: 'A800',
    reportedNames: ['NVIDIA A800-SXM4-80GB'],
    pattern: /\bA800-SXM/i,
    maxWatts: 400,
    idleWatts: 50,
    heldWatts: 70,
    memoryMiB: 81920,
  },
  // L4 24 GB: 72 W (L4 datasheet); scaled idle/held.
  { key: 'L4', reportedNames: ['NVIDIA L4'], pattern: /\bL4\b/i, maxWatts: 72, idleWatts: 7, heldWatts: 12, memoryMiB: 23034 },
  // B300 (HGX B300, Blackwell Ultra) 288 GB: 1,100 W (HGX B300 datasheet); scaled idle/held.
  {
    key: 'B300',
    reportedNames: ['NVIDIA B300 SXM6 AC'],
    pattern: /(?<!G)\bB300\b/i,
    maxWatts: 1100,
    idleWatts: 110,
    heldWatts: 187,
    memoryMiB: 275040,
  },
  // GB300 (GB300 NVL72) 288 GB: 1,400 W (GB300 NVL72 datasheet); scaled idle/held.
  {
    key: 'GB300',
    reportedNames: ['NVIDIA GB300'],
    pattern: /\bGB300\b/i,
    maxWatts: 1400,
    idleWatts: 140,
    heldWatts: 238,
    memoryMiB: 284208,
  },
  // A100 PCIe 40 GB: 250 W (A100 datasheet); scaled idle/held.
  {
    key: 'A100-40GB-PCIE',
    reportedNames: ['NVIDIA A100-PCIE-40GB'],
    pattern: /\bA100-PCIE-40GB/i,
    maxWatts: 250,
    idleWatts: 25,
    heldWatts: 43,
    memoryMiB: 40960,
  },
  // A800 80 GB PCIe: 300 W (A800 PCIe datasheet); scaled idle/held.
  {
    key: 'A800-PCIE',
    reportedNames: ['NVIDIA A800 80GB PCIe'],
    pattern: /\bA800 80GB PCIe/i,
    maxWatts: 300,
    idleWatts: 30,
    heldWatts: 51,
    memoryMiB: 81920,
  },
];

/**
 * The model index of a GPU whose name matches no model (or that reports none where the topology
 * does not say). Kept in the same Uint8Array as real indexes; never an index into GPU_MODELS.
 */
export const UNKNOWN_MODEL_INDEX = 255;

/**
 * The order the patterns are tried in: the more specific first, so a GB200 is never a B200, an
 * H100 NVL or PCIe never an H100 SXM, an H200 NVL never an H200 SXM.
 */
const MATCH_ORDER: readonly string[] = [
  'GB300',
  'GB200',
  'B300',
  'B200',
  'H200-NVL',
  'H200-SXM',
  'H100-NVL',
  'H100-PCIE',
  'H100-SXM',
  'H20',
  'A800-PCIE',
  'A800',
  'A100-80GB-PCIE',
  'A100-40GB-PCIE',
  'A100-40GB',
  'A100-80GB',
  'L40S',
  'L4',
];

const INDEX_BY_KEY = new Map(GPU_MODELS.map((m, i) => [m.key, i]));
const INDEX_BY_NAME = new Map(GPU_MODELS.flatMap((m, i) => m.reportedNames.map((n) => [n.toLowerCase(), i] as const)));
const MATCHERS: ReadonlyArray<readonly [RegExp, number]> = MATCH_ORDER.map((key) => {
  const index = INDEX_BY_KEY.get(key);
  const model = index === undefined ? undefined : GPU_MODELS[index];
  if (index === undefined || model === undefined) throw new Error(`MATCH_ORDER names ${key}, which GPU_MODELS lacks`);
  return [model.pattern, index] as const;
});
if (MATCHERS.length !== GPU_MODELS.length) throw new Error('every GPU model must appear once in MATCH_ORDER');

/**
 * Index into GPU_MODELS for a reported model name: an exact reported name first, then the
 * patterns in MATCH_ORDER. UNKNOWN_MODEL_INDEX when nothing matches or no name is given —
 * never a guess. Runs once per new GPU, not per sample.
 */
export function findGpuModelIndex(modelName: string | null | undefined): number {
  if (!modelName) return UNKNOWN_MODEL_INDEX;
  const name = modelName.trim();
  const exact = INDEX_BY_NAME.get(name.toLowerCase());
  if (exact !== undefined) return exact;
  for (const [pattern, index] of MATCHERS) if (pattern.test(name)) return index;
  return UNKNOWN_MODEL_INDEX;
}

/** Index of a model by its key (`H100-SXM`), or null when no model has it. */
export function gpuModelIndexByKey(key: string): number | null {
  return INDEX_BY_KEY.get(key) ?? null;
}

export function isKnownModelIndex(index: number): boolean {
  return index >= 0 && index < GPU_MODELS.length;
}

/**
 * The model at a known index. Throws on UNKNOWN_MODEL_INDEX or any other index GPU_MODELS lacks:
 * a caller that can meet an unknown model asks {@link isKnownModelIndex} first.
 */
export function gpuModelAt(index: number): GpuModel {
  const model = GPU_MODELS[index];
  if (!model) throw new Error(`no GPU model at index ${index} (unknown model)`);
  return model;
}

/** How an unknown model is shown: `unknown model "<name>"` (`""` when the GPU reported no name). */
export function unknownModelLabel(reportedName: string | null): string {
  return `unknown model ${JSON.stringify(reportedName ?? '')}`;
}

/** The API's name of a slot's model: its key, or {@link unknownModelLabel}. */
export function modelLabel(index: number, reportedName: string | null): string {
  return isKnownModelIndex(index) ? gpuModelAt(index).key : unknownModelLabel(reportedName);
}
