import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, tempDir, type TestHeadroom } from './helpers/harness.js';

/**
 * Issue 16 item 11: a new UUID pushed for a known host and index read the old GPU's verdict,
 * utilization and six samples after one push, and the old UUID answered 404. A swapped-in card
 * is a new GPU: it starts with an empty window, the old UUID stays known as replaced, and the
 * swap is audited with the token that pushed it.
 */
const dir = tempDir();
let h: TestHeadroom;
let oldUuid: string;
let host: string;
const NEW_UUID = 'GPU-swapped-in-0001';

beforeAll(async () => {
  h = await startTestHeadroom({}, dir);
  for (let i = 0; i < 6; i++) await h.collectAt(h.clock.now() + i * 10_000);
  const { topology, uuidOfSlot } = h.collector.state;
  oldUuid = uuidOfSlot[0] ?? '';
  host = topology.nodes[topology.slotNode[0] ?? -1]?.host ?? '';
});
afterAll(async () => {
  await h.stop();
});

describe('a GPU swapped at a known host and index', () => {
  it('starts the new UUID with an empty window and keeps the old one known as replaced, audited', async () => {
    const before = await h.getJson<{ samplesInWindow: number; state: string }>(`/api/v1/gpus/${oldUuid}`);
    expect(before.status).toBe(200);
    expect(before.body.samplesInWindow).toBe(6);

    const push = await h.post(
      '/api/v1/ingest/json',
      JSON.stringify({ gpus: [{ uuid: NEW_UUID, host, index: 0, utilizationPercent: 90, powerWatts: 650, memoryUsedMiB: 70_000 }] }),
      'application/json',
    );
    expect(push.status).toBe(200);

    const swapped = await h.getJson<Record<string, unknown>>(`/api/v1/gpus/${NEW_UUID}`);
    expect(swapped.status).toBe(200);
    // One sample is never the verdict: unknown until the window holds enough of its own.
    expect(swapped.body).toMatchObject({ host, index: 0, samplesInWindow: 1, state: 'unknown', utilization: null, utilizationPercent: 90 });
    expect(swapped.body.replaces).toMatchObject({ uuid: oldUuid });

    const gone = await h.getJson<{ error: string; detail: Record<string, unknown> }>(`/api/v1/gpus/${oldUuid}`);
    expect(gone.status).toBe(410);
    expect(gone.body.error).toContain(`was replaced by ${NEW_UUID}`);
    expect(gone.body.detail).toMatchObject({ replacedBy: NEW_UUID, host, index: 0 });

    const audit = await h.getJson<{ entries: Array<{ actor: string; action: string; target: string; detail: unknown }> }>('/api/v1/audit');
    const entry = audit.body.entries.find((e) => e.action.startsWith('GPU swap'));
    expect(entry).toMatchObject({ actor: 'token:env (HEADROOM_ADMIN_TOKEN)', target: `/api/v1/gpus/${oldUuid}` });
    expect(entry?.detail).toMatchObject({ uuid: oldUuid, replacedBy: NEW_UUID, host, index: 0 });
  });

  it('still knows a swap after a restart', async () => {
    // On a pushed-only host: the simulator would report its own card at a simulated host again.
    const gpu = (uuid: string) => JSON.stringify({ gpus: [{ uuid, host: 'swap-node', index: 0, powerWatts: 100 }] });
    expect((await h.post('/api/v1/ingest/json', gpu('GPU-swap-old'), 'application/json')).status).toBe(200);
    expect((await h.post('/api/v1/ingest/json', gpu('GPU-swap-new'), 'application/json')).status).toBe(200);
    await h.stop();
    h = await startTestHeadroom({}, dir);
    const gone = await h.getJson<{ detail: Record<string, unknown> }>('/api/v1/gpus/GPU-swap-old');
    expect(gone.status).toBe(410);
    expect(gone.body.detail).toMatchObject({ replacedBy: 'GPU-swap-new', host: 'swap-node', index: 0 });
    expect((await h.getJson<{ replaces: unknown }>('/api/v1/gpus/GPU-swap-new')).body.replaces).toMatchObject({ uuid: 'GPU-swap-old' });
  });

  it('is current again when the old card comes back, and the card it displaced is the replaced one', async () => {
    const gpu = (uuid: string) => JSON.stringify({ gpus: [{ uuid, host: 'swap-node', index: 0, powerWatts: 100 }] });
    expect((await h.post('/api/v1/ingest/json', gpu('GPU-swap-old'), 'application/json')).status).toBe(200);
    expect((await h.getJson('/api/v1/gpus/GPU-swap-old')).status).toBe(200);
    expect((await h.getJson<{ detail: unknown }>('/api/v1/gpus/GPU-swap-new')).body.detail).toMatchObject({ replacedBy: 'GPU-swap-old' });
  });
});
