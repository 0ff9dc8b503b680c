import {
  allocateCovering,
  podsShort,
  termsOverlap,
  type AllocatedContract,
  type AllocationSite,
  type PodUnit,
} from '../../domain/contracts/allocation.js';
import { isIsoDate, type IsoDate } from '../../domain/contracts/calendar.js';
import { parseContract, type SiteLimits } from '../../domain/contracts/contract.js';
import { centsToUsd } from '../../domain/contracts/money.js';
import { DEFAULT_PRICE_BOOK, parsePriceBook, type PriceBook } from '../../domain/contracts/price-book.js';
import { valueContract, type ContractValuation } from '../../domain/contracts/valuation.js';
import { DomainError } from '../../domain/errors.js';
import { monthlyRateCents } from './monthly-rate.js';
import type { ContractPort, ContractTerms, PriceBookPort } from './ports.js';

/** One GPU model's pods as contracts see them (contract-site.ts). */
export interface ModelSite {
  gpus: number;
  pods: number;
  /** Their share of the feed, facility watts. */
  watts: number;
  gpusPerFacilityWatt: number;
  /** GPUs of its largest pod: how a shortfall, and a `{ pods }` contract's GPUs, are counted. */
  gpusPerPod: number;
  largest: PodUnit;
}

/** The site as contracts see it: its limits, pod shape and pod ids (index → `h01-p003`), each pod's model and size. */
export interface ContractSite extends SiteLimits, AllocationSite {
  podIds: readonly string[];
  podModels: readonly string[];
  /** Per pod index: its GPUs and share of the feed. */
  podUnits: readonly PodUnit[];
  models: Readonly<Record<string, ModelSite>>;
}

export interface ContractServiceDeps {
  contracts: ContractPort;
  priceBooks: PriceBookPort;
  site: () => ContractSite;
  /** Pod indexes, best to sell first (main: fewest internal GPUs). Pods it omits come last, by index. */
  rankPodsForSale: () => number[];
  /** Today's ISO date by the collection clock: the default valuation date. */
  today: () => IsoDate;
  /** Collection time, ms: stamps the records. */
  nowMs: () => number;
}

/** What one customer has under contract on a day. */
export interface ContractedCustomer {
  customer: string;
  /** Sum of the monthly prices in force that day (ramp factor of that month applied, no proration). */
  monthlyUsd: number;
  gpus: number;
  facilityWatts: number;
  contracts: number;
}

interface Entry {
  id: number;
  terms: ContractTerms;
  /** Pod indexes, ascending. */
  pods: number[];
}

/** Fields of the contract JSON that the server computes; a PUT may send them back and they are ignored. */
const READ_ONLY_FIELDS = ['pods', 'shortfallPods'];

const notFound = (id: number): DomainError => new DomainError('not_found', `no contract with id ${id}`);
const sortedPods = (pods: Iterable<number>): number[] => [...new Set(pods)].sort((a, b) => a - b);

/**
 * Contracts and the price book: validation, pod allocation, storage, valuation. The current
 * allocation is kept in memory (loaded at creation), so {@link soldPodsAt}, which the collector
 * calls every round, reads no database and is cached per date until a contract changes.
 *
 * Allocation rules: only `active` contracts hold pods; a contract takes the best-ranked pods not
 * held by an active contract whose term overlaps its own; one that does not fit is recorded with
 * `shortfallPods > 0`. An update keeps the contract's own pods where it still can (a customer's
 * delivery does not move because utilization changed). When an update or a delete frees pods,
 * contracts with a shortfall are topped up from them, oldest first.
 */
