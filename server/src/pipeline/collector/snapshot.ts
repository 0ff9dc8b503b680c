import type { FleetState } from '../../domain/fleet/fleet-state.js';

/**
 * Fleet state as named byte arrays for the snapshot store, and back. Only the slots and nodes
 * in use are saved; restoring requires the identity (slot bindings) to be restored first.
 */
type Part = Float32Array | Float64Array | Uint8Array;

function parts(state: FleetState): Record<string, { array: Part; perSlot: number; perNode?: boolean }> {
  const w = state.windowSize;
  return {
    utilRing: { array: state.utilRing, perSlot: w },
    powerRing: { array: state.powerRing, perSlot: w },
    memRing: { array: state.memRing, perSlot: w },
    timeRing: { array: state.timeRing, perSlot: w },
    ringHead: { array: state.ringHead, perSlot: 1 },
    memTotalMiB: { array: state.memTotalMiB, perSlot: 1 },
    xidFatal: { array: state.xidFatal, perSlot: 1 },
    missing: { array: state.missing, perSlot: 1 },
    drained: { array: state.drained, perSlot: 1, perNode: true },
  };
}

const toBytes = (a: Part, length: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, length * a.BYTES_PER_ELEMENT).slice();

export function takeSnapshot(state: FleetState): Record<string, Uint8Array> {
  const slots = state.topology.slotNode.length;
  const nodes = state.topology.nodes.length;
  const out: Record<string, Uint8Array> = {};
  for (const [name, p] of Object.entries(parts(state))) {
    out[name] = toBytes(p.array, (p.perNode ? nodes : slots) * p.perSlot);
  }
  const meters = [...state.meters.entries()];
  const reasons = [...state.drainReason.entries()];
  out.json = new TextEncoder().encode(JSON.stringify({ meters, reasons, slots, nodes, windowSize: state.windowSize }));
  return out;
}

interface SnapshotJson {
  meters: Array<[string, { scope: string; watts: number; atMs: number }]>;
  reasons: Array<[number, string]>;
  slots: number;
  nodes: number;
  windowSize: number;
}

/** Copies a snapshot into state; a snapshot that does not fit the restored identity is skipped. */
export function restoreSnapshot(state: FleetState, saved: Record<string, Uint8Array>): boolean {
  const jsonBytes = saved.json;
  if (!jsonBytes) return false;
  const meta = JSON.parse(new TextDecoder().decode(jsonBytes)) as SnapshotJson;
  if (meta.windowSize !== state.windowSize || meta.slots > state.topology.slotNode.length) return false;
  if (meta.nodes > state.topology.nodes.length) return false;
  for (const [name, p] of Object.entries(parts(state))) {
    const bytes = saved[name];
    if (!bytes) continue;
    const copy = bytes.slice();
    const view = new (p.array.constructor as new (b: ArrayBuffer) => Part)(copy.buffer);
    p.array.set(view.subarray(0, Math.min(view.length, p.array.length)));
  }
  state.meters = new Map(meta.meters);
  state.drainReason = new Map(meta.reasons);
  return true;
}
