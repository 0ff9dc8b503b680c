/**
 * Measures the GPU-identity and per-GPU history stores at Colossus size (196,608 GPUs, 768 chunks).
 * Not a test: run with `npx tsx test/integration/store/registry-speed.manual.ts`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createGpuHistoryStore } from '../../../server/src/pipeline/store/gpu-history-store.js';
import { createRegistryStore, type SlotBinding } from '../../../server/src/pipeline/store/registry-store.js';

const GPUS = 196_608;
const HOUR_S = 3600;
const START_S = 1_780_012_800;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'headroom-registry-speed-'));
try {
  const rows: SlotBinding[] = Array.from({ length: GPUS }, (_, slot) => ({
    slot,
    uuid: `GPU-${slot.toString(16).padStart(8, '0')}-4b5c-9d2e-${(slot * 2654435761).toString(16).slice(-12)}`,
    host: `c2-h${Math.floor(slot / 16384)}-r${Math.floor(slot / 256)}-n${Math.floor(slot / 8)}`,
    gpuIndex: slot % 8,
    model: 'NVIDIA H100 80GB HBM3',
  }));
  // First save into a fresh file, five times over (each in its own file), then re-saves.
  const first: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const repFile = join(dir, `registry-${rep}.db`);
    const repDb = openDatabase(repFile);
    const t = performance.now();
    createRegistryStore(repDb).saveBindings(rows);
    first.push(performance.now() - t);
    closeDatabase(repDb);
    rmSync(repFile);
  }
  const file = join(dir, 'registry.db');
  const db = openDatabase(file);
  const registry = createRegistryStore(db);
  registry.saveBindings(rows);
  const again: number[] = [];
  let t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    registry.saveBindings(rows);
    again.push(performance.now() - t0);
  }
  t0 = performance.now();
  const loaded = registry.loadBindings().length;
  const loadMs = performance.now() - t0;
  console.log(
    `registry: save ${GPUS.toLocaleString()} bindings into an empty table median ${median(first).toFixed(0)} ms ` +
      `(min ${Math.min(...first).toFixed(0)}, max ${Math.max(...first).toFixed(0)}), ` +
      `re-save over existing rows median ${median(again).toFixed(0)} ms; load ${loaded.toLocaleString()} in ${loadMs.toFixed(0)} ms`,
  );

  const gpu = createGpuHistoryStore(db);
  const util = new Float32Array(GPUS);
  const power = new Float32Array(GPUS);
  const writes: number[] = [];
  const days = 3;
  for (let h = 0; h < days * 24; h++) {
    for (let i = 0; i < GPUS; i++) {
      util[i] = (i % 97) / 97;
      power[i] = 70 + ((i * 7 + h) % 630);
    }
    t0 = performance.now();
    gpu.writeHour(START_S + h * HOUR_S, util, power, GPUS);
    writes.push(performance.now() - t0);
  }
  const queries: number[] = [];
  for (let i = 0; i < 20; i++) {
    t0 = performance.now();
    gpu.query(150_000 + i, 'power_watts', START_S, START_S + days * 86_400, HOUR_S);
    queries.push(performance.now() - t0);
  }
  const tables = db
    .prepare<[], { name: string; bytes: number }>("SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name = 'gpu_hourly'")
    .all();
  closeDatabase(db);
  console.log(
    `gpu hourly: writeHour of ${GPUS.toLocaleString()} GPUs median ${median(writes).toFixed(0)} ms; ` +
      `query one GPU over ${days} days median ${median(queries).toFixed(2)} ms; ` +
      `gpu_hourly ${((tables[0]?.bytes ?? 0) / days / 1e6).toFixed(1)} MB per day ` +
      `(file ${(statSync(file).size / 1e6).toFixed(0)} MB)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
