import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEATMAP_STATES, UPDATE_MIN_INTERVAL_MS, type Headline } from '../../../server/src/protocol/live.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { heatmapOf, liveClient, sleep, type LiveClient } from './live-client.js';
import { authedFetch } from '../helpers/auth.js';

interface Fleet {
  site: { id: string; name: string };
  gpus: Headline['gpus'];
  power: { feedWatts: number; itDrawWatts: number; facilityDrawWatts: number; headroomWatts: number };
  unknownModels: Array<{ name: string; gpus: number }>;
  updatedAt: string;
}
interface Capacity {
  gpus: { up: number; sold: number; overcommitted: number; outsideBlocks: number; reserve: number };
  power: { strandedWatts: number; headroomWatts: number; reservedGrowthWatts: number };
  sellable: {
    blocks: Array<{ pods: string[]; model: string }>;
    gpus: number;
    watts: number;
    addedWatts: number;
    limitedBy: 'gpus' | 'power' | 'blocks';
    valueUsdPerMonth: number;
  };
  risk: NonNullable<Headline['risk']>;
  updatedAt: string;
}
interface Pods {
  pods: Array<{ id: string; sold: boolean; gpus: Record<(typeof HEATMAP_STATES)[number], number> }>;
}

/** The headline must be GET /fleet and GET /capacity at its moment, figure for figure. */
async function expectHeadlineIsTheApi(h: TestHeadroom, headline: Headline): Promise<void> {
  const fleet = (await h.getJson<Fleet>('/api/v1/fleet')).body;
  const capacity = (await h.getJson<Capacity>('/api/v1/capacity')).body;
  expect(headline.atMs).toBe(Date.parse(fleet.updatedAt));
  expect(headline.atMs).toBe(Date.parse(capacity.updatedAt));
  expect(headline.site).toEqual({ id: fleet.site.id, name: fleet.site.name });
  expect(headline.gpus).toEqual(fleet.gpus);
  const { feedWatts, itDrawWatts, facilityDrawWatts, headroomWatts } = fleet.power;
  expect(headline.power).toEqual({ feedWatts, itDrawWatts, facilityDrawWatts, headroomWatts, strandedWatts: capacity.power.strandedWatts });
  expect(headline.capacity).toEqual({
    upGpus: capacity.gpus.up,
    soldGpus: capacity.gpus.sold,
    overcommittedGpus: capacity.gpus.overcommitted,
    outsideBlocksGpus: capacity.gpus.outsideBlocks,
    reserveGpus: capacity.gpus.reserve,
    sellableGpus: capacity.sellable.gpus,
    headroomWatts: capacity.power.headroomWatts,
    reservedGrowthWatts: capacity.power.reservedGrowthWatts,
    sellableAddedWatts: capacity.sellable.addedWatts,
    limitedBy: capacity.sellable.limitedBy,
    sellableWatts: capacity.sellable.watts,
    sellableBlocks: capacity.sellable.blocks.length,
    sellableValueUsdPerMonth: capacity.sellable.valueUsdPerMonth,
    // The small preset is H100s alone: one model, all of the blocks.
    sellableByModel: capacity.sellable.blocks.length
      ? [
          {
            model: 'H100-SXM',
            blocks: capacity.sellable.blocks.length,
            gpus: capacity.sellable.gpus,
            watts: Math.round(capacity.sellable.watts),
            valueUsdPerMonth: capacity.sellable.valueUsdPerMonth,
          },
        ]
      : [],
  });
  expect(headline.risk).toEqual(capacity.risk);
  expect(headline.unknownModels).toEqual(fleet.unknownModels.map(({ name, gpus }) => ({ name, gpus })));
}

/** Every pod of the frame, in layout order, against GET /fleet/pods and the sellable blocks of GET /capacity. */
async function expectHeatmapIsTheApi(h: TestHeadroom, heatmap: unknown, podIds: string[]): Promise<void> {
  const frame = heatmapOf(heatmap);
  const pods = new Map((await h.getJson<Pods>('/api/v1/fleet/pods')).body.pods.map((p) => [p.id, p]));
  const sellable = new Set((await h.getJson<Capacity>('/api/v1/capacity')).body.sellable.blocks.flatMap((b) => b.pods));
  expect(frame.pods).toHaveLength(podIds.length);
  frame.pods.forEach((cell, i) => {
    const pod = pods.get(podIds[i] ?? '');
    expect(cell.counts, podIds[i]).toEqual(HEATMAP_STATES.map((s) => pod?.gpus[s]));
    expect(cell.sold, podIds[i]).toBe(pod?.sold);
    expect(cell.sellable, podIds[i]).toBe(sellable.has(podIds[i] ?? ''));
  });
}

/** Waits out the throttle, so the next round's update goes out at once. */
const pastThrottle = () => sleep(UPDATE_MIN_INTERVAL_MS + 50);

