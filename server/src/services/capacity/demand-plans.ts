import type { DemandPlan } from '../../domain/capacity/demand-plan.js';
import { demandPlanOf, parseDemandPlanTerms, type DemandPlanTerms } from '../../domain/capacity/demand-plan-terms.js';
import { DomainError } from '../../domain/errors.js';
import type { DemandPlanPort, DemandPlanRecord } from './ports.js';

export interface DemandPlanServiceDeps {
  store: DemandPlanPort;
  /** The site's GPUs: no plan may need more. */
  siteGpus: () => number;
  /** Collection time, ms: stamps the records (as contracts are stamped). */
  nowMs: () => number;
}

/** A plan as the API answers it. */
export interface DemandPlanView extends DemandPlanTerms {
  id: number;
  /** ISO timestamp of its creation, by the collection clock. */
  createdAt: string;
}

/** Fields of the answer the server sets; a PUT may send them back and they are ignored. */
const READ_ONLY_FIELDS = ['id', 'createdAt'];

const notFound = (id: number): DomainError => new DomainError('not_found', `no demand plan with id ${id}`);

const viewOf = (r: DemandPlanRecord): DemandPlanView => ({ id: r.id, ...r.terms, createdAt: new Date(r.createdAtMs).toISOString() });

/**
 * The owner's planned internal demand: validation, storage, and the plans in the form the
 * capacity engine applies them. Loaded once at creation and kept in memory, so the capacity
 * service reads no database per report; `revision` changes with every change, so a cached
 * report is recomputed at the next request rather than the next collection round.
 *
 * Each write validates first and changes memory only once storage has it: a refused or failed
 * request leaves both as they were.
 */
export function createDemandPlanService(deps: DemandPlanServiceDeps) {
  let records = new Map<number, DemandPlanRecord>(deps.store.list().map((r) => [r.id, r]));
  let revision = 0;
  let inForce: DemandPlan[] | null = null;

  const commit = (next: Map<number, DemandPlanRecord>): void => {
    records = next;
    revision++;
    inForce = null;
  };

  return {
    /** Every plan, by id. */
    list(): DemandPlanView[] {
      return [...records.values()].sort((a, b) => a.id - b.id).map(viewOf);
    },

    /** One plan. @throws DomainError('not_found'). */
    get(id: number): DemandPlanView {
      const r = records.get(id);
      if (!r) throw notFound(id);
      return viewOf(r);
    },

    /** Validates and records a plan. @throws DomainError('invalid', …, { path }) naming the field. */
    create(body: unknown): DemandPlanView {
      const terms = parseDemandPlanTerms(body, deps.siteGpus());
      const record = deps.store.insert(terms, deps.nowMs());
      commit(new Map(records).set(record.id, record));
      return viewOf(record);
    },

    /**
     * Replaces a plan's terms; the body may carry back `id` (if it matches) and `createdAt`.
     * @throws DomainError('not_found') for an unknown id; ('invalid', …, { path }) for bad terms.
     */
    update(id: number, body: unknown): DemandPlanView {
      if (!records.has(id)) throw notFound(id);
      if (typeof body === 'object' && body !== null && 'id' in body && body.id !== id && body.id !== String(id)) {
        throw new DomainError('invalid', `id: ${JSON.stringify(body.id)} does not match the demand plan ${id} in the URL`, { path: 'id' });
      }
      const terms = parseDemandPlanTerms(withoutReadOnly(body), deps.siteGpus());
      const record = deps.store.update(id, terms, deps.nowMs());
      if (!record) throw notFound(id);
      commit(new Map(records).set(id, record));
      return viewOf(record);
    },

    /** Deletes a plan. @throws DomainError('not_found'). */
    remove(id: number): void {
      if (!records.has(id) || !deps.store.remove(id)) throw notFound(id);
      const next = new Map(records);
      next.delete(id);
      commit(next);
    },

    /**
     * Every plan as the capacity engine applies it (see demandPlanOf: end inclusive, so `endS`
     * is 00:00 UTC of the day after). Plans past their end are included; the engine applies
     * each only while it is in force. The same array until a plan changes.
     */
    inForce(): ReadonlyArray<DemandPlan> {
      inForce ??= [...records.values()].sort((a, b) => a.id - b.id).map((r) => demandPlanOf(r.terms));
      return inForce;
    },

    /** Changes whenever the plans do (the capacity service recomputes its cached report then). */
    revision(): number {
      return revision;
    },
  };
}

export type DemandPlanService = ReturnType<typeof createDemandPlanService>;

function withoutReadOnly(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !READ_ONLY_FIELDS.includes(key)));
}
