import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { benchSimulator } from '../../bench/lib/ingest-workload.js';
import { BIG_END_TS, ceilingInsert, oursBackfill, simRows } from '../../bench/lib/rollup-workload.js';

const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every stored rollup row by scope key and ts, values as stored. */
function dump(db: Database): string[] {
  return ['rollup_1m', 'rollup_5m'].flatMap((table) =>
    db
      .prepare<[], Record<string, number | string | null>>(
        `SELECT s.key AS scope, r.ts, r.util_pm, r.it_w, r.fac_w, r.busy_c, r.held_c, r.idle_c, r.sold_c, r.down_c, r.unknown_c
         FROM ${table} r JOIN scopes s ON s.id = r.scope_id ORDER BY s.key, r.ts`,
      )
      .all()
      .map((row) => `${table} ${JSON.stringify(row)}`),
  );
}

describe("benchmark 4's two sides", () => {
  it('write the same rows with the same stored values (ours through the backfill path, the ceiling with plain inserts)', async () => {
    const rows = simRows(benchSimulator(buildPreset('small')), BIG_END_TS, 1 / 24);
    expect(rows.byTs.size).toBe(12);
    const oursDb = openDatabase(join(dir, 'ours.db'));
    const ceilDb = openDatabase(join(dir, 'ceiling.db'));
    const ours = await oursBackfill(oursDb, rows);
    const ceil = ceilingInsert(ceilDb, rows);
    expect(ours.rows).toBe(rows.count);
    expect(ceil.rows).toBe(rows.count);
    expect(ours.transactionsMs.length).toBeGreaterThan(0);
    const a = dump(oursDb);
    expect(a).toHaveLength(rows.count);
    expect(dump(ceilDb)).toEqual(a);
    closeDatabase(oursDb);
    closeDatabase(ceilDb);
  });
});
