import { afterAll, describe, expect, it } from 'vitest';
import { createCollector, HISTORY_WRITE_ROWS } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { GPU_CHUNK_SLOTS } from '../../../server/src/pipeline/store/gpu-history-store.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { join } from 'node:path';
import { tempDir } from '../helpers/harness.js';

/**
 * A round's history at Colossus scale (1,184 pods, 226,560 GPUs) is written in transactions of
 * at most HISTORY_WRITE_ROWS rows or GPU chunks, with the event loop turning between them, and
 * all of it arrives: a closed 5-minute bucket is 1,199 rows (pods, halls, site), a closed hour
 * 885 chunk rows.
 */
const db = openDatabase(join(tempDir(), 'writes.db'));
afterAll(() => closeDatabase(db));

describe('history writes', () => {
  it('splits a closed bucket and a closed hour into short transactions, yielding between them, and stores all of it', async () => {
    const topology = buildPreset('colossus');
    // 768 scalable units of HGX nodes and 416 NVL72 racks; the site, its 14 halls and its 3 model pools (1-min rows).
    const [pods, siteAndHalls] = [1_184, 18];
    expect([topology.pods.length, 1 + topology.halls.length + 3]).toEqual([pods, siteAndHalls]);
    const stores = createStores(db);
    const sizes: number[] = [];
    let current = 0;
    const collector = createCollector({
      topology,
      staleAfterMs: 30_000,
      ports: {
        ...stores,
        rollups: {
          ...stores.rollups,
          write: (res, rows) => {
            current += rows.length;
            return stores.rollups.write(res, rows);
          },
        },
        gpuHistory: {
          writeHour: (ts, u, p, to, from = 0) => {
            current += Math.ceil((to - from) / GPU_CHUNK_SLOTS);
            return stores.gpuHistory.writeHour(ts, u, p, to, from);
          },
        },
        transaction: (work) => {
          current = 0;
          const result = db.transaction(work).immediate();
          sizes.push(current);
          return result;
        },
      },
    });
    // Every GPU reports, so the hour has data in every chunk.
    collector.state.powerRing.fill(300);
    const hour = Date.parse('2026-11-27T10:00:00Z');
    // Warm-up, then ticks up to 10:59:50 and one at 11:00:00, which closes the 10:55 bucket and the 10:00 hour.
    for (const t of [hour - 10_000, hour + 3_590_000]) {
      collector.tick(t);
      await collector.writeHistory();
    }
    sizes.length = 0;
    let turns = 0;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    let spinning = true;
    setImmediate(spin);
    collector.tick(hour + 3_600_000);
    const turnsBefore = turns;
    await collector.writeHistory();
    spinning = false;

    expect(Math.max(...sizes)).toBeLessThanOrEqual(HISTORY_WRITE_ROWS);
    // The pod bucket's 1,184 rows, the last minute's 18 site, hall and model-pool rows, the hour's 885 chunks.
    const stored5m = db
      .prepare('SELECT count(*) FROM rollup_5m WHERE ts = ?')
      .pluck()
      .get(Math.floor((hour + 3_300_000) / 1000));
    const stored1m = db
      .prepare('SELECT count(*) FROM rollup_1m WHERE ts = ?')
      .pluck()
      .get(Math.floor((hour + 3_540_000) / 1000));
    const chunks = db.prepare('SELECT count(*) FROM gpu_hourly').pluck().get();
    expect({ stored5m, stored1m, chunks }).toEqual({ stored5m: pods, stored1m: siteAndHalls, chunks: 226_560 / GPU_CHUNK_SLOTS });
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(pods + siteAndHalls + 226_560 / GPU_CHUNK_SLOTS);
    expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(pods / HISTORY_WRITE_ROWS) + 1);
    // The loop turned between transactions: at least once per transaction after the first.
    expect(turns - turnsBefore).toBeGreaterThanOrEqual(sizes.length - 1);
  });
});
