import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

const FIXTURE_HOST = 'ip-100-64-147-149.ec2.internal';
const FIXTURE_GPU0 = 'GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138';
const FIXTURE_GPU2 = 'GPU-8d76cfcf-a144-5e43-876b-a4b71f2aecd1';
const SMI_GPU = 'GPU-02df41d3-4f7b-58e5-cf54-f1b3e4402795';

interface Fleet {
  site: { id: string; feedWatts: number; pue: number };
  gpus: Record<string, number>;
  power: { feedWatts: number; itDrawWatts: number; facilityDrawWatts: number; headroomWatts: number };
  unplaced: Record<string, number>;
}

let h: TestHeadroom;
beforeAll(async () => {
  h = await startTestHeadroom();
});
afterAll(async () => {
  await h.stop();
});

describe('fleet API on the simulated small site', () => {
  it('answers healthz and readyz once started', async () => {
    expect((await h.getJson('/healthz')).status).toBe(200);
    expect((await h.getJson('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('reports every GPU of the site by state, with draw and headroom that add up', async () => {
    const { status, body } = await h.getJson<Fleet>('/api/v1/fleet');
    expect(status).toBe(200);
    expect(body.site).toMatchObject({ id: 'small', pue: 1.25 });
    const { total, busy, held, idle, sold, down, unknown } = body.gpus;
    expect(total).toBe(384);
    expect((busy ?? 0) + (held ?? 0) + (idle ?? 0) + (sold ?? 0) + (down ?? 0) + (unknown ?? 0)).toBe(384);
    expect(unknown).toBe(0);
    expect(body.power.itDrawWatts).toBeGreaterThan(0);
    expect(body.power.facilityDrawWatts).toBeGreaterThan(body.power.itDrawWatts);
    expect(body.power.headroomWatts).toBe(body.power.feedWatts - body.power.facilityDrawWatts);
  });

  it('gives the same counts per hall and per pod, summing to the site', async () => {
    const site = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    const halls = (await h.getJson<{ halls: Array<{ id: string; gpus: { total: number; busy: number } }> }>('/api/v1/fleet/halls')).body
      .halls;
    const pods = (
      await h.getJson<{ pods: Array<{ id: string; hall: string; gpus: { total: number; busy: number } }> }>('/api/v1/fleet/pods')
    ).body.pods;
    expect(halls.map((x) => x.id)).toEqual(['h01', 'h02']);
    expect(pods).toHaveLength(6);
    expect(halls.reduce((s, x) => s + x.gpus.total, 0)).toBe(384);
    expect(pods.reduce((s, x) => s + x.gpus.busy, 0)).toBe(site.gpus.busy);
    expect(pods.every((p) => p.gpus.total === 64)).toBe(true);
  });

  it('serves a day of backfilled site history at 5-minute steps', async () => {
    const { body } = await h.getJson<{ points: Array<[number, number]> }>('/api/v1/history?scope=site&metric=gpus_busy&step=5m');
    expect(body.points.length).toBeGreaterThanOrEqual(280);
    expect(body.points.every(([t, v]) => Number.isInteger(t) && t % 300 === 0 && v >= 0 && v <= 384)).toBe(true);
  });

  it('serves pod and hall history, and refuses unknown scopes and metrics by name', async () => {
    const pod = await h.getJson<{ points: unknown[] }>('/api/v1/history?scope=pod:h01-p001&metric=utilization&step=1h');
    expect(pod.status).toBe(200);
    expect(pod.body.points.length).toBeGreaterThan(20);
    expect((await h.getJson('/api/v1/history?scope=pod:nope&metric=utilization')).status).toBe(404);
    const bad = await h.getJson<{ error: string }>('/api/v1/history?scope=site&metric=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/metric/);
    const badStep = await h.getJson<{ error: string }>('/api/v1/history?scope=site&metric=utilization&step=fast');
    expect(badStep.status).toBe(400);
    expect(badStep.body.error).toMatch(/step/);
  });
});

describe('push ingest', () => {
  it('takes the real dcgm-exporter fixture; its unplaced host is registered, not dropped', async () => {
    const first = await h.post('/api/v1/ingest/dcgm', fixture('dcgm-exporter/h100-node-sampled.txt'), 'text/plain');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 8, gpus: 8, replayed: false });
    const gpu = await h.getJson<Record<string, unknown>>(`/api/v1/gpus/${FIXTURE_GPU0}`);
    expect(gpu.status).toBe(200);
    expect(gpu.body).toMatchObject({ uuid: FIXTURE_GPU0, host: FIXTURE_HOST, index: 0, pod: null, powerWatts: 67.433, state: 'unknown' });
  });

  it('classifies the fixture GPUs once they have two samples: idle at 67 W, held at 111 W with 0 %', async () => {
    await h.post('/api/v1/ingest/dcgm', fixture('dcgm-exporter/h100-node-sampled.txt'), 'text/plain');
    await h.collectAt(h.clock.now());
    expect((await h.getJson(`/api/v1/gpus/${FIXTURE_GPU0}`)).body).toMatchObject({ state: 'idle' });
    expect((await h.getJson(`/api/v1/gpus/${FIXTURE_GPU2}`)).body).toMatchObject({ state: 'held' });
    const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
    expect(fleet.unplaced.total).toBe(8);
    expect(fleet.gpus.total).toBe(384 + 8);
  });

  it('takes the real nvidia-smi trace and reads its busy end as busy, utilization ≥ 0.9', async () => {
    const res = await h.post(`/api/v1/ingest/nvidia-smi?host=smi-node`, fixture('nvidia-smi/h100-trace-idle-then-full.csv'), 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 86, gpus: 1 });
    await h.collectAt(h.clock.now());
    const gpu = (await h.getJson<{ state: string; utilization: number; host: string }>(`/api/v1/gpus/${SMI_GPU}`)).body;
    expect(gpu.state).toBe('busy');
    expect(gpu.host).toBe('smi-node');
    expect(gpu.utilization).toBeGreaterThanOrEqual(0.9);
  });

  it('takes a JSON push with a GPU, a drained node and a meter', async () => {
    const body = JSON.stringify({
      gpus: [{ uuid: 'GPU-json-1', host: 'json-node', index: 0, utilizationPercent: 50, powerWatts: 400, memoryUsedMiB: 1000 }],
      nodes: [{ host: 'json-node', drained: true, reason: 'maintenance' }],
    });
    const res = await h.post('/api/v1/ingest/json', body, 'application/json');
    expect(res.status).toBe(200);
    await h.post('/api/v1/ingest/json', body, 'application/json');
    await h.collectAt(h.clock.now());
    expect((await h.getJson('/api/v1/gpus/GPU-json-1')).body).toMatchObject({ state: 'down', host: 'json-node' });
  });

  it('applies a batch replayed with the same Idempotency-Key only once', async () => {
    const body = JSON.stringify({ gpus: [{ uuid: 'GPU-idem', host: 'idem-node', powerWatts: 70 }] });
    const first = await h.post('/api/v1/ingest/json', body, 'application/json', { 'idempotency-key': 'k-1' });
    const second = await h.post('/api/v1/ingest/json', body, 'application/json', { 'idempotency-key': 'k-1' });
    expect(first.body).toMatchObject({ replayed: false, accepted: 1, gpus: 1 });
    // The same request gets the first answer (as payment APIs do), marked as a replay.
    expect(second.body).toEqual({ ...first.body, replayed: true });
  });

  // Issue 16 item 4: a different body under a used key was answered 200 {accepted: 0} and lost.
  it('refuses another body under a used Idempotency-Key with a 422 naming the key, and stores nothing of it', async () => {
    const gpu = (uuid: string) => JSON.stringify({ gpus: [{ uuid, host: 'idem-node', powerWatts: 70 }] });
    const first = await h.post('/api/v1/ingest/json', gpu('GPU-idem-a'), 'application/json', { 'idempotency-key': 'k-2' });
    expect(first.status).toBe(200);
    const other = await h.post('/api/v1/ingest/json', gpu('GPU-idem-b'), 'application/json', { 'idempotency-key': 'k-2' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatch(/^idempotency-key: "k-2" was already used with a different request/);
    expect(other.body.detail).toMatchObject({ path: 'idempotency-key', seq: first.body.seq });
    expect((await h.getJson('/api/v1/gpus/GPU-idem-b')).status).toBe(404);
    // Only the body's meaning counts: the same JSON spaced differently is the same request.
    const spaced = await h.post('/api/v1/ingest/json', gpu('GPU-idem-a').replace(/,/g, ', '), 'application/json', {
      'idempotency-key': 'k-2',
    });
    expect(spaced.body).toMatchObject({ replayed: true, seq: first.body.seq });
    // The query is part of the request: the same CSV for another host is new data.
    const csv = 'uuid, power.draw [W]\nGPU-idem-c, 70\n';
    const smi = (host: string) => h.post(`/api/v1/ingest/nvidia-smi?host=${host}`, csv, 'text/csv', { 'idempotency-key': 'k-3' });
    expect((await smi('idem-1')).status).toBe(200);
    expect((await smi('idem-2')).status).toBe(422);
  });

  it("keeps each token's Idempotency-Keys its own: the same key from another token is new data", async () => {
    const operator = await h.post('/api/v1/tokens', JSON.stringify({ name: 'idem pusher', role: 'operator' }), 'application/json');
    expect(operator.status).toBe(201);
    const body = (uuid: string) => JSON.stringify({ gpus: [{ uuid, host: 'idem-node', powerWatts: 70 }] });
    const mine = await h.post('/api/v1/ingest/json', body('GPU-idem-x'), 'application/json', { 'idempotency-key': 'shared' });
    const theirs = await h.post('/api/v1/ingest/json', body('GPU-idem-y'), 'application/json', {
      'idempotency-key': 'shared',
      authorization: `Bearer ${String(operator.body.token)}`,
    });
    expect(mine.body).toMatchObject({ replayed: false, accepted: 1 });
    expect(theirs.body).toMatchObject({ replayed: false, accepted: 1 });
    expect(theirs.body.seq).not.toBe(mine.body.seq);
    expect((await h.getJson('/api/v1/gpus/GPU-idem-y')).status).toBe(200);
  });
});

describe('bad input is refused whole, named, and the server keeps serving', () => {
  const GOOD = 'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-bad-0",Hostname="bad-node"} 70.0';

  async function expectRefused(path: string, body: string, type: string, status: number, pattern: RegExp) {
    const res = await h.post(path, body, type);
    expect(res.status).toBe(status);
    expect(String(res.body.error)).toMatch(pattern);
    expect((await h.getJson('/api/v1/gpus/GPU-bad-0')).status).toBe(404);
    expect((await h.getJson('/healthz')).status).toBe(200);
    return res;
  }

  it('refuses a bad line, naming its number', async () => {
    const res = await expectRefused('/api/v1/ingest/dcgm', `${GOOD}\nthis is not a sample\n`, 'text/plain', 400, /line 2/);
    expect(res.body.detail).toMatchObject({ line: 2 });
  });

  it('refuses a bad number', async () => {
    await expectRefused(
      '/api/v1/ingest/dcgm',
      `${GOOD}\nDCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-bad-0",Hostname="bad-node"} 12abc\n`,
      'text/plain',
      400,
      /line 2/,
    );
  });

  it('refuses a duplicate series', async () => {
    await expectRefused('/api/v1/ingest/dcgm', `${GOOD}\n${GOOD}\n`, 'text/plain', 400, /line 2/);
  });

  it('refuses an unknown unit in nvidia-smi CSV', async () => {
    const csv = 'index, uuid, utilization.gpu [%], power.draw [W]\n0, GPU-bad-0, 5 %, 119 kW\n';
    await expectRefused('/api/v1/ingest/nvidia-smi?host=bad-node', csv, 'text/csv', 400, /line 2/);
  });

  it('refuses an oversized body with 413 naming the limit', async () => {
    const big = `${GOOD}\n${'# padding\n'.repeat(4_000_000)}`;
    await expectRefused('/api/v1/ingest/dcgm', big, 'text/plain', 413, /limit/);
  });

  it('refuses a label value past MAX_LABEL_LENGTH (default 1024) with 413 naming the limit, storing nothing', async () => {
    const long = `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-bad-0",Hostname="bad-node",pod="${'p'.repeat(1025)}"} 5`;
    const res = await expectRefused(
      '/api/v1/ingest/dcgm',
      `${GOOD}\n${long}\n`,
      'text/plain',
      413,
      /^line 2: value of label pod longer than 1024 characters \(MAX_LABEL_LENGTH\)$/,
    );
    expect(res.body.detail).toEqual({ line: 2, maxLabelLength: 1024 });
  });

  it('refuses JSON that breaks the schema, naming the field', async () => {
    const res = await expectRefused(
      '/api/v1/ingest/json',
      JSON.stringify({ gpus: [{ uuid: 'GPU-bad-0', host: 'bad-node', powerWatts: -5 }] }),
      'application/json',
      400,
      /powerWatts/,
    );
    expect(res.body.error).toMatch(/gpus/);
  });

  it('refuses malformed JSON and a wrong content type', async () => {
    await expectRefused('/api/v1/ingest/json', '{"gpus": [', 'application/json', 400, /malformed|JSON/i);
    await expectRefused('/api/v1/ingest/dcgm', GOOD, 'application/x-www-form-urlencoded', 400, /Content-Type/);
  });

  it('answers 404 with a JSON error for an unknown GPU and an unknown route', async () => {
    expect((await h.getJson('/api/v1/gpus/GPU-none')).status).toBe(404);
    const route = await h.getJson<{ error: string }>('/api/v1/nothing');
    expect(route.status).toBe(404);
    expect(route.body.error).toMatch(/no route/);
  });
});
