import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKFILL_RESUME_KEY,
  BACKFILL_TRANSACTION_ROWS,
  backfillHistory,
  backfillRange,
  type BackfillOptions,
} from '../../../server/src/pipeline/collector/backfill.js';
import { backfillTarget, openBackfillConnection } from '../../../server/src/pipeline/store/backfill-target.js';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { closeDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createMetaStore } from '../../../server/src/pipeline/store/meta-store.js';
import { createWriteGateBuffer } from '../../../server/src/pipeline/store/write-gate.js';
import { tempDir } from '../helpers/harness.js';

/**
 * The start-up backfill (collector/backfill.ts) through its real ports (backfill-target.ts) into
 * real SQLite files: 12-hour spans cut into transactions of whole pods' rows, and a resume mark
 * that only passes spans written whole.
 */
const STEP_S = 300;
const FROM_S = Date.parse('2026-11-01T00:00:00Z') / 1000;
/** A day and a quarter: three spans, the last one half as long. */
const TO_S = FROM_S + 1.25 * 86_400;
const PODS = 40;

/** A rollup row whose figures depend on scope and time, so a row written twice or for the wrong bucket shows. */
function row(scope: string, ts: number): ScopeRollup {
  const n = (ts / STEP_S) % 97;
  return {
    scope,
    ts,
    utilization: n / 97,
    itWatts: 1_000 + n,
    facilityWatts: 1_250 + n,
    counts: { busy: n, held: 1, idle: 2, sold: 0, down: 0, unknown: 0 },
  };
}

/** Every scope's rows of the bucket starting at tMs: the site, 2 halls and PODS pods, as the simulator gives them. */
function aggregateAt(tMs: number): ScopeRollup[] {
  const ts = tMs / 1000;
  const scopes = ['site', 'hall:h1', 'hall:h2', ...Array.from({ length: PODS }, (_, i) => `pod:p${i}`)];
  return scopes.map((scope) => row(scope, ts));
}

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) closeDatabase(db);
});
/** A connection as the backfill worker opens it (synchronous=NORMAL: many short commits). */
function database(name: string): Database {
  const db = openBackfillConnection(join(tempDir(), name));
  open.push(db);
  return db;
}

/** Both rollup tables with scope keys, in key order: what a chart could ever read. */
function stored(db: Database): unknown[] {
  return ['rollup_1m', 'rollup_5m'].flatMap((table) =>
    db
      .prepare(`SELECT '${table}' AS t, s.key AS scope, r.* FROM ${table} r JOIN scopes s ON s.id = r.scope_id ORDER BY s.key, r.ts`)
      .all()
      .map((r) => {
        const { scope_id: _ignored, ...rest } = r as Record<string, unknown>;
        return rest;
      }),
  );
}

/** The test site's backfill into `db`; `options` replace any part (a wrapped target among them). */
function run(db: Database, options: Partial<BackfillOptions> = {}): Promise<number> {
  return backfillHistory({
    ...backfillTarget(db, createWriteGateBuffer()),
    aggregateAt,
    fromS: FROM_S,
    toS: TO_S,
    stepS: STEP_S,
    podEvery: 3,
    ...options,
  });
}

class Interrupted extends Error {}

