import { describe, expect, it } from 'vitest';
import { slurmSnapshot } from '../../../server/src/pipeline/scheduler/slurm-v0038.js';
import { domainSchedulerSnapshot } from '../../../server/src/sim/scheduler-domain.js';
import { REBOUND_RESERVATION } from '../../../server/src/sim/reservations.js';
import { createSimulator } from '../../../server/src/sim/simulator.js';
import { DAY_MS, HOUR_MS, mediumSite } from './exposition.js';

describe('domainSchedulerSnapshot: the backtest’s shortcut from the simulated scheduler to the domain snapshot', () => {
  const sim = createSimulator({ topology: mediumSite(), scenario: 'rebound', seed: 11 });
  const rebound = sim.params.reboundAtMs;
  // Before the run is submitted, while it is queued and reserved, as it starts, and well into it.
  const instants = [rebound - 5 * DAY_MS + 7 * HOUR_MS, rebound - 3.5 * DAY_MS, rebound - HOUR_MS / 3, rebound + 11 * HOUR_MS + 17_000];

  it.each(instants.map((t) => [new Date(t).toISOString(), t] as const))(
    'equals parsing the simulator’s slurmrestd answers through slurm-v0038.ts at %s (jobs and reservations; nodes left out)',
    (_, t) => {
      sim.advance(t);
      const parsed = slurmSnapshot(
        {
          nodes: JSON.parse(sim.slurmJson('nodes')),
          jobs: JSON.parse(sim.slurmJson('jobs')),
          reservations: JSON.parse(sim.slurmJson('reservations')),
        },
        sim.lastTickMs(),
      );
      const direct = domainSchedulerSnapshot(sim.topology, sim.schedulerAt(t));
      expect(parsed.skipped).toEqual([]);
      expect(direct.running).toEqual(parsed.running);
      expect(direct.pending).toEqual(parsed.pending);
      expect(direct.reservations).toEqual(parsed.reservations);
      expect([direct.readAtMs, direct.version, direct.apiVersion]).toEqual([parsed.readAtMs, parsed.version, parsed.apiVersion]);
      expect(direct.nodes).toEqual([]);
      expect(direct.running.length).toBeGreaterThan(10);
    },
  );

  it('is asked at instants that hold what the floor reads: the run queued for its reservation, and the reservation', () => {
    const queued = domainSchedulerSnapshot(sim.topology, sim.schedulerAt(rebound - 2 * DAY_MS));
    expect(queued.pending.some((j) => j.reservation === REBOUND_RESERVATION && j.account === 'pretrain')).toBe(true);
    expect(queued.reservations.find((r) => r.name === REBOUND_RESERVATION)?.accounts).toEqual(['pretrain']);
  });

  it('schedulerAt(t) is scheduler() after advance(t), and leaves the advanced tick alone', () => {
    const t = rebound - DAY_MS;
    sim.advance(t);
    const atTick = sim.scheduler();
    const other = sim.schedulerAt(t + 5 * HOUR_MS);
    expect(other.tMs).toBe(t + 5 * HOUR_MS);
    expect(sim.lastTickMs()).toBe(t);
    expect(sim.schedulerAt(t)).toEqual(atTick);
  });
});
