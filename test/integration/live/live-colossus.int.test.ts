import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEATMAP_STATES } from '../../../server/src/protocol/live.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { heatmapOf, liveClient, sleep, type LiveClient } from './live-client.js';

/** A heatmap of 1,184 pods is ≈ 16.6 kB (768 pods were 10,764 bytes); the headline a few hundred: an update stays well inside this. */
const MAX_UPDATE_BYTES = 32 * 1024;

let h: TestHeadroom;
let client: LiveClient;
beforeAll(async () => {
  h = await startTestHeadroom({ PRESET: 'colossus', BACKFILL_DAYS: '0.25', SIM_CONTRACTS: 'demo' });
  client = liveClient(h.url);
}, 120_000);
afterAll(async () => {
  client.close();
  await h.stop();
});

describe('the live view at Colossus scale (226,560 GPUs, 1,184 pods)', () => {
  it(`sends an update of at most ${MAX_UPDATE_BYTES} bytes per round, its heatmap equal to GET /fleet/pods`, async () => {
    const { payload: snapshot } = await client.next('snapshot', { from: 0, timeoutMs: 30_000 });
    const podIds = snapshot.layout.halls.flatMap((hall) => hall.pods);
    expect(podIds).toHaveLength(1_184);
    const afterSnapshot = h.live.stats().bytesSent;
    await sleep(1_100); // past the throttle
    const from = client.received.length;
    const bytesBefore = h.live.stats().bytesSent;
    const started = performance.now();
    await h.collectAt(h.clock.now());
    const { payload: update } = await client.next('update', { from, timeoutMs: 10_000 });
    const roundToUpdateMs = performance.now() - started;
    const updateBytes = h.live.stats().bytesSent - bytesBefore;
    // A figure for the closing note (bytes per second = this × updates per second), not a timed assertion.
    console.info(
      `colossus live: snapshot ${afterSnapshot} bytes with handshake, update ${updateBytes} bytes, round to update ${roundToUpdateMs.toFixed(0)} ms`,
    );
    expect(updateBytes).toBeGreaterThan(10_764);
    expect(updateBytes).toBeLessThanOrEqual(MAX_UPDATE_BYTES);

    const frame = heatmapOf(update.heatmap);
    const pods = new Map(
      (await h.getJson<{ pods: Array<{ id: string; gpus: Record<string, number> }> }>('/api/v1/fleet/pods')).body.pods.map((p) => [
        p.id,
        p,
      ]),
    );
    frame.pods.forEach((cell, i) => expect(cell.counts, podIds[i]).toEqual(HEATMAP_STATES.map((s) => pods.get(podIds[i] ?? '')?.gpus[s])));
    const gpus = frame.pods.reduce((n, cell) => n + cell.counts.reduce((a, b) => a + b, 0), 0);
    expect(gpus).toBe(226_560);
    const fleet = (await h.getJson<{ gpus: Record<string, number>; updatedAt: string }>('/api/v1/fleet')).body;
    expect(update.headline.atMs).toBe(Date.parse(fleet.updatedAt));
    expect(update.headline.gpus).toEqual(fleet.gpus);
  });
});
