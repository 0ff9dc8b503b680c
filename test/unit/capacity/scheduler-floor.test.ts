import { describe, expect, it } from 'vitest';
import {
  floorAt,
  floorDuring,
  floorSummary,
  NEAR_TERM_MS,
  schedulerFloor,
  withSchedulerFloor,
} from '../../../server/src/domain/capacity/scheduler-floor.js';
import type { DemandForecast, ForecastPoint } from '../../../server/src/domain/capacity/forecast-types.js';
import type {
  PendingJob,
  Reservation,
  RunningJob,
  SchedulerNode,
  SchedulerSnapshot,
} from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import type { Tenants } from '../../../server/src/domain/scheduler/tenants.js';

const HOUR_MS = 3_600_000;
const NOW = Date.UTC(2026, 11, 1, 12);

/** Teams `train` and `serve` are internal, `acme` is a customer; unnamed accounts are unknown. */
const TENANTS: Tenants = {
  rules: [
    { tenant: { kind: 'internal', team: 'train' }, accounts: ['train'], partitions: [], namespaces: [] },
    { tenant: { kind: 'internal', team: 'serve' }, accounts: ['serve'], partitions: [], namespaces: [] },
    { tenant: { kind: 'customer', customer: 'Acme' }, accounts: ['acme'], partitions: ['customer'], namespaces: [] },
  ],
  unmatched: null,
};

const node = (name: string, gpus = 8): SchedulerNode => ({
  name,
  state: 'idle',
  flags: [],
  down: false,
  reason: '',
  gpusConfigured: gpus,
  gpusAllocated: 0,
});
const running = (id: string, account: string, gpus: Array<[string, number]>): RunningJob => ({
  id,
  account,
  partition: 'p',
  user: 'u',
  gpus: gpus.map(([n, count]) => ({ node: n, indices: Array.from({ length: count }, (_, i) => i) })),
});
const pending = (id: string, account: string, gpus: number, startMs: number | null, reservation?: string): PendingJob => ({
  id,
  account,
  partition: 'p',
  user: 'u',
  gpus,
  priority: 1,
  expectedStartMs: startMs,
  reason: reservation ? 'Reservation' : 'Priority',
  ...(reservation ? { reservation } : {}),
});
const reservation = (name: string, nodes: string[], startMs: number, endMs: number, over: Partial<Reservation> = {}): Reservation => ({
  name,
  nodes,
  startMs,
  endMs,
  flags: [],
  maintenance: false,
  accounts: ['train'],
  ...over,
});
function snapshot(over: Partial<SchedulerSnapshot>): SchedulerSnapshot {
  return {
    scheduler: 'slurm',
    apiVersion: 'v0.0.38',
    version: '22.05.8',
    readAtMs: NOW,
    nodes: ['a1', 'a2', 'b1', 'b2', 'c1'].map((n) => node(n)),
    running: [],
    pending: [],
    reservations: [],
    skipped: [],
    ...over,
  };
}

