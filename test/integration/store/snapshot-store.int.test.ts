import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createSnapshotStore, type SnapshotStore } from '../../../server/src/pipeline/store/snapshot-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

describe('snapshot store', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let store: SnapshotStore;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    store = createSnapshotStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  it('has no snapshot before the first save', () => {
    expect(store.load()).toBeNull();
  });

  it('round-trips typed arrays byte for byte, including NaN payloads and a view with an offset', () => {
    const power = new Float64Array([0, 612.5, Number.NaN, -0, Number.MAX_VALUE]);
    const states = new Uint8Array([0, 1, 2, 3, 4, 5, 255]);
    const backing = new Int32Array([99, -7, 2_147_483_647, 99]);
    const middle = backing.subarray(1, 3);
    const big = new Float32Array(196_608).map((_, i) => i / 7);
    store.save({
      takenAtMs: 1_780_012_800_123,
      journalSeq: 42,
      parts: { power: bytesOf(power), states, middle: bytesOf(middle), big: bytesOf(big) },
    });

    const loaded = store.load();
    expect(loaded?.takenAtMs).toBe(1_780_012_800_123);
    expect(loaded?.journalSeq).toBe(42);
    expect(Object.keys(loaded?.parts ?? {}).sort()).toEqual(['big', 'middle', 'power', 'states']);
    expect(Buffer.from(loaded?.parts['power'] ?? []).equals(Buffer.from(bytesOf(power)))).toBe(true);
    expect(Buffer.from(loaded?.parts['states'] ?? []).equals(Buffer.from(states))).toBe(true);
    expect(Buffer.from(loaded?.parts['middle'] ?? []).equals(Buffer.from(bytesOf(middle)))).toBe(true);
    expect(Buffer.from(loaded?.parts['big'] ?? []).equals(Buffer.from(bytesOf(big)))).toBe(true);

    // Parts own their memory at offset 0, so wider views are aligned.
    const powerPart = loaded?.parts['power'];
    if (powerPart === undefined) throw new Error('power part missing');
    expect(powerPart.byteOffset).toBe(0);
    expect(Array.from(new Float64Array(powerPart.buffer))).toEqual(Array.from(power));
  });

  it('replaces the whole previous snapshot, dropping parts the new one lacks', () => {
    store.save({ takenAtMs: 1, journalSeq: 1, parts: { a: new Uint8Array([1]), b: new Uint8Array([2]) } });
    store.save({ takenAtMs: 2, journalSeq: 5, parts: { a: new Uint8Array([3, 4]) } });
    const loaded = store.load();
    expect(loaded?.journalSeq).toBe(5);
    expect(Object.keys(loaded?.parts ?? {})).toEqual(['a']);
    expect(Array.from(loaded?.parts['a'] ?? [])).toEqual([3, 4]);
  });

  it('keeps an empty part as an empty array', () => {
    store.save({ takenAtMs: 1, journalSeq: 0, parts: { none: new Uint8Array(0) } });
    expect(store.load()?.parts['none']?.byteLength).toBe(0);
  });

  it('keeps the snapshot across close and reopen of the file', () => {
    store.save({ takenAtMs: 7, journalSeq: 3, parts: { states: new Uint8Array([5, 4, 3]) } });
    closeDatabase(db);
    db = openDatabase(file);
    store = createSnapshotStore(db);
    const loaded = store.load();
    expect(loaded?.takenAtMs).toBe(7);
    expect(Array.from(loaded?.parts['states'] ?? [])).toEqual([5, 4, 3]);
  });
});
