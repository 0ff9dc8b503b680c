/**
 * Prepares benchmark 4's large table: rollup_5m holding ≥ 10M rows — the 768 Colossus pods at
 * 5 minutes for the 45.3 days before the day the benchmark writes — built once per run with
 * plain prepared inserts in key order and copied per repetition.
 */
import { benchPreset } from '../lib/topologies.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';

export const BIG_TABLE_ROWS = 10_000_000;
const STEP_S = 300;

export interface BigDb {
  file: string;
  rows: number;
  /** First bucket after the stored history: the benchmark writes from here. */
  nextTs: number;
  buildMs: number;
}

export function prepareBigRollupDb(workDir: string, endTs: number): BigDb {
  const started = performance.now();
  const dir = join(workDir, 'prep-10m');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'headroom.db');
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  const pods = buildPreset(benchPreset()).pods.map((p) => `pod:${p.id}`);
  const insertScope = db.prepare<[string]>('INSERT INTO scopes (key) VALUES (?)');
  const idOf = db.prepare<[string], number>('SELECT id FROM scopes WHERE key = ?').pluck();
  const ids = db.transaction(() => pods.map((key) => (insertScope.run(key), idOf.get(key) ?? 0)))();
  const buckets = Math.ceil(BIG_TABLE_ROWS / pods.length);
  const firstTs = endTs - buckets * STEP_S;
  const insert = db.prepare<[number, number, number, number, number, number, number, number]>(
    `INSERT INTO rollup_5m (scope_id, ts, util_pm, it_w, fac_w, busy_c, held_c, idle_c, sold_c, down_c, unknown_c)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)`,
  );
  let rows = 0;
  // Key order (scope-major) with a commit every 64 scopes: the fastest way in, not a figure.
  for (let chunk = 0; chunk < ids.length; chunk += 64) {
    db.transaction(() => {
      for (const id of ids.slice(chunk, chunk + 64)) {
        for (let b = 0; b < buckets; b++) {
          const ts = firstTs + b * STEP_S;
          const wave = 0.55 + 0.3 * Math.sin((2 * Math.PI * (ts % 86_400)) / 86_400 + id);
          const busy = Math.round(256 * wave * 100);
          insert.run(
            id,
            ts,
            Math.round(wave * 900),
            Math.round(256 * (120 + 560 * wave)),
            Math.round(320 * (120 + 560 * wave)),
            busy,
            250,
            25_600 - busy - 250,
          );
          rows++;
        }
      }
    })();
  }
  closeDatabase(db);
  return { file, rows, nextTs: endTs, buildMs: performance.now() - started };
}
