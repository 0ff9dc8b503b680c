import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedFetch } from './helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

/**
 * Issue 18's demand from the queue, end to end: one server runs the simulated site (`rebound`)
 * and serves its slurmrestd; a second, on the same simulated site and clock, reads it through the
 * real Slurm reader (SLURM_REST_URL) and floors its forecast with what it reads. Between them a
 * loopback relay adds the first server's token (the Slurm reader sends Slurm's headers, not ours).
 */
interface Capacity {
  gpus: { reserve: number };
  sellable: { blocks: Array<{ pods: string[] }>; outForMaintenance: Array<{ pod: string; reservation: string }> };
  forecast: {
    points: Array<[number, number, number]>;
    notes: string[];
    floor: {
      source: string;
      stale: boolean;
      runningGpus: number;
      reservedGpus: number;
      nowGpus: number;
      peakGpus: number;
      reservations: Array<{ name: string; start: string; gpus: number }>;
    } | null;
  };
}
interface SlurmReservation {
  name: string;
  flags: string[];
  node_list: string;
}

const REBOUND_MS = Date.UTC(2026, 11, 1);
let site: TestHeadroom;
let h: TestHeadroom;
let relay: Server;

/** GETs to the relay go to the simulated site's /sim/slurm with its token. */
async function startRelay(): Promise<string> {
  relay = createServer((req, res) => {
    void authedFetch(`${site.url}/sim/slurm${req.url ?? ''}`).then(async (answer) => {
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  site = await startTestHeadroom({ SIM_SCENARIO: 'rebound' });
  // The scheduler as it stands 36 h before the rebound: the run queued and its reservation made.
  await site.collectAt(REBOUND_MS - 36 * 3_600_000);
  h = await startTestHeadroom({
    SIM_SCENARIO: 'rebound',
    BACKFILL_DAYS: '7',
    SLURM_REST_URL: await startRelay(),
    SLURM_USER: 'nobody',
    SLURM_JWT: 'simulated',
    SLURM_STALE_AFTER_S: '86400',
  });
  await h.scheduler?.pollNow();
  await h.collectAt(h.clock.now());
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await site?.stop();
  await new Promise((resolve) => relay?.close(resolve));
});

describe('capacity reads the scheduler', () => {
  it('floors the forecast with the internal running GPUs and the rebound run’s reservation, shown as forecast.floor', async () => {
    const { status, body } = await h.getJson<Capacity>('/api/v1/capacity');
    expect(status).toBe(200);
    const floor = body.forecast.floor;
    expect(floor).toMatchObject({ source: 'scheduler', stale: false });
    // What the simulated site's scheduler allocates to the owner's jobs at the round it served.
    const truth = site.sim!.allocationTruth();
    expect(floor?.runningGpus).toBe(truth.internal.busy + truth.internal.held);
    // The run's reservation: 30 % of the 384 GPUs in whole nodes (14 × 8), from the rebound.
    expect(floor?.reservations).toEqual([
      { name: 'pretrain-rebound', start: new Date(REBOUND_MS).toISOString(), end: expect.any(String), gpus: 112 },
    ]);
    expect(floor?.peakGpus).toBeGreaterThanOrEqual((floor?.runningGpus ?? 0) + 112);
    // The forecast is lifted to the floor over the reservation's window.
    const inRun = body.forecast.points.filter(([t]) => t * 1000 >= REBOUND_MS + 3_600_000 && t * 1000 < REBOUND_MS + 5 * 86_400_000);
    for (const [, median] of inRun) expect(median).toBeGreaterThanOrEqual((floor?.runningGpus ?? 0) + 112);
    expect(body.forecast.notes.some((n) => n.includes("the scheduler's queue and reservations raise the forecast"))).toBe(true);
  });

  it('keeps the pods of the maintenance reservations it read out of the sellable blocks', async () => {
    const { body } = await h.getJson<Capacity>('/api/v1/capacity');
    const answer = (await (await authedFetch(`${site.url}/sim/slurm/slurm/v0.0.38/reservations`)).json()) as {
      reservations: SlurmReservation[];
    };
    const maint = answer.reservations.filter((r) => r.flags.includes('MAINT'));
    // Drains come about once per pod per 60 days, booked a week ahead: this week has one.
    expect(maint.length).toBeGreaterThan(0);
    // A pod's nodes are <hall>-<pod>-nNN: the reservation's hostlist names its pod.
    const pods = [...new Set(maint.map((r) => /^(h\d+-p\d+)-/.exec(r.node_list)?.[1] ?? '?'))].sort();
    expect(body.sellable.outForMaintenance.map((p) => p.pod).sort()).toEqual(pods);
    for (const { pod } of body.sellable.outForMaintenance) expect(body.sellable.blocks.flatMap((b) => b.pods)).not.toContain(pod);
  });
});
