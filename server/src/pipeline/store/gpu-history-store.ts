import { DomainError } from '../../domain/errors.js';
import type { GPU_HISTORY_METRICS } from '../../domain/fleet/rollup.js';
import type { Database } from './db.js';
import { writeTransaction } from './write-transaction.js';

export type GpuHistoryMetric = (typeof GPU_HISTORY_METRICS)[number];

/** GPU slots per stored row. */
export const GPU_CHUNK_SLOTS = 256;
/** Utilization byte = round(u × 250); this value marks "no data". */
export const UTIL_NO_DATA = 255;
/** Power word (uint16 LE, whole watts); this value marks "no data". */
export const POWER_NO_DATA = 65_535;
/** Default rows (chunk-hours) deleted per prune transaction (≈ 0.8 KB each). */
export const GPU_PRUNE_BATCH_ROWS = 10_000;

const HOUR_S = 3600;
/** Rowid = chunk × 2^24 + hour index (hours since the epoch; 2^24 hours reach year 3884). */
const HOURS_PER_CHUNK_KEY = 2 ** 24;
const UTIL_SCALE = 250;

export interface GpuHistoryStore {
  /**
   * Stores one hour of per-GPU means for slots [0, slotCount): `util` (0–1) and `power` (watts),
   * NaN meaning no data for that slot. `tsS` is any time within the hour (it is floored to the
   * hour). Rewriting an hour replaces it; a chunk of 256 slots with no data at all is not stored.
   * Returns the number of chunk rows stored. `fromSlot` (a multiple of GPU_CHUNK_SLOTS) writes
   * only slots [fromSlot, slotCount): a large hour written in a few short transactions.
   */
  writeHour(tsS: number, util: Float32Array, power: Float32Array, slotCount: number, fromSlot?: number): number;
  /**
   * One GPU slot's hourly means over hours starting in [fromS, toS), averaged into buckets of
   * `stepS` aligned to multiples of stepS: `[bucketStartS, mean]`, ascending; hours without data
   * are skipped and empty buckets omitted. Utilization comes back as 0–1 (resolution 1/250).
   */
  query(slot: number, metric: GpuHistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]>;
  /** Deletes every hour starting before beforeS, in bounded transactions. Returns rows deleted. */
  prune(beforeS: number): number;
  /** Deletes at most `maxRows` chunk-hours starting before beforeS, in one transaction. */
  pruneSome(beforeS: number, maxRows: number): number;
  /** Start of the newest stored hour, or null when nothing is stored. */
  latestTs(): number | null;
}