describe('the live view (socket.io on the API port)', () => {
  let h: TestHeadroom;
  let client: LiveClient;
  let podIds: string[] = [];

  beforeAll(async () => {
    // Telemetry alone: the pushed idle samples must outvote the simulator's next one (with its
    // scheduler, an allocated GPU's phase is its newest sample, the simulator's).
    h = await startTestHeadroom({ SIM_SCHEDULER: 'false' });
    client = liveClient(h.url);
  });
  afterAll(async () => {
    client.close();
    await h.stop();
  });

  it('sends a snapshot on connect: the headline equals GET /fleet and /capacity, the heatmap GET /fleet/pods', async () => {
    const { payload: snapshot } = await client.next('snapshot', { from: 0 });
    expect(snapshot.layout.halls.map((hall) => hall.id)).toEqual(['h01', 'h02']);
    podIds = snapshot.layout.halls.flatMap((hall) => hall.pods);
    expect(podIds).toHaveLength(6);
    expect(snapshot.progress).toBeNull();
    expect(snapshot.alerts.delivery).toEqual({ pending: 0, dead: 0, oldestPendingAgeSeconds: 0 });
    expect(heatmapOf(snapshot.heatmap).atMs).toBe(snapshot.headline.atMs);
    await expectHeadlineIsTheApi(h, snapshot.headline);
    await expectHeatmapIsTheApi(h, snapshot.heatmap, podIds);
  });

  it('pushes an update within 2 s when a pushed batch stops a pod computing', async () => {
    await pastThrottle();
    const before = (await h.getJson<Pods>('/api/v1/fleet/pods')).body.pods;
    const busiest = [...before].sort((a, b) => b.gpus.busy - a.gpus.busy)[0];
    if (!busiest) throw new Error('no pods');
    expect(busiest.gpus.busy).toBeGreaterThan(0);
    const { state } = h.collector;
    const pod = state.topology.pods.find((p) => p.id === busiest.id);
    const gpus = (pod?.nodes ?? []).flatMap((n) => {
      const node = state.topology.nodes[n];
      return (node?.slots ?? []).map((slot, index) => ({
        uuid: state.uuidOfSlot[slot] ?? '',
        host: node?.host ?? '',
        index,
        utilizationPercent: 0,
        powerWatts: 70,
        memoryUsedMiB: 0,
      }));
    });
    const from = client.received.length;
    const started = performance.now();
    // Two idle samples and the simulator's next busy one: two of the last three vote idle.
    for (let i = 0; i < 2; i++)
      expect((await h.post('/api/v1/ingest/json', JSON.stringify({ gpus }), 'application/json')).status).toBe(200);
    await h.collectAt(h.clock.now());
    const { payload: update, at } = await client.next('update', { from, timeoutMs: 2_000 });
    expect(at - started).toBeLessThan(2_000);
    const cell = heatmapOf(update.heatmap).pods[podIds.indexOf(busiest.id)];
    expect(cell?.counts[HEATMAP_STATES.indexOf('busy')]).toBe(0);
    // Not computing: idle, or held where the simulated scheduler has the GPU allocated.
    const notComputing = (cell?.counts[HEATMAP_STATES.indexOf('idle')] ?? 0) + (cell?.counts[HEATMAP_STATES.indexOf('held')] ?? 0);
    expect(notComputing).toBeGreaterThan(busiest.gpus.idle + busiest.gpus.held);
    expect(update.headline.gpus.idle + update.headline.gpus.held).toBeGreaterThan(0);
    await expectHeadlineIsTheApi(h, update.headline);
    await expectHeatmapIsTheApi(h, update.heatmap, podIds);
  });

  it('folds rounds in quick succession into one update per interval, the last state winning', async () => {
    await pastThrottle();
    const from = client.received.length;
    const t0 = h.clock.now();
    await h.collectAt(t0);
    await h.collectAt(t0 + 1);
    await h.collectAt(t0 + 2);
    await client.next('update', { from, accept: (u) => u.headline.atMs === t0 + 2, timeoutMs: 3_000 });
    await sleep(UPDATE_MIN_INTERVAL_MS + 200);
    const updates = client.received.slice(from).filter((r) => r.event === 'update');
    // The first round goes out at once; the two after it within the interval fold into one.
    expect(updates.map((u) => u.payload.headline.atMs)).toEqual([t0, t0 + 2]);
    const [first, second] = updates;
    // Arrival times, and this client shares the server's event loop: the first update is read
    // after the rounds that followed it ran, so the gap seen here is a little short of the interval.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(UPDATE_MIN_INTERVAL_MS * 0.8);
    await expectHeadlineIsTheApi(h, second?.payload.headline as Headline);
  });

  it('sends no update when no round moved the fleet on', async () => {
    await pastThrottle();
    const from = client.received.length;
    h.live.notifyRound();
    h.live.notifyRound();
    await sleep(UPDATE_MIN_INTERVAL_MS + 200);
    expect(client.received.slice(from).filter((r) => r.event === 'update')).toEqual([]);
  });

  it('shows a contract in the headline and its pods as sold in the heatmap once a round delivers them', async () => {
    await pastThrottle();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const terms = {
      customer: 'Live Labs',
      capacity: { pods: 1 },
      start: day(h.clock.now()),
      end: day(h.clock.now() + 365 * 86_400_000),
      monthlyPriceUsd: 123_456.78,
      noticeDays: 30,
    };
    const created = await h.post('/api/v1/contracts', JSON.stringify(terms), 'application/json');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const from = client.received.length;
    await h.collectAt(h.clock.now());
    const { payload: update } = await client.next('update', { from, timeoutMs: 2_000 });
    const valuation = (await h.getJson<{ gpus: number }>(`/api/v1/contracts/${String(created.body.id)}/valuation`)).body;
    expect(update.headline.contracts).toEqual({ active: 1, revenueUsdPerMonth: 123_456.78, contractedGpus: valuation.gpus });
    const soldPod = (created.body.pods as string[])[0] ?? '';
    expect(heatmapOf(update.heatmap).pods[podIds.indexOf(soldPod)]?.sold).toBe(true);
    await expectHeadlineIsTheApi(h, update.headline);
    await expectHeatmapIsTheApi(h, update.heatmap, podIds);
  });

  it('sends alerts when an alert starts firing and when the outbox changes', async () => {
    const rules = [
      { name: 'LiveTestAlways', figure: 'sellable_gpus', op: '>=', threshold: 0, severity: 'info', annotations: { summary: 'always on' } },
    ];
    const put = await authedFetch(`${h.url}/api/v1/alerts/rules`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules }),
    });
    expect(put.status).toBe(200);
    let from = client.received.length;
    h.evaluateAlerts();
    const { payload: firing } = await client.next('alerts', { from, timeoutMs: 2_000 });
    expect(firing.active).toEqual([
      expect.objectContaining({ status: 'firing', alertname: 'LiveTestAlways', severity: 'info', summary: 'always on' }),
    ]);
    // The same state again is not re-sent.
    from = client.received.length;
    h.evaluateAlerts();
    await sleep(300);
    expect(client.received.slice(from).filter((r) => r.event === 'alerts')).toEqual([]);
    // A test notification to a receiver on a closed port fails and is retried: the outbox now holds it.
    const hook = await h.post(
      '/api/v1/webhooks',
      JSON.stringify({ name: 'closed port', url: 'http://127.0.0.1:9/hook', groupWaitS: 0 }),
      'application/json',
    );
    expect(hook.status).toBe(201);
    from = client.received.length;
    expect((await h.post(`/api/v1/webhooks/${String(hook.body.id)}/test`, '', 'application/json')).status).toBe(202);
    const { payload: queued } = await client.next('alerts', { from, timeoutMs: 5_000, accept: (a) => a.delivery.pending > 0 });
    expect(queued.delivery).toMatchObject({ pending: 1, dead: 0 });
  });

  it('counts its clients and the bytes sent to them, on /metrics too', async () => {
    const stats = h.live.stats();
    expect(stats.clients).toBe(1);
    expect(stats.bytesSent).toBeGreaterThan(1_000);
    const text = await (await authedFetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/^headroom_live_clients\{site="small"\} 1$/m);
    const counted = Number(/^headroom_live_bytes_sent_total\{site="small"\} (\d+)$/m.exec(text)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(stats.bytesSent);
  });
});

