import { priceBookSchema, type PriceBook } from '../../domain/contracts/price-book.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

/** The price book, one JSON row (table `price_book`, migration 2). */
export interface PriceBookStore {
  /** The stored price book, or null when none was ever saved (the caller's default applies). */
  get(): PriceBook | null;
  /** Saves (replaces) the price book. */
  put(book: PriceBook, nowMs: number): void;
}

export function createPriceBookStore(db: Database): PriceBookStore {
  const select = db.prepare<[], string>('SELECT body FROM price_book WHERE id = 1').pluck();
  const upsert = db.prepare<[string, number]>(
    `INSERT INTO price_book (id, body, updated_at_ms) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms`,
  );
  const put = writeTransaction(db, (book: PriceBook, nowMs: number): void => {
    upsert.run(JSON.stringify(book), nowMs);
  });

  return {
    get() {
      const body = select.get();
      if (body === undefined) return null;
      const parsed = priceBookSchema.safeParse(JSON.parse(body));
      if (!parsed.success)
        throw new Error(`price_book row: stored price book does not parse: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    },
    put,
  };
}
