import { demandPlanBodySchema, type DemandPlanTerms } from '../../domain/capacity/demand-plan-terms.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/** One stored demand plan: its terms and when it was written. */
export interface StoredDemandPlan {
  id: number;
  terms: DemandPlanTerms;
  createdAtMs: number;
  updatedAtMs: number;
}

interface Row {
  id: number;
  name: string;
  gpus: number;
  start_date: string;
  end_date: string | null;
  note: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A row as terms, checked by the API's schema: a row edited by hand fails loudly at load, not in a forecast. */
function read(row: Row): StoredDemandPlan {
  const parsed = demandPlanBodySchema.safeParse({
    name: row.name,
    gpus: row.gpus,
    start: row.start_date,
    end: row.end_date,
    note: row.note,
  });
  if (!parsed.success) {
    throw new Error(`demand_plans row ${row.id}: stored terms do not parse: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { id: row.id, terms: parsed.data, createdAtMs: row.created_at_ms, updatedAtMs: row.updated_at_ms };
}

/** Planned internal demand (table `demand_plans`, migration 5); implements the capacity service's DemandPlanPort. */
export function createDemandPlanStore(db: Database) {
  const selectAll = db.prepare<[], Row>('SELECT * FROM demand_plans ORDER BY id');
  const selectCreated = db.prepare<[number], number>('SELECT created_at_ms FROM demand_plans WHERE id = ?').pluck();
  const insertRow = db.prepare<[string, number, string, string | null, string | null, number, number]>(
    'INSERT INTO demand_plans (name, gpus, start_date, end_date, note, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const updateRow = db.prepare<[string, number, string, string | null, string | null, number, number]>(
    'UPDATE demand_plans SET name = ?, gpus = ?, start_date = ?, end_date = ?, note = ?, updated_at_ms = ? WHERE id = ?',
  );
  const deleteRow = db.prepare<[number]>('DELETE FROM demand_plans WHERE id = ?');

  return {
    list: () => selectAll.all().map(read),
    insert: writeTransaction(db, (terms: DemandPlanTerms, nowMs: number): StoredDemandPlan => {
      const id = Number(insertRow.run(terms.name, terms.gpus, terms.start, terms.end, terms.note, nowMs, nowMs).lastInsertRowid);
      return { id, terms, createdAtMs: nowMs, updatedAtMs: nowMs };
    }),
    update: writeTransaction(db, (id: number, terms: DemandPlanTerms, nowMs: number): StoredDemandPlan | null => {
      const createdAtMs = selectCreated.get(id);
      if (createdAtMs === undefined) return null;
      updateRow.run(terms.name, terms.gpus, terms.start, terms.end, terms.note, nowMs, id);
      return { id, terms, createdAtMs, updatedAtMs: nowMs };
    }),
    remove: writeTransaction(db, (id: number): boolean => deleteRow.run(id).changes > 0),
  };
}