describe('the live view across a restart', () => {
  it('stop() completes with clients connected; a client reconnects by itself to the new server on the same port and gets a fresh snapshot', async () => {
    const dir = tempDir();
    const first = await startTestHeadroom({}, dir);
    const ws = liveClient(first.url);
    const polling = liveClient(first.url, { transports: ['polling'] });
    let second: TestHeadroom | null = null;
    try {
      const { payload: before } = await ws.next('snapshot', { from: 0 });
      await polling.next('snapshot', { from: 0 });
      expect(first.live.stats().clients).toBe(2);
      const disconnected = new Promise<string>((resolve) => ws.socket.once('disconnect', resolve));
      const stopStarted = performance.now();
      await first.stop();
      // Without closing the live view first, server.close() would wait for these connections forever.
      expect(performance.now() - stopStarted).toBeLessThan(5_000);
      // A transport close, not a server-side disconnect: socket.io-client reconnects only after the former.
      expect(await disconnected).toBe('transport close');
      expect(ws.socket.connected).toBe(false);

      const from = ws.received.length;
      second = await startTestHeadroom({ PORT: String(first.port) }, dir);
      const server = second;
      const { payload: after } = await ws.next('snapshot', { from, timeoutMs: 10_000 });
      // Rounds are aligned to the interval: a quick restart may collect at the same moment again.
      expect(after.headline.atMs).toBeGreaterThanOrEqual(before.headline.atMs);
      await polling.next('snapshot', { from: 1, timeoutMs: 10_000 });
      // The snapshot may predate readiness (capacity null); by now the figures are the new server's.
      const latest = await ws
        .next('update', { from, timeoutMs: 5_000, accept: (u) => u.headline.capacity !== null })
        .catch(() => ({ payload: after }));
      await expectHeadlineIsTheApi(server, latest.payload.headline);
    } finally {
      ws.close();
      polling.close();
      await second?.stop();
    }
  });
});
