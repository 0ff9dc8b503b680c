import type { GpuReplacement, SlotBinding } from '../../domain/fleet/fleet-state.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import type { ScopeRollup } from '../../domain/fleet/rollup.js';

/**
 * What the collector needs from storage, declared here so the collector depends on no
 * adapter: main.ts passes the SQLite stores in, and they fit these shapes.
 */
export interface RegistryPort {
  saveBindings(rows: SlotBinding[]): void;
  loadBindings(): SlotBinding[];
  saveUnplacedNode(host: string, model: string | null): void;
  loadUnplacedNodes(): Array<{ host: string; model: string | null }>;
  saveReplacements(rows: readonly GpuReplacement[]): void;
  loadReplacements(): GpuReplacement[];
}

export interface RollupPort {
  write(resolution: '1m' | '5m', rows: ScopeRollup[]): void;
  latestTs(resolution: '1m' | '5m'): number | null;
}

export interface GpuHistoryPort {
  /** Slots [fromSlot, toSlot) of one hour; the range is whole chunks of the store's (see GPU_CHUNK_SLOTS). */
  writeHour(tsS: number, util: Float32Array, power: Float32Array, toSlot: number, fromSlot?: number): void;
}

export interface JournalEntry {
  seq: number;
  receivedAtMs: number;
  source: string;
  batch: IngestBatch;
}

export interface JournalPort {
  append(entry: { receivedAtMs: number; source: string; idempotencyKey: string | null; digest?: string; batch: IngestBatch }): number;
  /** What a key was first used for (digest, samples, gpus null on rows kept before they were recorded). */
  findByIdempotencyKey(key: string): { seq: number; digest: string | null; samples: number | null; gpus: number | null } | null;
  since(seq: number): JournalEntry[];
  truncateThrough(seq: number): void;
}

export interface SnapshotPort {
  save(snapshot: { takenAtMs: number; journalSeq: number; parts: Record<string, Uint8Array> }): void;
  load(): { takenAtMs: number; journalSeq: number; parts: Record<string, Uint8Array> } | null;
}

/** Runs `work` in one storage transaction (all or nothing). */
export type TransactionPort = <T>(work: () => T) => T;

export interface CollectorPorts {
  registry: RegistryPort;
  rollups: RollupPort;
  gpuHistory: GpuHistoryPort;
  journal: JournalPort;
  snapshots: SnapshotPort;
  transaction: TransactionPort;
}
