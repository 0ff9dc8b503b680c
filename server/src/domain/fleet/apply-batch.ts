import { DomainError } from '../errors.js';
import { resolveNode, resolveSlot, type FleetState, type GpuReplacement, type SlotBinding } from './fleet-state.js';
import type { IngestBatch } from './readings.js';

/**
 * XIDs after which a GPU is unusable until it is reset or the node is drained (NVIDIA's XID
 * catalog: 48 uncorrectable ECC, 61/62 internal micro-controller halt, 63/64 row-remap
 * pending/failure, 74 NVLink, 79 fallen off the bus, 94/95 ECC contained/uncontained,
 * 119/120 GSP timeout/error, 140 unrecovered ECC).
 */
export const FATAL_XIDS: ReadonlySet<number> = new Set([48, 61, 62, 63, 64, 74, 79, 94, 95, 119, 120, 140]);

/**
 * A facility meter (site or hall) reads at most this many times the site's contracted feed: no
 * hall draws more than the site, and a site cannot draw twice its feed for long (breakers trip).
 * `watts: 1e300` was accepted and showed as the facility draw on /fleet, /metrics and history.
 */
export const METER_MAX_FEED_MULTIPLE = 2;

/** Why a meter reading cannot be true of this site (negative, not finite, or past the bound), or null. */
export function meterWattsProblem(state: FleetState, watts: number): string | null {
  const maxWatts = METER_MAX_FEED_MULTIPLE * state.topology.site.feedWatts;
  if (!Number.isFinite(watts) || watts < 0) return 'must be a finite number ≥ 0';
  if (watts > maxWatts) return `must be ≤ ${maxWatts} W (${METER_MAX_FEED_MULTIPLE} × the site feed of ${state.topology.site.feedWatts} W)`;
  return null;
}

/**
 * Checks what the parsers cannot know: that the batch fits this fleet (a meter's scope is the
 * site or a known hall, its watts within {@link meterWattsProblem}). Throws DomainError('invalid',
 * 'meters[i].<field>: …') before anything changes, so a batch is applied whole or not at all.
 */
export function validateBatch(state: FleetState, batch: IngestBatch): void {
  validateScopes(state, batch);
  batch.meters.forEach((meter, i) => {
    const problem = meterWattsProblem(state, meter.watts);
    if (problem !== null) throw new DomainError('invalid', `meters[${i}].watts: ${problem}`, { path: `meters[${i}].watts` });
  });
}

function validateScopes(state: FleetState, batch: IngestBatch): void {
  batch.meters.forEach((meter, i) => {
    if (meter.scope === 'site') return;
    const hallId = meter.scope.startsWith('hall:') ? meter.scope.slice(5) : null;
    if (hallId === null || !state.topology.halls.some((h) => h.id === hallId)) {
      throw new DomainError('invalid', `meters[${i}].scope: "${meter.scope}" is neither "site" nor a known hall`, {
        path: `meters[${i}].scope`,
      });
    }
  });
}

export interface ApplyResult {
  samples: number;
  /** UUIDs bound to slots for the first time: the caller persists them. */
  bindings: SlotBinding[];
  /** Hosts the topology did not know, registered as unplaced. */
  newHosts: string[];
  /** GPUs a new UUID displaced from their slot (swapped cards): the caller persists and audits them. */
  replacements: GpuReplacement[];
}

const orNaN = (v: number | null): number => (v === null ? Number.NaN : v);

/**
 * Applies a validated batch at `nowMs`: each sample goes into its GPU's ring at
 * `nowMs + offsetMs`. A sample with no usable field (all blanks) marks the GPU missing, so it
 * reads `unknown` until a good sample arrives — missing is never idle.
 */
export function applyBatch(state: FleetState, batch: IngestBatch, nowMs: number): ApplyResult {
  // Scopes only: a journal written before meter watts were bounded must still replay at start;
  // its out-of-bounds readings are skipped below (a push is refused whole by validateBatch first).
  validateScopes(state, batch);
  const nodesBefore = state.topology.nodes.length;
  const bindings: SlotBinding[] = [];
  const w = state.windowSize;
  for (const s of batch.samples) {
    const slot = resolveSlot(state, s.uuid, s.host, s.index, s.modelName, bindings);
    if (s.memTotalMiB !== null) state.memTotalMiB[slot] = s.memTotalMiB;
    if (s.xid !== null) state.xidFatal[slot] = FATAL_XIDS.has(s.xid) ? 1 : 0;
    // The newest limit stands until another is reported (a blank one says nothing new).
    if (s.powerLimitWatts !== undefined && s.powerLimitWatts !== null) state.powerLimitWatts[slot] = s.powerLimitWatts;
    const blank = s.utilPercent === null && s.powerWatts === null && s.memUsedMiB === null;
    state.missing[slot] = blank ? 1 : 0;
    if (blank) continue;
    const head = state.ringHead[slot] ?? 0;
    const at = slot * w + head;
    state.utilRing[at] = orNaN(s.utilPercent);
    state.powerRing[at] = orNaN(s.powerWatts);
    state.memRing[at] = orNaN(s.memUsedMiB);
    state.timeRing[at] = nowMs + s.offsetMs;
    state.ringHead[slot] = (head + 1) % w;
  }
  for (const n of batch.nodes) {
    const node = resolveNode(state, n.host, null);
    state.drained[node] = n.drained ? 1 : 0;
    if (n.drained) state.drainReason.set(node, n.reason ?? 'drained');
    else state.drainReason.delete(node);
  }
  for (const m of batch.meters) {
    if (meterWattsProblem(state, m.watts) === null) state.meters.set(m.id, { scope: m.scope, watts: m.watts, atMs: nowMs });
  }
  const newHosts = state.topology.nodes.slice(nodesBefore).map((n) => n.host);
  const replacements: GpuReplacement[] = [];
  for (const b of bindings) {
    if (b.replaces === undefined) continue;
    const replacement = { uuid: b.replaces, slot: b.slot, host: b.host, gpuIndex: b.gpuIndex, replacedBy: b.uuid, atMs: nowMs };
    state.replaced.set(b.replaces, replacement);
    // A card swapped back in is current again, not replaced.
    state.replaced.delete(b.uuid);
    replacements.push(replacement);
  }
  return { samples: batch.samples.length, bindings, newHosts, replacements };
}

/**
 * Marks GPUs whose source failed this round (a scrape that timed out or served garbage):
 * they read `unknown` at once rather than keep their last verdict.
 */
export function markMissing(state: FleetState, slots: Iterable<number>): void {
  for (const slot of slots) state.missing[slot] = 1;
}