export function createContractService(deps: ContractServiceDeps) {
  let entries = new Map<number, Entry>();
  {
    const podCount = deps.site().pods;
    // Pods of another topology (a database moved between presets) are dropped, not delivered.
    for (const r of deps.contracts.list())
      entries.set(r.id, { id: r.id, terms: r.terms, pods: sortedPods(r.pods.filter((p) => p < podCount)) });
  }
  let book: PriceBook = deps.priceBooks.get() ?? DEFAULT_PRICE_BOOK;
  let soldCache: { date: IsoDate; pods: number[] } | null = null;
  let contractedCache: { date: IsoDate; rows: ContractedCustomer[] } | null = null;

  /** The largest pod the contract may take: a shortfall is counted in pods of its size. */
  const beyondOf = (terms: ContractTerms, site: ContractSite): PodUnit => {
    const named = terms.model === undefined ? undefined : site.models[terms.model];
    if (named) return named.largest;
    let largest: PodUnit = {
      gpus: site.gpusPerPod,
      feedShareWatts: site.gpusPerFacilityWatt > 0 ? site.gpusPerPod / site.gpusPerFacilityWatt : 0,
    };
    for (const m of Object.values(site.models)) if (m.largest.gpus > largest.gpus) largest = m.largest;
    return largest;
  };
  const unitsOf = (pods: readonly number[], site: ContractSite, beyond: PodUnit): PodUnit[] => pods.map((p) => site.podUnits[p] ?? beyond);

  const shortOf = (terms: ContractTerms, pods: readonly number[], site: ContractSite): number => {
    if (terms.status !== 'active') return 0;
    const beyond = beyondOf(terms, site);
    return podsShort(terms.capacity, unitsOf(pods, site, beyond), beyond);
  };

  const view = (e: Entry, site: ContractSite): AllocatedContract => ({
    id: String(e.id),
    ...e.terms,
    pods: e.pods.map((p) => site.podIds[p] ?? `pod-${p}`),
    shortfallPods: shortOf(e.terms, e.pods, site),
  });

  /** Pods held by active contracts (other than `exceptId`) whose term overlaps `terms`. */
  const takenBy = (map: ReadonlyMap<number, Entry>, terms: ContractTerms, exceptId: number | null): Set<number> => {
    const taken = new Set<number>();
    for (const e of map.values()) {
      if (e.id === exceptId || e.terms.status !== 'active' || !termsOverlap(e.terms, terms)) continue;
      for (const p of e.pods) taken.add(p);
    }
    return taken;
  };

  /** Pods the contract may take, best first: its own (`preferred`), then by rank, then by index; of its model only, when it names one. */
  const candidates = (site: ContractSite, preferred: readonly number[], model?: string): number[] => {
    const all = [...preferred, ...deps.rankPodsForSale()];
    for (let i = 0; i < site.pods; i++) all.push(i);
    return all.filter((p) => Number.isInteger(p) && p >= 0 && p < site.pods && (model === undefined || site.podModels[p] === model));
  };

  const allocate = (
    map: ReadonlyMap<number, Entry>,
    terms: ContractTerms,
    site: ContractSite,
    exceptId: number | null,
    preferred: readonly number[],
  ) =>
    terms.status === 'active'
      ? allocateCovering(
          terms.capacity,
          candidates(site, preferred, terms.model),
          takenBy(map, terms, exceptId),
          site.podUnits,
          beyondOf(terms, site),
        )
      : { pods: [], shortfallPods: 0 };

  /** Tops up contracts with a shortfall from free pods, oldest first; mutates `map`, returns the changes. */
  const topUp = (map: Map<number, Entry>, site: ContractSite): Array<{ id: number; pods: number[] }> => {
    const changes: Array<{ id: number; pods: number[] }> = [];
    for (const e of [...map.values()].sort((a, b) => a.id - b.id)) {
      if (shortOf(e.terms, e.pods, site) <= 0) continue;
      const taken = takenBy(map, e.terms, e.id);
      const extra = allocateCovering(
        e.terms.capacity,
        candidates(site, [], e.terms.model),
        taken,
        site.podUnits,
        beyondOf(e.terms, site),
        e.pods,
      );
      if (extra.pods.length === 0) continue;
      const next = { ...e, pods: sortedPods([...e.pods, ...extra.pods]) };
      map.set(e.id, next);
      changes.push({ id: e.id, pods: next.pods });
    }
    return changes;
  };

  const commit = (next: Map<number, Entry>): void => {
    entries = next;
    soldCache = null;
    contractedCache = null;
  };

  const entryOf = (id: number): Entry => {
    const e = entries.get(id);
    if (!e) throw notFound(id);
    return e;
  };

  const checkDate = (date: IsoDate, path: string): void => {
    if (!isIsoDate(date))
      throw new DomainError('invalid', `${path}: must be an ISO date YYYY-MM-DD, got ${JSON.stringify(date)}`, { path });
  };

  const inTerm = (e: Entry, date: IsoDate): boolean => e.terms.status === 'active' && e.terms.start <= date && date <= e.terms.end;

  return {
    /** Every contract, by id. */
    list(): AllocatedContract[] {
      const site = deps.site();
      return [...entries.values()].sort((a, b) => a.id - b.id).map((e) => view(e, site));
    },

    /** One contract, or null if there is no such id. */
    get(id: number): AllocatedContract | null {
      const e = entries.get(id);
      return e ? view(e, deps.site()) : null;
    },

    /**
     * Validates a contract body (parseContract, against the whole site), allocates its pods and
     * records it. @throws DomainError('invalid', …, { path }) naming the offending field.
     */
    create(body: unknown): AllocatedContract {
      const site = deps.site();
      const { id, ...terms } = parseContract(body, site);
      if (id !== undefined) throw new DomainError('invalid', 'id: is assigned by the server; omit it', { path: 'id' });
      // A contract is born in force; ending or terminating one is a change to it (PUT), not how it starts.
      if (terms.status !== 'active') {
        throw new DomainError('invalid', `status: a new contract is active (got "${terms.status}"); end or terminate it with PUT`, {
          path: 'status',
        });
      }
      const allocation = allocate(entries, terms, site, null, []);
      const record = deps.contracts.insert(terms, allocation.pods, deps.nowMs());
      const next = new Map(entries).set(record.id, { id: record.id, terms, pods: sortedPods(allocation.pods) });
      commit(next);
      return view(entryOf(record.id), site);
    },

    /**
     * Replaces a contract's terms (re-validated) and re-allocates it, keeping its pods where it can.
     * The body may carry back the read-only `pods` and `shortfallPods`, and `id` if it matches.
     * @throws DomainError('not_found') for an unknown id; ('invalid', …, { path }) for bad terms.
     */
    update(id: number, body: unknown): AllocatedContract {
      const existing = entryOf(id);
      const site = deps.site();
      const { id: bodyId, ...terms } = parseContract(withoutReadOnly(body), site);
      if (bodyId !== undefined && bodyId !== String(id)) {
        throw new DomainError('invalid', `id: ${JSON.stringify(bodyId)} does not match the contract ${id} in the URL`, { path: 'id' });
      }
      const next = new Map(entries);
      next.delete(id);
      const allocation = allocate(next, terms, site, id, existing.pods);
      next.set(id, { id, terms, pods: sortedPods(allocation.pods) });
      const changes = topUp(next, site);
      const nowMs = deps.nowMs();
      deps.contracts.transaction(() => {
        if (!deps.contracts.update(id, terms, allocation.pods, nowMs)) throw notFound(id);
        if (changes.length) deps.contracts.setPods(changes, nowMs);
      });
      commit(next);
      return view(entryOf(id), site);
    },

    /** Deletes a contract; its pods go to contracts short of pods. @throws DomainError('not_found'). */
    remove(id: number): void {
      entryOf(id);
      const site = deps.site();
      const next = new Map(entries);
      next.delete(id);
      const changes = topUp(next, site);
      deps.contracts.transaction(() => {
        if (!deps.contracts.remove(id)) throw notFound(id);
        if (changes.length) deps.contracts.setPods(changes, deps.nowMs());
      });
      commit(next);
    },

    /**
     * valueContract of a contract as of `asOf` (default: today by the collection clock).
     * @throws DomainError('not_found') for an unknown id, ('invalid', { path: 'asOf' }) for a bad date.
     */
    valuation(id: number, asOf?: IsoDate): ContractValuation {
      const e = entryOf(id);
      const site = deps.site();
      const date = asOf ?? deps.today();
      checkDate(date, 'asOf');
      return valueContract({ id: String(id), ...e.terms }, date, valuationSiteOf(e.terms, site));
    },

    /**
     * Pods delivered on `active` contracts whose term includes `date`. Cached per date until a
     * contract changes; returns a fresh Set each call (the caller may keep or change it).
     */
    soldPodsAt(date: IsoDate): Set<number> {
      if (soldCache?.date !== date) {
        checkDate(date, 'date');
        const pods = new Set<number>();
        for (const e of entries.values()) if (inTerm(e, date)) for (const p of e.pods) pods.add(p);
        soldCache = { date, pods: sortedPods(pods) };
      }
      return new Set(soldCache.pods);
    },

    /**
     * Per customer, what `active` contracts in term on `date` add up to: the monthly prices in force
     * (ramp applied, no proration), contracted GPUs and facility watts (as valueContract converts
     * capacity). Sorted by customer; cached per date until a contract changes.
     */
    contractedAt(date: IsoDate): ContractedCustomer[] {
      if (contractedCache?.date !== date) {
        checkDate(date, 'date');
        const site = deps.site();
        const byCustomer = new Map<string, { cents: bigint; gpus: number; facilityWatts: number; contracts: number }>();
        for (const e of entries.values()) {
          if (!inTerm(e, date)) continue;
          const v = valueContract({ ...e.terms }, date, valuationSiteOf(e.terms, site));
          const sum = byCustomer.get(e.terms.customer) ?? { cents: 0n, gpus: 0, facilityWatts: 0, contracts: 0 };
          sum.cents += monthlyRateCents(e.terms, date);
          sum.gpus += v.gpus;
          sum.facilityWatts += v.facilityWatts;
          sum.contracts += 1;
          byCustomer.set(e.terms.customer, sum);
        }
        const rows = [...byCustomer]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([customer, s]) => ({
            customer,
            monthlyUsd: centsToUsd(s.cents),
            gpus: s.gpus,
            facilityWatts: s.facilityWatts,
            contracts: s.contracts,
          }));
        contractedCache = { date, rows };
      }
      return contractedCache.rows.map((r) => ({ ...r }));
    },

    /** The price book in force: the one last PUT, else DEFAULT_PRICE_BOOK. A copy. */
    getPriceBook(): PriceBook {
      return structuredClone(book);
    },

    /** Validates and stores a whole price book. @throws DomainError('invalid', …, { path }). */
    putPriceBook(body: unknown): PriceBook {
      const parsed = parsePriceBook(body);
      deps.priceBooks.put(parsed, deps.nowMs());
      book = parsed;
      return structuredClone(book);
    },
  };
}

export type ContractService = ReturnType<typeof createContractService>;

/** GPUs per facility watt and per pod of the contract's model, or of the site when it names none. */
function valuationSiteOf(terms: ContractTerms, site: ContractSite) {
  const named = terms.model === undefined ? undefined : site.models[terms.model];
  return named
    ? { gpusPerFacilityWatt: named.gpusPerFacilityWatt, gpusPerPod: named.gpusPerPod }
    : { gpusPerFacilityWatt: site.gpusPerFacilityWatt, gpusPerPod: site.gpusPerPod };
}

function withoutReadOnly(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !READ_ONLY_FIELDS.includes(key)));
}
