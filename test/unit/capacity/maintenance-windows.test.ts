import { describe, expect, it } from 'vitest';
import { maintenanceByPod } from '../../../server/src/domain/capacity/maintenance-windows.js';
import type { Reservation, SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';

const NOW = Date.UTC(2026, 11, 1);
const HOUR = 3_600_000;
const POD_OF: Record<string, number> = { a1: 0, a2: 0, b1: 1, c1: 2 };
const podOf = (node: string): number | undefined => POD_OF[node];

const resv = (name: string, nodes: string[], startMs: number, endMs: number, maintenance = true): Reservation => ({
  name,
  nodes,
  startMs,
  endMs,
  flags: maintenance ? ['MAINT'] : [],
  maintenance,
});
const snapshot = (reservations: Reservation[]): SchedulerSnapshot => ({
  scheduler: 'slurm',
  apiVersion: 'v0.0.38',
  version: '22.05.8',
  readAtMs: NOW,
  nodes: [],
  running: [],
  pending: [],
  reservations,
  skipped: [],
});

describe('maintenanceByPod', () => {
  it('names, per pod, the earliest maintenance window standing within [now, until) on any of its nodes', () => {
    const byPod = maintenanceByPod(
      snapshot([
        resv('late', ['a2'], NOW + 48 * HOUR, NOW + 52 * HOUR),
        resv('early', ['a1'], NOW + 24 * HOUR, NOW + 28 * HOUR),
        resv('standing', ['b1', 'nowhere'], NOW - HOUR, NOW + HOUR),
        resv('beyond', ['c1'], NOW + 100 * HOUR, NOW + 104 * HOUR),
        resv('over', ['c1'], NOW - 4 * HOUR, NOW),
        resv('training', ['c1'], NOW, NOW + HOUR, false),
      ]),
      podOf,
      NOW,
      NOW + 100 * HOUR,
    );
    expect([...byPod.entries()].sort(([a], [b]) => a - b)).toEqual([
      [0, { reservation: 'early', startS: (NOW + 24 * HOUR) / 1000, endS: (NOW + 28 * HOUR) / 1000 }],
      [1, { reservation: 'standing', startS: (NOW - HOUR) / 1000, endS: (NOW + HOUR) / 1000 }],
    ]);
  });

  it('is empty without a snapshot', () => {
    expect(maintenanceByPod(null, podOf, NOW, NOW + HOUR).size).toBe(0);
  });
});
