import { describe, expect, it } from 'vitest';
import { createCapacityService } from '../../../server/src/services/capacity/capacity-service.js';
import { loadConfig } from '../../../server/src/config.js';
import { DEFAULT_PRICE_BOOK } from '../../../server/src/domain/contracts/price-book.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { smallOneModel } from '../fleet/builders.js';
import type { HistoryMetric } from '../../../server/src/domain/fleet/rollup.js';
import { summarizeFleet } from '../../../server/src/domain/fleet/summary.js';
import type { SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import type { Tenants } from '../../../server/src/domain/scheduler/tenants.js';
import { capacityAnswer } from '../../../server/src/protocol/capacity.js';

/**
 * The capacity service reads the scheduler's latest snapshot (issue 18): internal running, queued
 * and reserved GPUs floor the forecast, shown as `forecast.floor`; a maintenance reservation within
 * the horizon keeps its pod out of the sellable blocks. The small preset: 6 pods × 8 nodes × 8 GPUs.
 */
const NOW_MS = Date.parse('2026-11-27T14:00:00Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const TENANTS: Tenants = {
  rules: [
    { tenant: { kind: 'internal', team: 'train' }, accounts: ['train'], partitions: [], namespaces: [] },
    { tenant: { kind: 'customer', customer: 'Acme' }, accounts: ['acme'], partitions: [], namespaces: [] },
  ],
  unmatched: null,
};
const hosts = (pod: string): string[] => Array.from({ length: 8 }, (_, n) => `${pod}-n0${n + 1}`);
const allGpus = (pod: string) => hosts(pod).map((node) => ({ node, indices: [0, 1, 2, 3, 4, 5, 6, 7] }));

function snapshot(over: Partial<SchedulerSnapshot> = {}): SchedulerSnapshot {
  return {
    scheduler: 'slurm',
    apiVersion: 'v0.0.38',
    version: '22.05.8',
    readAtMs: NOW_MS,
    nodes: [],
    // 128 internal GPUs on h01's pods 1 and 2; a customer's 64 on h02-p001 (not the owner's demand).
    running: [
      { id: '1', account: 'train', partition: 'gpu', user: 'u', gpus: [...allGpus('h01-p001'), ...allGpus('h01-p002')] },
      { id: '2', account: 'acme', partition: 'gpu', user: 'u', gpus: allGpus('h02-p001') },
    ],
    pending: [
      {
        id: '3',
        account: 'train',
        partition: 'gpu',
        user: 'u',
        gpus: 64,
        priority: 1,
        expectedStartMs: NOW_MS + DAY_MS,
        reason: 'Reservation',
        reservation: 'run',
      },
    ],
    reservations: [
      {
        name: 'run',
        nodes: hosts('h02-p002'),
        startMs: NOW_MS + DAY_MS,
        endMs: NOW_MS + 6 * DAY_MS,
        flags: [],
        maintenance: false,
        accounts: ['train'],
      },
      {
        name: 'maint-p3',
        nodes: hosts('h01-p003'),
        startMs: NOW_MS + 2 * DAY_MS,
        endMs: NOW_MS + 2 * DAY_MS + 4 * HOUR_MS,
        flags: ['MAINT'],
        maintenance: true,
      },
    ],
    skipped: [],
    ...over,
  };
}

/** A third of the GPUs busy, 30 days of demand around 130–160 GPUs; `latest` is the scheduler port's. */
function service(latest: (() => SchedulerSnapshot | null) | null) {
  const state = createFleetState(smallOneModel());
  state.state.fill(GpuState.idle);
  for (let slot = 0; slot < state.state.length; slot += 3) state.state[slot] = GpuState.busy;
  const summary = summarizeFleet(state, NOW_MS, 30_000);
  const history = {
    query(_scope: string, metric: HistoryMetric, fromS: number, toS: number, stepS: number): Array<[number, number]> {
      const rows: Array<[number, number]> = [];
      for (let t = Math.ceil(fromS / stepS) * stepS; t < toS; t += stepS) {
        rows.push([t, metric === 'gpus_busy' ? 135 + 15 * Math.sin((2 * Math.PI * t) / 86_400) : 10]);
      }
      return rows;
    },
  };
  return createCapacityService({
    fleet: { state, latest: () => summary },
    history,
    contracts: { soldPodsAt: () => new Set<number>(), getPriceBook: () => structuredClone(DEFAULT_PRICE_BOOK) },
    ...(latest ? { scheduler: { latest, tenants: () => TENANTS, staleAfterMs: 5 * 60_000 } } : {}),
    now: () => NOW_MS,
    policy: loadConfig({}).capacity,
  });
}

describe('capacity with the scheduler', () => {
  it('floors the forecast with internal running, queued and reserved GPUs and shows the floor as such', () => {
    const report = service(() => snapshot()).capacity();
    expect(capacityAnswer.safeParse(report).success).toBe(true);
    expect(report.forecast.floor).toEqual({
      source: 'scheduler',
      stale: false,
      readAt: new Date(NOW_MS).toISOString(),
      runningGpus: 128,
      pendingGpus: 64,
      pendingAddingGpus: 64,
      reservedGpus: 64,
      nowGpus: 128,
      // 128 carried + max(64 reserved, 64 pending inside it).
      peakGpus: 192,
      peakAt: new Date(NOW_MS + DAY_MS).toISOString(),
      reservations: [
        { name: 'run', start: new Date(NOW_MS + DAY_MS).toISOString(), end: new Date(NOW_MS + 6 * DAY_MS).toISOString(), gpus: 64 },
      ],
    });
    const inWindow = report.forecast.points.filter(([t]) => t * 1000 >= NOW_MS + DAY_MS && t * 1000 < NOW_MS + 6 * DAY_MS);
    expect(inWindow.length).toBe(5 * 24);
    for (const [, median, high] of inWindow) {
      expect(median).toBeGreaterThanOrEqual(192);
      expect(high).toBeGreaterThanOrEqual(192);
    }
    expect(report.forecast.notes.some((n) => n.startsWith("the scheduler's queue and reservations raise the forecast"))).toBe(true);
    // Without the scheduler the same history gives a forecast that stays under the floor: the reserve rises with it.
    const alone = service(null).capacity();
    expect(alone.forecast.floor).toBeNull();
    expect(Math.max(...alone.forecast.points.map(([, m]) => m))).toBeLessThan(192);
    expect(report.gpus.reserve).toBeGreaterThanOrEqual(Math.ceil(192 * 1.05));
    expect(report.gpus.reserve).toBeGreaterThan(alone.gpus.reserve);
  });

  it('keeps a pod with maintenance booked within the horizon out of the sellable blocks, naming the reservation', () => {
    const report = service(() => snapshot({ running: [], pending: [], reservations: snapshot().reservations.slice(1) })).capacity();
    expect(report.sellable.outForMaintenance).toEqual([
      {
        pod: 'h01-p003',
        reservation: 'maint-p3',
        start: new Date(NOW_MS + 2 * DAY_MS).toISOString(),
        end: new Date(NOW_MS + 2 * DAY_MS + 4 * HOUR_MS).toISOString(),
      },
    ]);
    expect(report.sellable.blocks.map((b) => b.id)).not.toContain('h01-p003');
    const alone = service(null).capacity();
    expect(alone.sellable.blocks.map((b) => b.id)).toContain('h01-p003');
    expect(alone.sellable.outForMaintenance).toEqual([]);
  });

  it('a stale snapshot still counts its reservations (and maintenance) but not its jobs, and says it is stale', () => {
    const report = service(() => snapshot({ readAtMs: NOW_MS - 10 * 60_000 })).capacity();
    expect(report.forecast.floor).toMatchObject({
      stale: true,
      runningGpus: 0,
      pendingGpus: 0,
      reservedGpus: 64,
      nowGpus: 0,
      peakGpus: 64,
    });
    expect(report.sellable.outForMaintenance.map((p) => p.pod)).toEqual(['h01-p003']);
  });

  it('applies a new poll at the next request, without waiting for a round', () => {
    let latest: SchedulerSnapshot | null = null;
    const capacity = service(() => latest);
    const before = capacity.lastComputed();
    expect(before.forecast.floor).toBeNull();
    latest = snapshot();
    const after = capacity.lastComputed();
    expect(after).not.toBe(before);
    expect(after.forecast.floor?.peakGpus).toBe(192);
    expect(capacity.lastComputed()).toBe(after);
  });
});
