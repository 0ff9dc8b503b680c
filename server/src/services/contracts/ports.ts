import type { Contract } from '../../domain/contracts/contract.js';
import type { PriceBook } from '../../domain/contracts/price-book.js';

/**
 * What the contract service needs from storage, declared here so it depends on no adapter:
 * the composition root (app/) passes the SQLite stores in (pipeline/store/contract-store.ts, price-book-store.ts), and
 * they fit these shapes.
 */

/** A contract's terms without its id (storage owns ids). */
export type ContractTerms = Omit<Contract, 'id'>;

export interface ContractRecord {
  id: number;
  terms: ContractTerms;
  /** Pod indexes it is delivered on. */
  pods: number[];
}

export interface ContractPort {
  list(): ContractRecord[];
  insert(terms: ContractTerms, pods: readonly number[], nowMs: number): ContractRecord;
  update(id: number, terms: ContractTerms, pods: readonly number[], nowMs: number): ContractRecord | null;
  setPods(changes: ReadonlyArray<{ id: number; pods: readonly number[] }>, nowMs: number): void;
  remove(id: number): boolean;
  /** One write transaction around `work`. */
  transaction<T>(work: () => T): T;
}

export interface PriceBookPort {
  get(): PriceBook | null;
  put(book: PriceBook, nowMs: number): void;
}
