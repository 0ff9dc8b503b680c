import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createGpuHistoryStore, type GpuHistoryStore } from '../../../server/src/pipeline/store/gpu-history-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

const HOUR = 3600;
const T0 = 1_780_012_800; // a day boundary

/** Arrays of `slots` GPUs with no data, then the given slots set. */
function hour(slots: number, set: Record<number, [number, number]> = {}): { util: Float32Array; power: Float32Array } {
  const util = new Float32Array(slots).fill(Number.NaN);
  const power = new Float32Array(slots).fill(Number.NaN);
  for (const [slot, [u, w]] of Object.entries(set)) {
    util[Number(slot)] = u;
    power[Number(slot)] = w;
  }
  return { util, power };
}

describe('gpu history store', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let store: GpuHistoryStore;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    store = createGpuHistoryStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  it('round-trips a slot in the second chunk at the stored resolution', () => {
    const { util, power } = hour(600, { 300: [0.5, 612.4], 100: [0.1, 80] });
    expect(store.writeHour(T0, util, power, 600)).toBe(2); // chunks 0 and 1; chunk 2 has no data
    expect(store.query(300, 'utilization', T0, T0 + HOUR, HOUR)).toEqual([[T0, 0.5]]);
    expect(store.query(300, 'power_watts', T0, T0 + HOUR, HOUR)).toEqual([[T0, 612]]);
    expect(store.query(100, 'power_watts', T0, T0 + HOUR, HOUR)).toEqual([[T0, 80]]);
    // 1/3 is stored as round(83.33) / 250.
    util[300] = 1 / 3;
    store.writeHour(T0, util, power, 600);
    expect(store.query(300, 'utilization', T0, T0 + HOUR, HOUR)).toEqual([[T0, 83 / 250]]);
  });

  it('stores one row of 256 utilization bytes and 256 little-endian power words per chunk and hour', () => {
    const { util, power } = hour(256, { 3: [1, 700] });
    store.writeHour(T0 + 1234, util, power, 256); // floored to the hour
    const stored = db
      .prepare<[], { chunk: number; ts: number; util: Buffer; power: Buffer }>('SELECT chunk, ts, util, power FROM gpu_hourly')
      .all();
    expect(stored).toHaveLength(1);
    const [only] = stored;
    expect(only?.chunk).toBe(0);
    expect(only?.ts).toBe(T0);
    expect(only?.util.length).toBe(256);
    expect(only?.util[3]).toBe(250);
    expect(only?.util[4]).toBe(255);
    expect(only?.power.readUInt16LE(6)).toBe(700);
    expect(only?.power.readUInt16LE(8)).toBe(65_535);
  });

  it('gives no point for an hour without data (NaN) and averages the hours that have it', () => {
    for (let h = 0; h < 6; h++) {
      const value: [number, number] = h === 2 ? [Number.NaN, Number.NaN] : [h / 10, 100 * h];
      const { util, power } = hour(8, { 5: value });
      store.writeHour(T0 + h * HOUR, util, power, 8);
    }
    expect(store.query(5, 'power_watts', T0, T0 + 6 * HOUR, HOUR).map(([t]) => (t - T0) / HOUR)).toEqual([0, 1, 3, 4, 5]);
    // Buckets of 3 h: hours 0,1 (2 has no data) then 3,4,5.
    expect(store.query(5, 'power_watts', T0, T0 + 6 * HOUR, 3 * HOUR)).toEqual([
      [T0, 50],
      [T0 + 3 * HOUR, 400],
    ]);
    const utilization = store.query(5, 'utilization', T0, T0 + 6 * HOUR, 3 * HOUR);
    expect(utilization[0]?.[1]).toBeCloseTo(0.05, 9);
    expect(utilization[1]?.[1]).toBeCloseTo(0.4, 9);
  });

  it('keeps utilization and power independent when only one was reported', () => {
    const { util, power } = hour(4, { 1: [Number.NaN, 150] });
    store.writeHour(T0, util, power, 4);
    expect(store.query(1, 'utilization', T0, T0 + HOUR, HOUR)).toEqual([]);
    expect(store.query(1, 'power_watts', T0, T0 + HOUR, HOUR)).toEqual([[T0, 150]]);
  });

  it('stores nothing for a chunk without data and removes an hour rewritten without data', () => {
    const { util, power } = hour(512, { 10: [0.2, 200] });
    expect(store.writeHour(T0, util, power, 512)).toBe(1);
    const empty = hour(512);
    expect(store.writeHour(T0, empty.util, empty.power, 512)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM gpu_hourly').pluck().get()).toBe(0);
  });

  it('only counts hours that start inside [from, to)', () => {
    for (let h = 0; h < 3; h++) {
      const { util, power } = hour(1, { 0: [0.5, 100 + h] });
      store.writeHour(T0 + h * HOUR, util, power, 1);
    }
    expect(store.query(0, 'power_watts', T0 + 1, T0 + 2 * HOUR, HOUR)).toEqual([[T0 + HOUR, 101]]);
    expect(store.query(0, 'power_watts', T0, T0, HOUR)).toEqual([]);
  });

  it('prunes hours that start before the cut-off, across chunks, in bounded steps', () => {
    for (let h = 0; h < 4; h++) {
      const { util, power } = hour(700, { 1: [0.5, 100], 300: [0.5, 200], 600: [0.5, 300] });
      store.writeHour(T0 + h * HOUR, util, power, 700);
    }
    expect(store.latestTs()).toBe(T0 + 3 * HOUR);
    expect(store.pruneSome(T0 + 2 * HOUR, 4)).toBe(4);
    expect(store.prune(T0 + 2 * HOUR)).toBe(2);
    expect(db.prepare('SELECT count(*) FROM gpu_hourly').pluck().get()).toBe(6);
    expect(store.query(600, 'power_watts', T0, T0 + 4 * HOUR, HOUR).map(([t]) => t)).toEqual([T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(store.prune(T0 + 10 * HOUR)).toBe(6);
    expect(store.latestTs()).toBeNull();
  });

  it('refuses a slot count larger than the arrays and a negative slot', () => {
    const { util, power } = hour(4);
    expect(() => store.writeHour(T0, util, power, 5)).toThrow(DomainError);
    expect(() => store.query(-1, 'utilization', T0, T0 + HOUR, HOUR)).toThrow(DomainError);
  });

  it('keeps per-GPU history across close and reopen of the file', () => {
    const { util, power } = hour(300, { 257: [0.8, 650] });
    store.writeHour(T0, util, power, 300);
    closeDatabase(db);
    db = openDatabase(file);
    store = createGpuHistoryStore(db);
    expect(store.query(257, 'utilization', T0, T0 + HOUR, HOUR)).toEqual([[T0, 0.8]]);
  });
});
