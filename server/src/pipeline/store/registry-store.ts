import BetterSqlite3 from 'better-sqlite3';
import { DomainError } from '../../domain/errors.js';
import type { GpuReplacement, SlotBinding } from '../../domain/fleet/fleet-state.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

export type { SlotBinding };

/** A node that reported GPUs but matches no rack position of the topology. */
export interface UnplacedNode {
  seq: number;
  host: string;
  model: string | null;
}

/** GPU identity that must survive restarts: which UUID owns which slot, and unplaced nodes. */
export interface RegistryStore {
  /**
   * Upserts bindings by slot in one transaction. A UUID already bound to another slot moves: its
   * old row is removed (INSERT OR REPLACE drops every row conflicting on slot or on uuid). Within
   * one call, a later row for the same slot or UUID wins.
   * @throws DomainError('invalid') before writing when a slot or gpuIndex is not an integer ≥ 0
   *   (gpuIndex may be -1: not reported) or a uuid/host is empty.
   */
  saveBindings(rows: readonly SlotBinding[]): void;
  /** Every binding, by slot ascending. */
  loadBindings(): SlotBinding[];
  /** Removes the binding of `slot`; returns whether there was one. */
  deleteBinding(slot: number): boolean;
  /**
   * Records an unplaced node (or updates its model) and returns its sequence number; a host keeps
   * the seq of its first record, so the order nodes appeared in is stable across restarts.
   */
  saveUnplacedNode(host: string, model: string | null): number;
  /** Unplaced nodes in the order they were first recorded. */
  loadUnplacedNodes(): UnplacedNode[];
  /** Forgets an unplaced node (e.g. once the topology places it); returns whether it existed. */
  deleteUnplacedNode(host: string): boolean;
  /** Records swapped-out GPUs (upsert by UUID); a UUID swapped back in is no longer replaced. */
  saveReplacements(rows: readonly GpuReplacement[]): void;
  /** Every swapped-out GPU, oldest swap first. */
  loadReplacements(): GpuReplacement[];
}

export function createRegistryStore(db: Database): RegistryStore {
  type BindingParams = [number, string, string, number, string | null];
  const replace = db.prepare<BindingParams>('INSERT OR REPLACE INTO gpu_slots (slot, uuid, host, gpu_index, model) VALUES (?, ?, ?, ?, ?)');
  const insert = db.prepare<BindingParams>('INSERT INTO gpu_slots (slot, uuid, host, gpu_index, model) VALUES (?, ?, ?, ?, ?)');
  const hasAny = db.prepare<[], number>('SELECT 1 FROM gpu_slots LIMIT 1').pluck();
  const selectAll = db.prepare<[], SlotBinding>('SELECT slot, uuid, host, gpu_index AS gpuIndex, model FROM gpu_slots ORDER BY slot');
  const deleteSlot = db.prepare<[number]>('DELETE FROM gpu_slots WHERE slot = ?');
  const upsertNode = db
    .prepare<[string, string | null], number>(
      `INSERT INTO unplaced_nodes (host, model) VALUES (?, ?)
       ON CONFLICT (host) DO UPDATE SET model = excluded.model RETURNING seq`,
    )
    .pluck();
  const selectNodes = db.prepare<[], UnplacedNode>('SELECT seq, host, model FROM unplaced_nodes ORDER BY seq');
  const deleteNode = db.prepare<[string]>('DELETE FROM unplaced_nodes WHERE host = ?');
  const upsertReplacement = db.prepare<[string, number, string, number, string, number]>(
    'INSERT OR REPLACE INTO gpu_replacements (uuid, slot, host, gpu_index, replaced_by, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const unreplace = db.prepare<[string]>('DELETE FROM gpu_replacements WHERE uuid = ?');
  const selectReplacements = db.prepare<[], GpuReplacement>(
    'SELECT uuid, slot, host, gpu_index AS gpuIndex, replaced_by AS replacedBy, at_ms AS atMs FROM gpu_replacements ORDER BY at_ms, uuid',
  );
  const saveReplaced = writeTransaction(db, (rows: readonly GpuReplacement[]) => {
    for (const r of rows) {
      upsertReplacement.run(r.uuid, r.slot, r.host, r.gpuIndex, r.replacedBy, r.atMs);
      unreplace.run(r.replacedBy);
    }
  });

  const saveAll = writeTransaction(db, (rows: readonly SlotBinding[], stmt: typeof replace) => {
    for (const row of rows) stmt.run(row.slot, row.uuid, row.host, row.gpuIndex, row.model);
  });

  /**
   * Into an empty table (the first start of a fleet: the bulk case) plain INSERT is ≈ 35 % faster
   * than INSERT OR REPLACE, which probes for rows to delete. If the call itself repeats a slot or
   * a uuid, the plain pass fails on the constraint, rolls back, and the REPLACE pass runs instead.
   */
  function save(rows: readonly SlotBinding[]): void {
    if (hasAny.get() === undefined) {
      try {
        saveAll(rows, insert);
        return;
      } catch (err) {
        if (!(err instanceof BetterSqlite3.SqliteError) || !err.code.startsWith('SQLITE_CONSTRAINT')) throw err;
      }
    }
    saveAll(rows, replace);
  }

  return {
    saveBindings(rows) {
      for (const row of rows) {
        if (!Number.isSafeInteger(row.slot) || row.slot < 0) {
          throw new DomainError('invalid', `slot must be an integer ≥ 0, got ${row.slot}`, { uuid: row.uuid });
        }
        if (!Number.isSafeInteger(row.gpuIndex) || row.gpuIndex < -1) {
          throw new DomainError('invalid', `gpuIndex must be an integer ≥ -1, got ${row.gpuIndex}`, { uuid: row.uuid });
        }
        if (row.uuid === '' || row.host === '') {
          throw new DomainError('invalid', `binding of slot ${row.slot} needs a uuid and a host`, { slot: row.slot });
        }
      }
      save(rows);
    },
    loadBindings: () => selectAll.all(),
    deleteBinding: (slot) => deleteSlot.run(slot).changes > 0,
    saveUnplacedNode(host, model) {
      if (host === '') throw new DomainError('invalid', 'an unplaced node needs a host');
      const seq = upsertNode.get(host, model);
      if (seq === undefined) throw new Error(`unplaced node ${host} was not stored`);
      return seq;
    },
    loadUnplacedNodes: () => selectNodes.all(),
    deleteUnplacedNode: (host) => deleteNode.run(host).changes > 0,
    saveReplacements: (rows) => saveReplaced(rows),
    loadReplacements: () => selectReplacements.all(),
  };
}
