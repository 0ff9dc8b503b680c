import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import type { ScopeRollup } from '../../../server/src/domain/fleet/rollup.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createGpuHistoryStore, type GpuHistoryStore } from '../../../server/src/pipeline/store/gpu-history-store.js';
import { pruneHistory } from '../../../server/src/pipeline/store/retention.js';
import { createRollupStore, type RollupStore } from '../../../server/src/pipeline/store/rollup-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

const DAY = 86_400;
const NOW_S = 1_780_012_800 + 10 * DAY;

function row(scope: string, ts: number): ScopeRollup {
  return {
    scope,
    ts,
    utilization: 0.5,
    itWatts: 1000,
    facilityWatts: 1200,
    counts: { busy: 1, held: 0, idle: 0, sold: 0, down: 0, unknown: 0 },
  };
}

describe('pruneHistory', () => {
  let tmp: TempDir;
  let db: Database;
  let rollups: RollupStore;
  let gpuHistory: GpuHistoryStore;
  beforeEach(() => {
    tmp = makeTempDir();
    db = openDatabase(tmp.path('headroom.db'));
    rollups = createRollupStore(db);
    gpuHistory = createGpuHistoryStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  const count = (table: string): unknown => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

  it('deletes rollups older than retentionDays and GPU hours older than gpuRetentionDays, in small batches', async () => {
    // One row per scope per day, for the last 10 days.
    const days = Array.from({ length: 10 }, (_, d) => NOW_S - (d + 0.5) * DAY);
    rollups.write(
      '1m',
      days.flatMap((ts) => [row('site', ts), row('hall:h1', ts)]),
    );
    rollups.write(
      '5m',
      days.flatMap((ts) => [row('pod:p1', ts), row('pod:p2', ts), row('pod:p3', ts)]),
    );
    const util = new Float32Array(300).fill(0.5);
    const power = new Float32Array(300).fill(400);
    for (const ts of days) gpuHistory.writeHour(ts, util, power, 300); // 2 chunks per hour

    const report = await pruneHistory({ rollups, gpuHistory }, { nowS: NOW_S, retentionDays: 7, gpuRetentionDays: 3 }, 4);

    expect(report).toEqual({ rollup1m: 2 * 3, rollup5m: 3 * 3, gpuHourly: 2 * 7 });
    expect(count('rollup_1m')).toBe(2 * 7);
    expect(count('rollup_5m')).toBe(3 * 7);
    expect(count('gpu_hourly')).toBe(2 * 3);
    expect(rollups.query('site', 'power_watts', NOW_S - 30 * DAY, NOW_S, DAY)).toHaveLength(7);
  });

  it('deletes nothing when everything is within retention', async () => {
    rollups.write('1m', [row('site', NOW_S - 60)]);
    const report = await pruneHistory({ rollups, gpuHistory }, { nowS: NOW_S, retentionDays: 30, gpuRetentionDays: 30 });
    expect(report).toEqual({ rollup1m: 0, rollup5m: 0, gpuHourly: 0 });
    expect(count('rollup_1m')).toBe(1);
  });

  it('refuses a retention that is not a positive number of days', async () => {
    await expect(pruneHistory({ rollups, gpuHistory }, { nowS: NOW_S, retentionDays: 0, gpuRetentionDays: 30 })).rejects.toBeInstanceOf(
      DomainError,
    );
  });
});