export function createGpuHistoryStore(db: Database): GpuHistoryStore {
  const upsert = db.prepare<[number, Buffer, Buffer]>('INSERT OR REPLACE INTO gpu_hourly (id, util, power) VALUES (?, ?, ?)');
  const remove = db.prepare<[number]>('DELETE FROM gpu_hourly WHERE id = ?');
  type RangeParams = { lo: number; hi: number; offset: number };
  const selectUtil = db.prepare<RangeParams, { id: number; b: Buffer }>(
    'SELECT id, substr(util, @offset + 1, 1) AS b FROM gpu_hourly WHERE id >= @lo AND id < @hi ORDER BY id',
  );
  const selectPower = db.prepare<RangeParams, { id: number; b: Buffer }>(
    'SELECT id, substr(power, 2 * @offset + 1, 2) AS b FROM gpu_hourly WHERE id >= @lo AND id < @hi ORDER BY id',
  );
  const maxId = db.prepare<[], number | null>('SELECT max(id) FROM gpu_hourly').pluck();
  const maxIdBelow = db.prepare<[number, number], number | null>('SELECT max(id) FROM gpu_hourly WHERE id >= ? AND id < ?').pluck();
  // A chunk's oldest rows below @hi, at most @limit of them (same bound trick as the rollups).
  const deleteOldest = db.prepare<{ lo: number; hi: number; limit: number }>(
    `DELETE FROM gpu_hourly WHERE id >= @lo AND id < coalesce(
       (SELECT id FROM gpu_hourly WHERE id >= @lo AND id < @hi ORDER BY id LIMIT 1 OFFSET CAST(@limit AS INTEGER)),
       @hi)`,
  );

  const writeChunks = writeTransaction(db, (hour: number, util: Float32Array, power: Float32Array, slotCount: number, fromSlot: number) => {
    let stored = 0;
    for (let chunk = fromSlot / GPU_CHUNK_SLOTS; chunk * GPU_CHUNK_SLOTS < slotCount; chunk++) {
      const utilBytes = Buffer.alloc(GPU_CHUNK_SLOTS, UTIL_NO_DATA);
      const powerBytes = Buffer.alloc(GPU_CHUNK_SLOTS * 2, 0xff);
      let hasData = false;
      const end = Math.min(GPU_CHUNK_SLOTS, slotCount - chunk * GPU_CHUNK_SLOTS);
      for (let i = 0; i < end; i++) {
        const slot = chunk * GPU_CHUNK_SLOTS + i;
        const u = util[slot] ?? Number.NaN;
        const w = power[slot] ?? Number.NaN;
        if (Number.isFinite(u)) {
          utilBytes[i] = Math.round(Math.min(1, Math.max(0, u)) * UTIL_SCALE);
          hasData = true;
        }
        if (Number.isFinite(w)) {
          powerBytes.writeUInt16LE(Math.round(Math.min(POWER_NO_DATA - 1, Math.max(0, w))), i * 2);
          hasData = true;
        }
      }
      const id = chunk * HOURS_PER_CHUNK_KEY + hour;
      if (hasData) {
        upsert.run(id, utilBytes, powerBytes);
        stored++;
      } else {
        remove.run(id);
      }
    }
    return stored;
  });

  function pruneSome(beforeS: number, maxRows: number): number {
    const hourLimit = Math.max(0, Math.ceil(beforeS / HOUR_S));
    const top = maxId.get() ?? null;
    if (top === null || hourLimit === 0) return 0;
    const chunks = Math.floor(top / HOURS_PER_CHUNK_KEY) + 1;
    return writeTransaction(db, () => {
      let deleted = 0;
      for (let chunk = 0; chunk < chunks && deleted < maxRows; chunk++) {
        const lo = chunk * HOURS_PER_CHUNK_KEY;
        deleted += deleteOldest.run({ lo, hi: lo + hourLimit, limit: maxRows - deleted }).changes;
      }
      return deleted;
    })();
  }

  return {
    writeHour(tsS, util, power, slotCount, fromSlot = 0) {
      if (!Number.isFinite(tsS) || tsS < 0) throw new DomainError('invalid', `hour ts must be ≥ 0, got ${tsS}`);
      if (!Number.isSafeInteger(slotCount) || slotCount < 0 || slotCount > util.length || slotCount > power.length) {
        throw new DomainError('invalid', `slotCount ${slotCount} does not fit arrays of ${util.length}/${power.length}`);
      }
      if (!Number.isSafeInteger(fromSlot) || fromSlot < 0 || fromSlot % GPU_CHUNK_SLOTS !== 0) {
        throw new DomainError('invalid', `fromSlot ${fromSlot} must be a multiple of ${GPU_CHUNK_SLOTS}`);
      }
      return writeChunks(Math.floor(tsS / HOUR_S), util, power, slotCount, fromSlot);
    },
    query(slot, metric, fromS, toS, stepS) {
      if (!Number.isSafeInteger(slot) || slot < 0) throw new DomainError('invalid', `slot must be ≥ 0, got ${slot}`);
      if (!Number.isSafeInteger(stepS) || stepS <= 0) {
        throw new DomainError('invalid', `step must be a positive whole number of seconds, got ${stepS}`);
      }
      if (!(toS > fromS)) return [];
      const chunk = Math.floor(slot / GPU_CHUNK_SLOTS);
      const base = chunk * HOURS_PER_CHUNK_KEY;
      const params: RangeParams = {
        lo: base + Math.max(0, Math.ceil(fromS / HOUR_S)),
        hi: base + Math.min(HOURS_PER_CHUNK_KEY, Math.max(0, Math.ceil(toS / HOUR_S))),
        offset: slot % GPU_CHUNK_SLOTS,
      };
      const isUtil = metric === 'utilization';
      const rows = (isUtil ? selectUtil : selectPower).all(params);
      const points: Array<[number, number]> = [];
      let bucket = -1;
      let sum = 0;
      let n = 0;
      for (const { id, b } of rows) {
        const raw = isUtil ? b[0] : b.length === 2 ? b.readUInt16LE(0) : undefined;
        if (raw === undefined || raw === (isUtil ? UTIL_NO_DATA : POWER_NO_DATA)) continue;
        const tsS = (id - base) * HOUR_S;
        const start = Math.floor(tsS / stepS) * stepS;
        if (start !== bucket) {
          if (n > 0) points.push([bucket, sum / n]);
          bucket = start;
          sum = 0;
          n = 0;
        }
        sum += isUtil ? raw / UTIL_SCALE : raw;
        n++;
      }
      if (n > 0) points.push([bucket, sum / n]);
      return points;
    },
    prune(beforeS) {
      let total = 0;
      for (;;) {
        const deleted = pruneSome(beforeS, GPU_PRUNE_BATCH_ROWS);
        total += deleted;
        if (deleted < GPU_PRUNE_BATCH_ROWS) return total;
      }
    },
    pruneSome,
    latestTs() {
      // One index seek per chunk: a max over the hour bits would read every blob in the table.
      const top = maxId.get() ?? null;
      if (top === null) return null;
      let latestHour = -1;
      for (let chunk = 0; chunk <= Math.floor(top / HOURS_PER_CHUNK_KEY); chunk++) {
        const lo = chunk * HOURS_PER_CHUNK_KEY;
        const id = maxIdBelow.get(lo, lo + HOURS_PER_CHUNK_KEY) ?? null;
        if (id !== null) latestHour = Math.max(latestHour, id - lo);
      }
      return latestHour < 0 ? null : latestHour * HOUR_S;
    },
  };
}