describe('the start-up backfill', () => {
  it('writes exactly the rows a backfill in one transaction per 12-hour span wrote', async () => {
    const sliced = database('sliced.db');
    const whole = database('whole.db');
    const slicedRows = await run(sliced, { transactionRows: 100 });
    const wholeRows = await run(whole, { transactionRows: Number.MAX_SAFE_INTEGER });
    expect(slicedRows).toBe(wholeRows);
    // 360 buckets: 3 site/hall rows each, PODS pod rows every third.
    expect(slicedRows).toBe(360 * 3 + 120 * PODS);
    expect(stored(sliced)).toEqual(stored(whole));
    expect(createMetaStore(sliced).get(BACKFILL_RESUME_KEY)).toBeNull();
  });

  it('holds at most transactionRows rows in any transaction, and keeps each pod in one transaction per span', async () => {
    const db = database('sizes.db');
    const target = backfillTarget(db, createWriteGateBuffer());
    const transactions: Array<{ rows: number; pods: Set<string> }> = [];
    const limit = 100;
    await run(db, {
      ...target,
      rollups: {
        ...target.rollups,
        write: (resolution, rows) => {
          const current = transactions[transactions.length - 1];
          if (current === undefined) throw new Error('a write outside a transaction');
          current.rows += rows.length;
          for (const r of rows) if (r.scope.startsWith('pod:')) current.pods.add(r.scope);
          return target.rollups.write(resolution, rows);
        },
      },
      transaction: (work) => {
        transactions.push({ rows: 0, pods: new Set() });
        return target.transaction(work);
      },
      transactionRows: limit,
    });
    expect(Math.max(...transactions.map((t) => t.rows))).toBeLessThanOrEqual(limit);
    // Each of the 3 spans writes every pod's rows in one transaction (its leaf page once per span):
    // a pod split over two transactions would be counted twice.
    expect(transactions.reduce((n, t) => n + t.pods.size, 0)).toBe(3 * PODS);
    expect(BACKFILL_TRANSACTION_ROWS).toBeGreaterThanOrEqual(144);
  });

  it('resumes after an interruption at any transaction without leaving a hole, where the newest bucket alone would', async () => {
    const reference = database('reference.db');
    await run(reference, { transactionRows: 100 });
    const expected = stored(reference);
    let transactions = 0;
    const countDb = database('count.db');
    const counting = backfillTarget(countDb, createWriteGateBuffer());
    await run(countDb, { ...counting, transaction: (work) => (transactions++, counting.transaction(work)), transactionRows: 100 });
    let holesTheNewestBucketWouldLeave = 0;
    // An interruption before each transaction, the first to the last.
    for (let stopAfter = 0; stopAfter < transactions; stopAfter++) {
      const db = database(`interrupted-${stopAfter}.db`);
      const target = backfillTarget(db, createWriteGateBuffer());
      let done = 0;
      const interrupted = run(db, {
        ...target,
        // The transaction after `stopAfter` fails: it rolls back, and the process is gone.
        transaction: (work) => {
          if (done === stopAfter) throw new Interrupted();
          done++;
          return target.transaction(work);
        },
        transactionRows: 100,
      });
      const finished = await interrupted.then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof Interrupted)) throw error;
          return false;
        },
      );
      const latestS = db.prepare<[], number | null>('SELECT max(ts) FROM rollup_5m').pluck().get() ?? null;
      const mark = createMetaStore(db).get(BACKFILL_RESUME_KEY);
      const range = backfillRange({ latestS, resumeMark: mark, nowS: TO_S + STEP_S, days: 30, stepS: STEP_S });
      // This site's history begins at FROM_S (the 30-day window reaches further back).
      range.fromS = Math.max(range.fromS, FROM_S);
      if (!finished && latestS !== null && latestS + STEP_S > range.fromS) holesTheNewestBucketWouldLeave++;
      // The next start, as headroom.ts starts it.
      await run(db, { fromS: range.fromS, toS: range.toS, transactionRows: 100 });
      expect({ stopAfter, rows: stored(db) }).toEqual({ stopAfter, rows: expected });
      expect(createMetaStore(db).get(BACKFILL_RESUME_KEY)).toBeNull();
    }
    // Mid-span interruptions: the newest stored bucket lies inside the unfinished span.
    expect(holesTheNewestBucketWouldLeave).toBeGreaterThan(0);
  });

  it('starts from the newest stored bucket when no backfill was interrupted, and from the mark when one was', () => {
    const nowS = FROM_S + 20 * 86_400;
    expect(backfillRange({ latestS: null, resumeMark: null, nowS, days: 14, stepS: STEP_S })).toEqual({
      fromS: nowS - 14 * 86_400,
      toS: nowS - STEP_S,
    });
    expect(backfillRange({ latestS: nowS - 3_600, resumeMark: null, nowS, days: 14, stepS: STEP_S }).fromS).toBe(nowS - 3_600 + STEP_S);
    expect(backfillRange({ latestS: nowS - 3_600, resumeMark: String(nowS - 86_400), nowS, days: 14, stepS: STEP_S }).fromS).toBe(
      nowS - 86_400,
    );
    // A mark older than the window: the window's start.
    expect(backfillRange({ latestS: nowS - 3_600, resumeMark: String(FROM_S), nowS, days: 14, stepS: STEP_S }).fromS).toBe(
      nowS - 14 * 86_400,
    );
  });
});