describe('schedulerFloor: what counts', () => {
  it('counts internal running GPUs by the indices they hold, and none of a customer’s or an unknown account’s', () => {
    const floor = schedulerFloor(
      snapshot({
        running: [
          running('1', 'train', [
            ['a1', 8],
            ['a2', 8],
          ]),
          running('2', 'serve', [['b1', 4]]),
          running('3', 'acme', [['b2', 8]]),
          running('4', 'nobody', [['c1', 2]]),
        ],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floor.runningGpus).toBe(20);
    expect(floorAt(floor, NOW)).toBe(20);
  });

  it('adds an internal pending job next in line from its expected start, from now when Slurm gives none or a past one, and skips a customer’s', () => {
    const floor = schedulerFloor(
      snapshot({
        running: [running('1', 'train', [['a1', 8]])],
        pending: [
          pending('10', 'train', 16, NOW + 30 * 60_000),
          pending('11', 'serve', 4, null),
          pending('12', 'serve', 2, NOW - HOUR_MS),
          pending('13', 'acme', 64, NOW),
        ],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floor.pending.map((j) => [j.id, j.startMs, j.adds])).toEqual([
      ['11', NOW, true],
      ['12', NOW, true],
      ['10', NOW + 30 * 60_000, true],
    ]);
    expect(floorAt(floor, NOW - 1)).toBe(0); // nothing before now
    expect(floorAt(floor, NOW)).toBe(8 + 4 + 2);
    expect(floorAt(floor, NOW + 30 * 60_000 - 1)).toBe(14);
    expect(floorAt(floor, NOW + 30 * 60_000)).toBe(30);
  });

  it('lets a job expected later than next in line (an hour by default) take a running job’s place instead of adding to it', () => {
    const jobs = { running: [running('1', 'train', [['a1', 8]])], pending: [pending('10', 'train', 16, NOW + 2 * HOUR_MS)] };
    const floor = schedulerFloor(snapshot(jobs), TENANTS, { nowMs: NOW });
    expect(floor.pending.map((j) => j.adds)).toEqual([false]);
    expect(floorAt(floor, NOW + 2 * HOUR_MS)).toBe(8);
    expect(floorSummary(floor, NOW + HOUR_MS * 24)).toMatchObject({ pendingGpus: 16, pendingAddingGpus: 0 });
    // With a longer line it adds from its start.
    const longer = schedulerFloor(snapshot(jobs), TENANTS, { nowMs: NOW, nextInLineMs: 2 * HOUR_MS });
    expect(floorAt(longer, NOW + 2 * HOUR_MS - 1)).toBe(8);
    expect(floorAt(longer, NOW + 2 * HOUR_MS)).toBe(24);
  });

  it('holds the jobs’ part for the near term only (a week by default), then drops it', () => {
    const floor = schedulerFloor(
      snapshot({ running: [running('1', 'train', [['a1', 8]])], pending: [pending('2', 'serve', 8, NOW + HOUR_MS)] }),
      TENANTS,
      {
        nowMs: NOW,
      },
    );
    expect(floor.nearTermEndMs).toBe(NOW + NEAR_TERM_MS);
    expect(floorAt(floor, NOW + NEAR_TERM_MS - 1)).toBe(16);
    expect(floorAt(floor, NOW + NEAR_TERM_MS)).toBe(0);
    const short = schedulerFloor(snapshot({ running: [running('1', 'train', [['a1', 8]])] }), TENANTS, { nowMs: NOW, nearTermMs: HOUR_MS });
    expect(floorAt(short, NOW + HOUR_MS)).toBe(0);
  });

  it('counts an internal reservation as its nodes × their GPUs over its window, end exclusive', () => {
    const floor = schedulerFloor(
      snapshot({
        nodes: [node('a1'), node('a2', 4)],
        reservations: [reservation('run', ['a1', 'a2', 'zz'], NOW + 24 * HOUR_MS, NOW + 48 * HOUR_MS)],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    // zz is no node of the snapshot: 0 GPUs known.
    expect(floor.reservations).toEqual([
      { name: 'run', startMs: NOW + 24 * HOUR_MS, endMs: NOW + 48 * HOUR_MS, gpus: 12, runningInside: 0 },
    ]);
    expect(floorAt(floor, NOW + 24 * HOUR_MS - 1)).toBe(0);
    expect(floorAt(floor, NOW + 24 * HOUR_MS)).toBe(12);
    expect(floorAt(floor, NOW + 48 * HOUR_MS)).toBe(0);
    // Past the near term the reservation still stands (only the jobs' part ends).
    const late = schedulerFloor(
      snapshot({ reservations: [reservation('late', ['a1'], NOW + 10 * 24 * HOUR_MS, NOW + 11 * 24 * HOUR_MS)] }),
      TENANTS,
      {
        nowMs: NOW,
      },
    );
    expect(floorAt(late, NOW + 10 * 24 * HOUR_MS)).toBe(8);
  });

  it('takes the GPUs per node from the caller when given (the topology’s), a node counted once', () => {
    const floor = schedulerFloor(
      snapshot({ nodes: [], reservations: [reservation('run', ['a1', 'a1', 'a2'], NOW, NOW + HOUR_MS)] }),
      TENANTS,
      {
        nowMs: NOW,
        nodeGpus: (name) => (name === 'a1' ? 8 : 6),
      },
    );
    expect(floor.reservations[0]?.gpus).toBe(14);
  });

  it('leaves out maintenance reservations, customers’, ones naming no internal account, and ones already over', () => {
    const floor = schedulerFloor(
      snapshot({
        reservations: [
          reservation('maint', ['a1'], NOW, NOW + HOUR_MS, { flags: ['MAINT'], maintenance: true, accounts: [] }),
          reservation('acme', ['a2'], NOW, NOW + HOUR_MS, { accounts: ['acme'] }),
          reservation('mixed', ['b1'], NOW, NOW + HOUR_MS, { accounts: ['train', 'acme'] }),
          reservation('root', ['b2'], NOW, NOW + HOUR_MS, { accounts: [] }),
          reservation('over', ['c1'], NOW - 2 * HOUR_MS, NOW),
          reservation('excluding', ['c1'], NOW, NOW + HOUR_MS, { accounts: ['train', '-acme'] }),
        ],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floor.reservations.map((r) => r.name)).toEqual(['excluding']);
    // With unnamed allocations internal, a reservation naming no account is the owner's too.
    const owner = schedulerFloor(
      snapshot({ reservations: [reservation('root', ['b2'], NOW, NOW + HOUR_MS, { accounts: [] })] }),
      {
        ...TENANTS,
        unmatched: { kind: 'internal', team: 'ops' },
      },
      { nowMs: NOW },
    );
    expect(owner.reservations.map((r) => r.name)).toEqual(['root']);
  });
});

describe('schedulerFloor: a reservation’s GPUs are not counted twice', () => {
  // A 4-node reservation (32 GPUs) from NOW + 24 h to NOW + 72 h; jobs of 8 GPUs each pending for it.
  const resv = reservation('run', ['a1', 'a2', 'b1', 'b2'], NOW + 24 * HOUR_MS, NOW + 72 * HOUR_MS);

  it('stands for max(its GPUs, the pending jobs inside it): jobs waiting for it add nothing until they outgrow it', () => {
    const floor = schedulerFloor(
      snapshot({
        running: [running('1', 'serve', [['c1', 8]])],
        pending: [
          pending('10', 'train', 16, NOW + 24 * HOUR_MS, 'run'),
          pending('11', 'train', 16, NOW + 30 * HOUR_MS, 'run'),
          pending('12', 'train', 8, NOW + 36 * HOUR_MS, 'run'),
        ],
        reservations: [resv],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floorAt(floor, NOW + HOUR_MS)).toBe(8);
    expect(floorAt(floor, NOW + 24 * HOUR_MS)).toBe(8 + 32); // 16 inside < 32
    expect(floorAt(floor, NOW + 30 * HOUR_MS)).toBe(8 + 32); // 32 inside = 32
    expect(floorAt(floor, NOW + 36 * HOUR_MS)).toBe(8 + 40); // 40 inside > 32
    expect(floorAt(floor, NOW + 72 * HOUR_MS)).toBe(8 + 40); // reservation over: its jobs count as jobs
  });

  it('counts a pending job naming a reservation the floor leaves out (a customer’s) as an ordinary job', () => {
    const floor = schedulerFloor(
      snapshot({
        pending: [pending('10', 'train', 16, NOW + HOUR_MS / 2, 'acme-window')],
        reservations: [reservation('acme-window', ['a1'], NOW, NOW + 48 * HOUR_MS, { accounts: ['acme'] })],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floor.pending[0]?.reservation).toBeNull();
    expect(floorAt(floor, NOW + HOUR_MS / 2)).toBe(16);
  });

  it('counts internal jobs running on a standing reservation’s nodes inside it, and jobs on a future one’s nodes as carried work', () => {
    const standing = reservation('now', ['a1', 'a2'], NOW - HOUR_MS, NOW + 10 * HOUR_MS);
    const later = reservation('later', ['b1', 'b2'], NOW + 20 * HOUR_MS, NOW + 30 * HOUR_MS);
    const floor = schedulerFloor(
      snapshot({
        running: [
          running('1', 'train', [
            ['a1', 8],
            ['a2', 4],
          ]),
          running('2', 'train', [['b1', 8]]),
          running('3', 'acme', [['a2', 4]]),
        ],
        reservations: [standing, later],
      }),
      TENANTS,
      { nowMs: NOW },
    );
    expect(floor.runningGpus).toBe(20);
    expect(floor.reservations.map((r) => [r.name, r.gpus, r.runningInside])).toEqual([
      ['now', 16, 12],
      ['later', 16, 0],
    ]);
    // Now: 8 outside (b1) + max(16, 12 inside).
    expect(floorAt(floor, NOW)).toBe(8 + 16);
    // After it ends, the running work is carried as a level: 20.
    expect(floorAt(floor, NOW + 10 * HOUR_MS)).toBe(20);
    // The later reservation adds its nodes: the job on b1 now ends before it starts (Slurm's rule), its work goes on elsewhere.
    expect(floorAt(floor, NOW + 20 * HOUR_MS)).toBe(20 + 16);
  });

  it('a stale snapshot counts its reservations only, and says so', () => {
    const floor = schedulerFloor(
      snapshot({
        readAtMs: NOW - 10 * 60_000,
        running: [running('1', 'train', [['c1', 8]])],
        pending: [pending('10', 'train', 8, NOW)],
        reservations: [resv],
      }),
      TENANTS,
      { nowMs: NOW, staleAfterMs: 5 * 60_000 },
    );
    expect(floor.stale).toBe(true);
    expect(floorAt(floor, NOW)).toBe(0);
    expect(floorAt(floor, NOW + 24 * HOUR_MS)).toBe(32);
    expect(schedulerFloor(snapshot({ readAtMs: NOW - 5 * 60_000 }), TENANTS, { nowMs: NOW, staleAfterMs: 5 * 60_000 }).stale).toBe(false);
  });
});

describe('floorDuring and withSchedulerFloor', () => {
  const floor = schedulerFloor(
    snapshot({
      running: [running('1', 'train', [['a1', 8]])],
      pending: [pending('10', 'serve', 8, NOW + 90 * 60_000)],
      reservations: [reservation('run', ['b1', 'b2'], NOW + 3 * HOUR_MS, NOW + 4 * HOUR_MS)],
    }),
    TENANTS,
    { nowMs: NOW, nextInLineMs: 2 * HOUR_MS },
  );

  it('is the peak over the span: a job or reservation starting mid-step counts for the whole step', () => {
    expect(floorDuring(floor, NOW, NOW + HOUR_MS)).toEqual({ gpus: 8, atMs: NOW });
    expect(floorDuring(floor, NOW + HOUR_MS, NOW + 2 * HOUR_MS)).toEqual({ gpus: 16, atMs: NOW + 90 * 60_000 });
    expect(floorDuring(floor, NOW + 2.5 * HOUR_MS, NOW + 3.5 * HOUR_MS)).toEqual({ gpus: 32, atMs: NOW + 3 * HOUR_MS });
    // A step that begins before now holds the floor from now on.
    expect(floorDuring(floor, NOW - HOUR_MS / 2, NOW + HOUR_MS / 2)).toEqual({ gpus: 8, atMs: NOW });
  });

  const forecastOf = (rows: Array<[number, number]>): DemandForecast => {
    const points: ForecastPoint[] = rows.map(([median, high], i) => [NOW / 1000 + i * 3_600, median, high]);
    return { stepSeconds: 3_600, notes: ['n'], points } as unknown as DemandForecast; // reads points, stepSeconds, notes
  };

  it('lifts the median and the band to the floor where it is above them, and notes over how many hours', () => {
    const lifted = withSchedulerFloor(
      forecastOf([
        [10, 20],
        [10, 12],
        [20, 40],
        [20, 30],
        [30, 40],
      ]),
      floor,
    );
    expect(lifted.points.map(([, m, h]) => [m, h])).toEqual([
      [10, 20],
      [16, 16],
      [20, 40],
      [32, 32],
      [30, 40],
    ]);
    expect(lifted.notes).toEqual(['n', "the scheduler's queue and reservations raise the forecast over 2 h of the horizon"]);
  });

  it('returns the forecast itself when the floor is null or never above it', () => {
    const high = forecastOf([
      [100, 100],
      [100, 100],
    ]);
    expect(withSchedulerFloor(high, floor)).toBe(high);
    expect(withSchedulerFloor(high, null)).toBe(high);
  });

  it('summarizes the floor for the report: running, pending, reserved within the horizon, now and peak', () => {
    expect(floorSummary(floor, NOW + 24 * HOUR_MS)).toEqual({
      stale: false,
      readAtMs: NOW,
      runningGpus: 8,
      pendingGpus: 8,
      pendingAddingGpus: 8,
      reservedGpus: 16,
      nowGpus: 8,
      peakGpus: 32,
      peakAtMs: NOW + 3 * HOUR_MS,
      reservations: [{ name: 'run', startMs: NOW + 3 * HOUR_MS, endMs: NOW + 4 * HOUR_MS, gpus: 16 }],
    });
    expect(floorSummary(floor, NOW + 3 * HOUR_MS).reservations).toEqual([]);
  });
});
