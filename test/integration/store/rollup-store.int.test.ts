import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import type { StateCounts } from '../../../server/src/domain/fleet/gpu-state.js';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createRollupStore, type RollupStore } from '../../../server/src/pipeline/store/rollup-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

/** A day boundary, so multiples of 60, 300 and 3600 line up with it. */
const T0 = 1_780_012_800;

function counts(partial: Partial<StateCounts> = {}): StateCounts {
  return { busy: 0, held: 0, idle: 0, sold: 0, down: 0, unknown: 0, ...partial };
}

function row(scope: string, ts: number, fields: Partial<Omit<ScopeRollup, 'scope' | 'ts'>> = {}): ScopeRollup {
  return { scope, ts, utilization: 0.5, itWatts: 1000, facilityWatts: 1300, counts: counts(), ...fields };
}

describe('rollup store', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let store: RollupStore;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    store = createRollupStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  it('averages three 1-minute rows into one 5-minute step', () => {
    store.write('1m', [
      row('site', T0, { utilization: 0.2, itWatts: 1000, facilityWatts: 1200, counts: counts({ busy: 10, idle: 2 }) }),
      row('site', T0 + 60, { utilization: 0.4, itWatts: 2000, facilityWatts: 2400, counts: counts({ busy: 11, idle: 1.5 }) }),
      row('site', T0 + 120, { utilization: 0.9, itWatts: 3000, facilityWatts: 3600, counts: counts({ busy: 15, idle: 0 }) }),
    ]);
    const to = T0 + 300;
    expect(store.query('site', 'utilization', T0, to, 300)).toEqual([[T0, 0.5]]);
    expect(store.query('site', 'power_watts', T0, to, 300)).toEqual([[T0, 2000]]);
    expect(store.query('site', 'facility_watts', T0, to, 300)).toEqual([[T0, 2400]]);
    expect(store.query('site', 'gpus_busy', T0, to, 300)).toEqual([[T0, 12]]);
    const idle = store.query('site', 'gpus_idle', T0, to, 300);
    expect(idle[0]?.[1]).toBeCloseTo(3.5 / 3, 9);
  });

  it('maps every history metric to its own column', () => {
    store.write('1m', [
      row('hall:h1', T0, {
        utilization: 0.25,
        itWatts: 5000,
        facilityWatts: 6500,
        counts: { busy: 1, held: 2, idle: 3, sold: 4, down: 5, unknown: 6.25 },
      }),
    ]);
    const at = (metric: Parameters<RollupStore['query']>[1]): number | undefined => store.query('hall:h1', metric, T0, T0 + 60, 60)[0]?.[1];
    expect(at('utilization')).toBe(0.25);
    expect(at('power_watts')).toBe(5000);
    expect(at('facility_watts')).toBe(6500);
    expect([at('gpus_busy'), at('gpus_held'), at('gpus_idle'), at('gpus_sold'), at('gpus_down')]).toEqual([1, 2, 3, 4, 5]);
    expect(at('gpus_unknown')).toBe(6.25);
  });

  it('omits empty buckets and returns the rest ascending with bucket-start timestamps', () => {
    store.write('1m', [
      row('site', T0 + 3600 + 60, { itWatts: 30 }),
      row('site', T0 + 120, { itWatts: 10 }),
      row('site', T0 + 3 * 3600, { itWatts: 50 }),
    ]);
    expect(store.query('site', 'power_watts', T0, T0 + 4 * 3600, 3600)).toEqual([
      [T0, 10],
      [T0 + 3600, 30],
      [T0 + 3 * 3600, 50],
    ]);
  });

  it('counts only rows inside [from, to) and aligns buckets to multiples of the step', () => {
    store.write(
      '1m',
      [0, 60, 120, 180, 240, 300].map((dt) => row('site', T0 + dt, { itWatts: dt })),
    );
    // from = T0+60 is inside the bucket starting at T0; the row at T0 is outside the range.
    expect(store.query('site', 'power_watts', T0 + 60, T0 + 300, 300)).toEqual([[T0, 150]]);
  });

  it('leaves a value out of the mean where it was not reported, and omits a bucket with none', () => {
    store.write('1m', [
      row('site', T0, { utilization: Number.NaN, itWatts: 100 }),
      row('site', T0 + 60, { utilization: 0.6, itWatts: 200 }),
      row('site', T0 + 300, { utilization: Number.NaN, itWatts: 300 }),
    ]);
    expect(store.query('site', 'utilization', T0, T0 + 600, 300)).toEqual([[T0, 0.6]]);
    expect(store.query('site', 'power_watts', T0, T0 + 600, 300)).toEqual([
      [T0, 150],
      [T0 + 300, 300],
    ]);
  });

  it('reads pod scopes from the 5-minute table and site and halls from the 1-minute table', () => {
    store.write('5m', [row('pod:h1-p7', T0, { itWatts: 250_000 })]);
    store.write('1m', [row('site', T0, { itWatts: 9_000_000 })]);
    expect(db.prepare('SELECT count(*) FROM rollup_5m').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM rollup_1m').pluck().get()).toBe(1);
    expect(store.query('pod:h1-p7', 'power_watts', T0, T0 + 300, 300)).toEqual([[T0, 250_000]]);
    expect(store.query('site', 'power_watts', T0, T0 + 300, 300)).toEqual([[T0, 9_000_000]]);
  });

  it('refuses to write a scope into the other resolution, writing nothing', () => {
    expect(() => store.write('1m', [row('site', T0), row('pod:p1', T0)])).toThrow(DomainError);
    expect(() => store.write('5m', [row('hall:h1', T0)])).toThrow(/not stored at resolution 5m/);
    expect(store.query('site', 'power_watts', T0, T0 + 60, 60)).toEqual([]);
  });

  it('refuses a key that is not a scope and a step that is not a positive whole number', () => {
    expect(() => store.query('rack:r1', 'utilization', T0, T0 + 60, 60)).toThrow(DomainError);
    expect(() => store.query('site', 'utilization', T0, T0 + 60, 0)).toThrow(DomainError);
    expect(() => store.query('site', 'utilization', T0, T0 + 60, 2.5)).toThrow(DomainError);
  });

  it('returns no points for a scope never written', () => {
    expect(store.hasScope('hall:h9')).toBe(false);
    expect(store.query('hall:h9', 'utilization', T0, T0 + 3600, 60)).toEqual([]);
  });

  it('replaces a bucket that is written again instead of adding a second row', () => {
    store.write('5m', [row('pod:p1', T0, { itWatts: 100, counts: counts({ busy: 8 }) })]);
    store.write('5m', [row('pod:p1', T0, { itWatts: 700, counts: counts({ busy: 3 }) })]);
    expect(db.prepare('SELECT count(*) FROM rollup_5m').pluck().get()).toBe(1);
    expect(store.query('pod:p1', 'power_watts', T0, T0 + 300, 300)).toEqual([[T0, 700]]);
    expect(store.query('pod:p1', 'gpus_busy', T0, T0 + 300, 300)).toEqual([[T0, 3]]);
  });

  it('keeps the last of two rows for one bucket within a single write', () => {
    store.write('5m', [row('pod:p1', T0, { itWatts: 1 }), row('pod:p2', T0), row('pod:p1', T0, { itWatts: 2 })]);
    expect(store.query('pod:p1', 'power_watts', T0, T0 + 300, 300)).toEqual([[T0, 2]]);
  });

  it('writes a large batch across several bounded transactions, synchronously or yielding', async () => {
    const small = createRollupStore(db, { writeBatchRows: 7 });
    const pods = ['pod:a', 'pod:b', 'pod:c'];
    const rows = Array.from({ length: 20 }, (_, i) => pods.map((p) => row(p, T0 + i * 300, { itWatts: i }))).flat();
    expect(small.write('5m', rows.slice(0, 30))).toBe(30);
    expect(await small.writeYielding('5m', rows.slice(30))).toBe(30);
    expect(db.prepare('SELECT count(*) FROM rollup_5m').pluck().get()).toBe(60);
    const series = small.query('pod:b', 'power_watts', T0, T0 + 20 * 300, 300);
    expect(series.map(([, v]) => v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stores rows given in any order, scopes interleaved and time reversed, across small transactions', () => {
    const small = createRollupStore(db, { writeBatchRows: 5 });
    const pods = ['pod:c', 'pod:a', 'pod:b'];
    const rows = Array.from({ length: 12 }, (_, i) =>
      pods.map((p, k) => row(p, T0 + (11 - i) * 300, { itWatts: 100 * k + (11 - i) })),
    ).flat();
    small.write('5m', rows);
    expect(small.query('pod:a', 'power_watts', T0, T0 + 12 * 300, 300).map(([, v]) => v)).toEqual(
      Array.from({ length: 12 }, (_, i) => 100 + i),
    );
    expect(small.query('pod:c', 'power_watts', T0, T0 + 12 * 300, 600)[0]).toEqual([T0, 0.5]);
  });

  it('reports the newest bucket per resolution, or null when there is none', () => {
    expect(store.latestTs('1m')).toBeNull();
    store.write('1m', [row('site', T0 + 60), row('hall:h2', T0 + 180), row('site', T0)]);
    store.write('5m', [row('pod:p1', T0 + 600)]);
    expect(store.latestTs('1m')).toBe(T0 + 180);
    expect(store.latestTs('5m')).toBe(T0 + 600);
  });

  it('prunes rows older than the cut-off and says how many it deleted', () => {
    store.write(
      '1m',
      [0, 60, 120, 180].flatMap((dt) => [row('site', T0 + dt), row('hall:h1', T0 + dt)]),
    );
    store.write('5m', [row('pod:p1', T0), row('pod:p1', T0 + 300)]);
    expect(store.prune('1m', T0 + 120)).toBe(4);
    expect(store.query('site', 'power_watts', T0, T0 + 300, 60).map(([t]) => t)).toEqual([T0 + 120, T0 + 180]);
    expect(db.prepare('SELECT count(*) FROM rollup_5m').pluck().get()).toBe(2);
    expect(store.prune('5m', T0 + 300)).toBe(1);
    expect(store.hasScope('hall:h1')).toBe(true);
  });

  it('deletes no more than asked in one bounded prune step', () => {
    store.write(
      '5m',
      ['pod:a', 'pod:b'].flatMap((p) => [0, 300, 600, 900].map((dt) => row(p, T0 + dt))),
    );
    expect(store.pruneSome('5m', T0 + 900, 4)).toBe(4);
    expect(store.pruneSome('5m', T0 + 900, 4)).toBe(2);
    expect(store.pruneSome('5m', T0 + 900, 4)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM rollup_5m').pluck().get()).toBe(2);
  });

  it('does not reuse a scope id handed out inside a caller transaction that rolled back', () => {
    expect(() =>
      db.transaction(() => {
        store.write('1m', [row('hall:rolled-back', T0, { itWatts: 1 })]);
        throw new Error('caller aborts');
      })(),
    ).toThrow('caller aborts');
    store.write('1m', [row('hall:kept', T0, { itWatts: 2 })]);
    store.write('1m', [row('hall:rolled-back', T0, { itWatts: 3 })]);
    expect(store.query('hall:kept', 'power_watts', T0, T0 + 60, 60)).toEqual([[T0, 2]]);
    expect(store.query('hall:rolled-back', 'power_watts', T0, T0 + 60, 60)).toEqual([[T0, 3]]);
    expect(db.prepare('SELECT count(DISTINCT scope_id) FROM rollup_1m').pluck().get()).toBe(2);
  });

  it('keeps rollups and interned scopes across close and reopen of the file', () => {
    store.write('1m', [row('hall:h3', T0, { itWatts: 42 })]);
    closeDatabase(db);
    db = openDatabase(file);
    store = createRollupStore(db);
    expect(store.hasScope('hall:h3')).toBe(true);
    expect(store.query('hall:h3', 'power_watts', T0, T0 + 60, 60)).toEqual([[T0, 42]]);
    store.write('1m', [row('hall:h4', T0, { itWatts: 43 })]);
    expect(db.prepare('SELECT count(*) FROM scopes').pluck().get()).toBe(2);
  });
});
