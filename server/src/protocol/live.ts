/**
 * The live protocol between the server (outputs/live/) and the dashboard (client/): socket.io event
 * names and payloads. Plain types and one codec, no imports, so client/ imports this file as is.
 *
 * On connect the server emits `snapshot` (everything the page needs to draw), then `update` after
 * each collection round that changed the fleet (throttled to at most one per UPDATE_MIN_INTERVAL_MS),
 * `alerts` when alert states or delivery state change, and `progress` while the start-up backfill runs.
 * `closing` comes just before the server ends a connection itself, saying why (a revoked token).
 * Charts load history over REST (/api/v1/history) when their range changes and append the
 * headline points of each `update`; there is no polling.
 */

export const LIVE_EVENTS = {
  snapshot: 'snapshot',
  update: 'update',
  alerts: 'alerts',
  progress: 'progress',
  closing: 'closing',
} as const;

/** Why the server is about to disconnect this socket (socket.io's own reason is only "io server disconnect"). */
export interface Closing {
  reason: string;
}

export const UPDATE_MIN_INTERVAL_MS = 1_000;

/** Headline figures: the numbers at the top of the page; equal to GET /api/v1/fleet and /capacity at `atMs`. */
export interface Headline {
  /** Collection time of the fleet summary these figures are from, unix ms. */
  atMs: number;
  site: { id: string; name: string };
  power: { feedWatts: number; itDrawWatts: number; facilityDrawWatts: number; headroomWatts: number; strandedWatts: number | null };
  gpus: { total: number; busy: number; held: number; idle: number; sold: number; down: number; unknown: number };
  /** null while history loads (the capacity report needs it). */
  capacity: {
    /**
     * The terms of sellable, from the one report, so the page's equation adds up exactly:
     * upGpus − reserveGpus − soldGpus + overcommittedGpus − outsideBlocksGpus = sellableGpus.
     */
    upGpus: number;
    soldGpus: number;
    overcommittedGpus: number;
    outsideBlocksGpus: number;
    reserveGpus: number;
    sellableGpus: number;
    /** What the power headroom must carry: the blocks' added draw within headroom − reserved growth. */
    headroomWatts: number;
    reservedGrowthWatts: number;
    sellableAddedWatts: number;
    limitedBy: 'gpus' | 'power' | 'blocks';
    sellableWatts: number;
    sellableBlocks: number;
    sellableValueUsdPerMonth: number;
    /** The sellable blocks summed per GPU model (a block is of one model), models in the order their first block comes. */
    sellableByModel: SellableOfModel[];
  } | null;
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null; firstRiskAt: string | null } | null;
  contracts: { active: number; revenueUsdPerMonth: number; contractedGpus: number };
  /** The demand plans: how many, and a number that changes with every change to them (the page re-reads them then). */
  plans: PlansFigures;
  /** GPUs of models the model table lacks, by reported name, most first: GET /api/v1/fleet's `unknownModels`. */
  unknownModels: Array<{ name: string; gpus: number }>;
}

export interface SellableOfModel {
  model: string;
  blocks: number;
  gpus: number;
  /** Facility watts at full load. */
  watts: number;
  valueUsdPerMonth: number;
}

export interface PlansFigures {
  count: number;
  revision: number;
}

export interface AlertsState {
  active: Array<{ fingerprint: string; status: 'pending' | 'firing'; severity: string; alertname: string; summary: string; since: string }>;
  delivery: { pending: number; dead: number; oldestPendingAgeSeconds: number };
}

/** Halls and their pods in heatmap order (sent once, in the snapshot). */
export interface Layout {
  halls: Array<{ id: string; pods: string[] }>;
  /** Per pod in heatmap order (each hall's pods in turn): what the fabric unit is. */
  units: LayoutUnit[];
}

/** A pod as a fabric unit of one GPU model (the topology's Pod.modelIndex and Pod.fabric; GET /fleet/pods says the same). */
export interface LayoutUnit {
  /** GPU model key (`H100-SXM`, `GB200`). */
  model: string;
  fabric: 'nvlink' | 'leaf' | 'scalable-unit' | 'pod';
  gpus: number;
}

export interface Snapshot {
  headline: Headline;
  layout: Layout;
  /** encodeHeatmap(): per pod utilization and GPUs by state, binary. */
  heatmap: ArrayBuffer;
  alerts: AlertsState;
  /** Backfill progress; null when none runs. */
  progress: Progress | null;
}

export interface Update {
  headline: Headline;
  heatmap: ArrayBuffer;
}

export interface Progress {
  phase: 'backfill';
  done: number;
  total: number;
}

/**
 * Heatmap frame: a header, then one record per pod in Layout order.
 *   header: u8 version (1), u8 reserved, u16 pods, f64 atMs            (12 bytes)
 *   per pod: u8 utilization (0–250 = 0–100 %, 255 = unknown), u8 flags (bit 0: sold to a
 *            customer, bit 1: in a sellable block), u16 × 6 GPUs busy, held, idle, sold, down, unknown
 *                                                                        (14 bytes)
 * Little-endian. Colossus: 768 pods → 10,764 bytes.
 */
export const HEATMAP_VERSION = 1;
export const HEATMAP_HEADER_BYTES = 12;
export const HEATMAP_POD_BYTES = 14;
export const HEATMAP_STATES = ['busy', 'held', 'idle', 'sold', 'down', 'unknown'] as const;
export const FLAG_SOLD = 1;
export const FLAG_SELLABLE = 2;

export interface PodCell {
  /** 0–1, or null when unknown. */
  utilization: number | null;
  sold: boolean;
  sellable: boolean;
  /** GPUs by state, in HEATMAP_STATES order. */
  counts: number[];
}

export function encodeHeatmap(atMs: number, pods: readonly PodCell[]): ArrayBuffer {
  const buffer = new ArrayBuffer(HEATMAP_HEADER_BYTES + pods.length * HEATMAP_POD_BYTES);
  const view = new DataView(buffer);
  view.setUint8(0, HEATMAP_VERSION);
  view.setUint16(2, pods.length, true);
  view.setFloat64(4, atMs, true);
  pods.forEach((pod, i) => {
    const at = HEATMAP_HEADER_BYTES + i * HEATMAP_POD_BYTES;
    view.setUint8(at, pod.utilization === null ? 255 : Math.round(Math.min(1, Math.max(0, pod.utilization)) * 250));
    view.setUint8(at + 1, (pod.sold ? FLAG_SOLD : 0) | (pod.sellable ? FLAG_SELLABLE : 0));
    for (let s = 0; s < HEATMAP_STATES.length; s++) view.setUint16(at + 2 + s * 2, Math.min(65_535, pod.counts[s] ?? 0), true);
  });
  return buffer;
}

export function decodeHeatmap(buffer: ArrayBuffer): { atMs: number; pods: PodCell[] } {
  const view = new DataView(buffer);
  if (view.getUint8(0) !== HEATMAP_VERSION) throw new Error(`heatmap frame version ${view.getUint8(0)}, expected ${HEATMAP_VERSION}`);
  const count = view.getUint16(2, true);
  const pods: PodCell[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEATMAP_HEADER_BYTES + i * HEATMAP_POD_BYTES;
    const u = view.getUint8(at);
    const flags = view.getUint8(at + 1);
    pods.push({
      utilization: u === 255 ? null : u / 250,
      sold: (flags & FLAG_SOLD) !== 0,
      sellable: (flags & FLAG_SELLABLE) !== 0,
      counts: HEATMAP_STATES.map((_, s) => view.getUint16(at + 2 + s * 2, true)),
    });
  }
  return { atMs: view.getFloat64(4, true), pods };
}
