import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../../server/src/domain/contracts/price-book.js';
import { createContractStore, type ContractStore, type ContractTerms } from '../../../server/src/pipeline/store/contract-store.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createPriceBookStore } from '../../../server/src/pipeline/store/price-book-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

function terms(over: Partial<ContractTerms> = {}): ContractTerms {
  return {
    customer: 'Acme Labs',
    capacity: { pods: 2 },
    start: '2026-06-01',
    end: '2027-05-31',
    monthlyPriceUsd: 1_234_567.89,
    ramp: [
      { months: 2, factor: 0.5 },
      { months: 1, factor: 0.75 },
    ],
    noticeDays: 90,
    status: 'active',
    ...over,
  };
}

const T0 = 1_780_000_000_000;

describe('contract store', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let store: ContractStore;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    store = createContractStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  const reopen = (): void => {
    closeDatabase(db);
    db = openDatabase(file);
    store = createContractStore(db);
  };

  it('has no contracts in a fresh database', () => {
    expect(store.list()).toEqual([]);
    expect(store.get(1)).toBeNull();
  });

  it('round-trips terms, pods and times through a reopened file', () => {
    const a = store.insert(terms(), [5, 2], T0);
    const b = store.insert(terms({ customer: 'Beta', capacity: { watts: 1_500_000.5 }, status: 'terminated', ramp: [] }), [], T0 + 1);
    expect(a).toMatchObject({ id: 1, pods: [2, 5], createdAtMs: T0, updatedAtMs: T0 });
    expect(b.id).toBe(2);
    reopen();
    expect(store.list()).toEqual([
      { id: 1, terms: terms(), pods: [2, 5], createdAtMs: T0, updatedAtMs: T0 },
      {
        id: 2,
        terms: terms({ customer: 'Beta', capacity: { watts: 1_500_000.5 }, status: 'terminated', ramp: [] }),
        pods: [],
        createdAtMs: T0 + 1,
        updatedAtMs: T0 + 1,
      },
    ]);
    expect(store.get(1)).toEqual(store.list()[0]);
  });

  it('keeps the terms in body JSON and customer and status in their own columns', () => {
    store.insert(terms(), [0], T0);
    const row = db.prepare('SELECT customer, body, status FROM contracts WHERE id = 1').get() as {
      customer: string;
      body: string;
      status: string;
    };
    expect(row.customer).toBe('Acme Labs');
    expect(row.status).toBe('active');
    expect(JSON.parse(row.body)).toEqual({
      capacity: { pods: 2 },
      start: '2026-06-01',
      end: '2027-05-31',
      monthlyPriceUsd: 1_234_567.89,
      ramp: [
        { months: 2, factor: 0.5 },
        { months: 1, factor: 0.75 },
      ],
      noticeDays: 90,
    });
  });

  it('updates terms and pods, keeping the creation time', () => {
    const { id } = store.insert(terms(), [0, 1], T0);
    const updated = store.update(id, terms({ capacity: { pods: 3 }, status: 'ended' }), [1, 3, 4], T0 + 5_000);
    expect(updated).toMatchObject({ id, pods: [1, 3, 4], createdAtMs: T0, updatedAtMs: T0 + 5_000 });
    reopen();
    expect(store.get(id)).toEqual({
      id,
      terms: terms({ capacity: { pods: 3 }, status: 'ended' }),
      pods: [1, 3, 4],
      createdAtMs: T0,
      updatedAtMs: T0 + 5_000,
    });
  });

  it('answers null when updating a contract that does not exist, and writes nothing', () => {
    expect(store.update(42, terms(), [0], T0)).toBeNull();
    expect(db.prepare('SELECT count(*) FROM contract_pods').pluck().get()).toBe(0);
  });

  it('replaces the pods of several contracts at once, skipping unknown ids', () => {
    const a = store.insert(terms(), [0], T0);
    const b = store.insert(terms(), [], T0);
    store.setPods(
      [
        { id: a.id, pods: [0, 2] },
        { id: b.id, pods: [3] },
        { id: 99, pods: [4] },
      ],
      T0 + 1,
    );
    expect(store.get(a.id)).toMatchObject({ pods: [0, 2], updatedAtMs: T0 + 1 });
    expect(store.get(b.id)).toMatchObject({ pods: [3], updatedAtMs: T0 + 1 });
    expect(db.prepare('SELECT count(*) FROM contract_pods WHERE contract_id = 99').pluck().get()).toBe(0);
  });

  it('deletes a contract with its pods and never reuses its id', () => {
    const a = store.insert(terms(), [0, 1], T0);
    store.insert(terms(), [2], T0);
    expect(store.remove(a.id)).toBe(true);
    expect(store.remove(a.id)).toBe(false);
    expect(store.get(a.id)).toBeNull();
    expect(db.prepare('SELECT count(*) FROM contract_pods WHERE contract_id = ?').pluck().get(a.id)).toBe(0);
    store.remove(2);
    reopen();
    expect(store.insert(terms(), [], T0).id).toBe(3);
  });

  it('writes nothing of a transaction that throws', () => {
    expect(() =>
      store.transaction(() => {
        store.insert(terms(), [0], T0);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.list()).toEqual([]);
  });

  it('refuses a status the schema does not know', () => {
    expect(() => store.insert(terms({ status: 'paused' as ContractTerms['status'] }), [], T0)).toThrow(/CHECK constraint/);
  });
});

describe('price book store', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('has no price book until one is saved, then keeps the last one across a reopen', () => {
    const file = tmp.path('headroom.db');
    let db = openDatabase(file);
    let store = createPriceBookStore(db);
    expect(store.get()).toBeNull();
    const first: PriceBook = { ...DEFAULT_PRICE_BOOK, mwMonthUsd: 3_900_000 };
    const second: PriceBook = {
      gpuHourUsd: { 'H100-SXM': 2.11, 'A100-80GB': 1.1 },
      mwMonthUsd: 4_000_000,
      basis: 'mw-month',
      sources: { 'H100-SXM': 'SF Compute avg' },
    };
    store.put(first, T0);
    store.put(second, T0 + 1);
    closeDatabase(db);
    db = openDatabase(file);
    store = createPriceBookStore(db);
    expect(store.get()).toEqual(second);
    expect(db.prepare('SELECT count(*) FROM price_book').pluck().get()).toBe(1);
    closeDatabase(db);
  });
});
