/**
 * Issue 19 item 1: GPUs of models the model table lacks, pushed through the real ingest endpoints
 * to a real server, are read on their own power scale (never as an H100), listed as unknown models
 * on /api/v1/fleet and /metrics, and fire the default UnknownGpuModel alert; a GPU capped at
 * 400 W by its enforced power limit and drawing 390 W reads busy ≥ 0.9. Fixtures and their
 * provenance: test/fixtures/dcgm-exporter/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

interface Gpu {
  model: string;
  state: string;
  utilization: number | null;
}
interface Fleet {
  unknownModels: Array<{ name: string; label: string; gpus: number }>;
  modelMismatchGpus: number;
}
type Alert = { status: string; labels: Record<string, string>; annotations: Record<string, string> };

const V100 = (n: number): string => `GPU-6f3c1a20-7b1d-4c7e-9a55-0d2e8f41b00${n}`;
const A10G = (n: number): string => `GPU-0b7e92d4-51aa-4f0e-8c3d-a10a10a1000${n}`;
const RTX = 'GPU-ef6ef310-f8e2-cef9-036e-8f12d59b5ffc';
const CAPPED = 'GPU-capped-h100-0';
const CAPPED_CSV = [
  'timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W], power.limit [W], enforced.power.limit [W]',
  `2026/11/27 12:00:01.000, 0, ${CAPPED}, NVIDIA H100 80GB HBM3, 97 %, 70000 MiB, 81559 MiB, 389.50 W, 400.00 W, 400.00 W`,
  `2026/11/27 12:00:02.000, 0, ${CAPPED}, NVIDIA H100 80GB HBM3, 98 %, 70000 MiB, 81559 MiB, 390.00 W, 400.00 W, 400.00 W`,
].join('\n');

let h: TestHeadroom;
const gpu = async (uuid: string): Promise<Gpu> => (await h.getJson<Gpu>(`/api/v1/gpus/${uuid}`)).body;

/** Pushes every capture (each push is a sample) and runs a collection round. */
async function pushAll(): Promise<void> {
  for (const name of ['v100-node-handmade.txt', 'a10g-node-handmade.txt', 'rtx6000ada-aiperf.txt']) {
    const res = await h.post('/api/v1/ingest/dcgm', fixture(`dcgm-exporter/${name}`), 'text/plain');
    expect(res.status, name).toBe(200);
  }
  expect((await h.post('/api/v1/ingest/nvidia-smi?host=capped-node', CAPPED_CSV, 'text/csv')).status).toBe(200);
  await h.collectAt(Math.floor(h.clock.now() / 10_000) * 10_000);
}

beforeAll(async () => {
  // 1 s of the wall is ≈ 17 minutes of the collection clock, so the rule's `for` passes in a second;
  // samples stay fresh for a day of it, so each GPU keeps its verdict between pushes.
  h = await startTestHeadroom({ SIM_SPEED: '1000', STALE_AFTER_MS: '86400000' });
  await pushAll();
  await pushAll();
});
afterAll(async () => {
  await h.stop();
});

describe('GPUs of models the table lacks', () => {
  it('reads the V100s on their own 300 W limit: busy, idle, held and busy-while-aliased, never on an H100 scale', async () => {
    expect(await gpu(V100(1))).toMatchObject({ model: 'unknown model "Tesla V100-SXM2-16GB"', state: 'busy' });
    // (0.95 + (290.12 − 30) / (300 − 30)) / 2 = 0.9567; on an H100's 70–700 W it would read 0.6497.
    expect((await gpu(V100(1))).utilization).toBeCloseTo((0.95 + 260.12 / 270) / 2, 4);
    expect((await gpu(V100(2))).state).toBe('idle');
    expect((await gpu(V100(3))).state).toBe('held');
    expect((await gpu(V100(4))).state).toBe('busy');
  });

  it('reads the A10Gs, which report no power limit, on utilization alone', async () => {
    // 97 % exactly: 250.4 W counts for nothing (on an H100's scale it would pull the estimate to 0.628).
    expect(await gpu(A10G(1))).toMatchObject({ model: 'unknown model "NVIDIA A10G"', state: 'busy', utilization: 0.97 });
    expect(await gpu(A10G(2))).toMatchObject({ state: 'idle', utilization: 0 });
  });

  it('reads the real RTX 6000 Ada capture (22.6 W of 300 W, 1 %, 46,614 MiB in use) as held', async () => {
    expect(await gpu(RTX)).toMatchObject({ model: 'unknown model "NVIDIA RTX 6000 Ada Generation"', state: 'held' });
  });

  it('reads an H100 capped at 400 W by enforced.power.limit and drawing 390 W as busy, ≥ 0.9', async () => {
    const capped = await gpu(CAPPED);
    expect(capped).toMatchObject({ model: 'H100-SXM', state: 'busy' });
    expect(capped.utilization).toBeGreaterThanOrEqual(0.9);
  });

  it('lists them as unknown models on /api/v1/fleet, most GPUs first', async () => {
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.unknownModels).toEqual([
      { name: 'Tesla V100-SXM2-16GB', label: 'unknown model "Tesla V100-SXM2-16GB"', gpus: 4 },
      { name: 'NVIDIA A10G', label: 'unknown model "NVIDIA A10G"', gpus: 2 },
      { name: 'NVIDIA RTX 6000 Ada Generation', label: 'unknown model "NVIDIA RTX 6000 Ada Generation"', gpus: 1 },
    ]);
    expect(fleet.modelMismatchGpus).toBe(0);
  });

  it('counts them on /metrics with one bounded model_name label', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain('headroom_unknown_model_gpus{model_name="Tesla V100-SXM2-16GB",site="small"} 4');
    expect(text).toContain('headroom_unknown_model_gpus{model_name="NVIDIA A10G",site="small"} 2');
    expect(text).toContain('headroom_unknown_model_gpus{model_name="NVIDIA RTX 6000 Ada Generation",site="small"} 1');
    expect(text).toContain('headroom_gpu_model_mismatch_gpus{site="small"} 0');
  });

  it('fires the default UnknownGpuModel alert after its 10 minutes', async () => {
    h.evaluateAlerts();
    const started = h.clock.now();
    while (h.clock.now() < started + 11 * 60_000) {
      await new Promise((r) => setTimeout(r, 200));
      await pushAll();
      h.evaluateAlerts();
    }
    const active = (await h.getJson<{ active: Alert[] }>('/api/v1/alerts')).body.active;
    const alert = active.find((a) => a.labels.alertname === 'UnknownGpuModel');
    expect(alert).toMatchObject({ status: 'firing', labels: { severity: 'warning', site: 'small' } });
    expect(alert?.annotations.summary).toBe('7 GPUs at small report a model Headroom does not know');
  });
});
