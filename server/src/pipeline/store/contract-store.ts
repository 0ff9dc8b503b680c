import { contractBodySchema, type Contract } from '../../domain/contracts/contract.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/** A contract's terms without its id (the store owns ids). */
export type ContractTerms = Omit<Contract, 'id'>;

/** One stored contract: its terms, the pods it is delivered on, and when it was written. */
export interface StoredContract {
  id: number;
  terms: ContractTerms;
  /** Pod indexes, ascending. */
  pods: number[];
  createdAtMs: number;
  updatedAtMs: number;
}

/** Contracts and their pod allocations (tables `contracts` and `contract_pods`, migration 2). */
export interface ContractStore {
  /** Every contract, by id. */
  list(): StoredContract[];
  get(id: number): StoredContract | null;
  /** Records a new contract and its pods in one transaction; returns it with its new id. */
  insert(terms: ContractTerms, pods: readonly number[], nowMs: number): StoredContract;
  /** Replaces a contract's terms and pods in one transaction; null if there is no such id. */
  update(id: number, terms: ContractTerms, pods: readonly number[], nowMs: number): StoredContract | null;
  /** Replaces the pods of several contracts in one transaction (ids that do not exist are skipped). */
  setPods(changes: ReadonlyArray<{ id: number; pods: readonly number[] }>, nowMs: number): void;
  /** Deletes a contract and its pods; returns whether it existed. */
  remove(id: number): boolean;
  /** Runs `work` in one write transaction (nested store writes join it). */
  transaction<T>(work: () => T): T;
}

interface ContractRow {
  id: number;
  customer: string;
  body: string;
  status: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/** The terms kept in `body`: everything but the columns of their own. */
function bodyOf(terms: ContractTerms): string {
  const { capacity, model, start, end, monthlyPriceUsd, ramp, noticeDays } = terms;
  return JSON.stringify({ capacity, model, start, end, monthlyPriceUsd, ramp, noticeDays });
}

function termsOf(row: ContractRow): ContractTerms {
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch (err) {
    throw new Error(`contracts row ${row.id}: body is not JSON`, { cause: err });
  }
  const parsed = contractBodySchema.safeParse({ ...(body as object), customer: row.customer, status: row.status });
  if (!parsed.success) {
    throw new Error(`contracts row ${row.id}: stored terms do not parse: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const { id: _ignored, ...terms } = parsed.data;
  return terms;
}

export function createContractStore(db: Database): ContractStore {
  const selectAll = db.prepare<[], ContractRow>('SELECT * FROM contracts ORDER BY id');
  const selectOne = db.prepare<[number], ContractRow>('SELECT * FROM contracts WHERE id = ?');
  const selectAllPods = db.prepare<[], { contract_id: number; pod_index: number }>(
    'SELECT contract_id, pod_index FROM contract_pods ORDER BY contract_id, pod_index',
  );
  const selectPods = db.prepare<[number], number>('SELECT pod_index FROM contract_pods WHERE contract_id = ? ORDER BY pod_index').pluck();
  const insertRow = db.prepare<[string, string, string, number, number]>(
    'INSERT INTO contracts (customer, body, status, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?)',
  );
  const updateRow = db.prepare<[string, string, string, number, number]>(
    'UPDATE contracts SET customer = ?, body = ?, status = ?, updated_at_ms = ? WHERE id = ?',
  );
  const touchRow = db.prepare<[number, number]>('UPDATE contracts SET updated_at_ms = ? WHERE id = ?');
  const deleteRow = db.prepare<[number]>('DELETE FROM contracts WHERE id = ?');
  const deletePods = db.prepare<[number]>('DELETE FROM contract_pods WHERE contract_id = ?');
  const insertPod = db.prepare<[number, number]>('INSERT INTO contract_pods (contract_id, pod_index) VALUES (?, ?)');

  const writePods = (id: number, pods: readonly number[]): void => {
    deletePods.run(id);
    for (const pod of new Set(pods)) insertPod.run(id, pod);
  };
  const sorted = (pods: readonly number[]): number[] => [...new Set(pods)].sort((a, b) => a - b);
  const read = (row: ContractRow, pods: number[]): StoredContract => ({
    id: row.id,
    terms: termsOf(row),
    pods,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  });

  const insert = writeTransaction(db, (terms: ContractTerms, pods: readonly number[], nowMs: number): StoredContract => {
    const id = Number(insertRow.run(terms.customer, bodyOf(terms), terms.status, nowMs, nowMs).lastInsertRowid);
    writePods(id, pods);
    return { id, terms, pods: sorted(pods), createdAtMs: nowMs, updatedAtMs: nowMs };
  });
  const update = writeTransaction(db, (id: number, terms: ContractTerms, pods: readonly number[], nowMs: number): StoredContract | null => {
    const before = selectOne.get(id);
    if (!before) return null;
    updateRow.run(terms.customer, bodyOf(terms), terms.status, nowMs, id);
    writePods(id, pods);
    return { id, terms, pods: sorted(pods), createdAtMs: before.created_at_ms, updatedAtMs: nowMs };
  });
  const setPods = writeTransaction(db, (changes: ReadonlyArray<{ id: number; pods: readonly number[] }>, nowMs: number): void => {
    for (const { id, pods } of changes) {
      if (touchRow.run(nowMs, id).changes === 0) continue;
      writePods(id, pods);
    }
  });
  const remove = writeTransaction(db, (id: number): boolean => deleteRow.run(id).changes > 0);

  return {
    list() {
      const podsById = new Map<number, number[]>();
      for (const { contract_id, pod_index } of selectAllPods.all()) {
        const list = podsById.get(contract_id) ?? [];
        list.push(pod_index);
        podsById.set(contract_id, list);
      }
      return selectAll.all().map((row) => read(row, podsById.get(row.id) ?? []));
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? read(row, selectPods.all(id)) : null;
    },
    insert,
    update,
    setPods,
    remove,
    transaction: <T>(work: () => T): T => writeTransaction(db, work)(),
  };
}
