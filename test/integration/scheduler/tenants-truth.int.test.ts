import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { attributeTenants, type TenantClassCounts } from '../../../server/src/domain/scheduler/attribution.js';
import { createHeldSince, trackHeld } from '../../../server/src/domain/scheduler/held-since.js';
import type { SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import { collectRound, type RoundOptions } from '../../../server/src/pipeline/collector/collection-round.js';
import { createCollector } from '../../../server/src/pipeline/collector/fleet-collector.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { slurmSnapshot } from '../../../server/src/pipeline/scheduler/slurm-v0038.js';
import { closeDatabase, openDatabase } from '../../../server/src/pipeline/store/db.js';
import { createStores } from '../../../server/src/pipeline/store/stores.js';
import { createSimSource } from '../../../server/src/sim/sim-source.js';
import { simTenants } from '../../../server/src/sim/sim-tenants.js';
import { createSimulator } from '../../../server/src/sim/simulator.js';
import { PINNED_START } from '../helpers/pinned-clock.js';
import { tempDir } from '../helpers/harness.js';

/**
 * Issue 18's acceptance: at Colossus (the mixed preset, 226,560 GPUs) on the simulator, the tenant classes Headroom
 * counts through the real path — the simulated slurmrestd's v0.0.38 JSON → slurm-v0038.ts →
 * applySchedulerSnapshot, dcgm text → parser → fleet state → classify → attributeTenants — are
 * within 0.1 % of the simulator's truth at every poll, per class and per team (busy and held
 * each, the split told by the newest sample's compute), across a simulated day and through the rebound's reservation. Pods 0–7 are sold to Aurora Labs
 * in the book; pod 8 runs Aurora's jobs too but the book does not list it (unbilled use: sold by
 * allocation, and cross-checked).
 */
const db = openDatabase(join(tempDir(), 'tenants-truth.db'));
afterAll(() => closeDatabase(db));

const TICK_MS = 10_000;
const TOLERANCE = 0.001;
const BOOK_SOLD = new Set([0, 1, 2, 3, 4, 5, 6, 7]);
const REBOUND = Date.UTC(2026, 11, 1);

function site() {
  const topology = buildPreset('colossus');
  const sim = createSimulator({
    topology,
    scenario: 'rebound',
    seed: 42,
    soldPod: (pod) => pod <= 8,
    podCustomer: (pod) => (pod <= 8 ? 'aurora-labs' : null),
  });
  let snapshot: SchedulerSnapshot | null = null;
  const tenants = simTenants(['Aurora Labs']);
  const collector = createCollector({
    topology,
    ports: { ...createStores(db), transaction: (work) => db.transaction(work)() },
    staleAfterMs: 3 * TICK_MS,
    soldPodsAt: () => BOOK_SOLD,
    scheduler: { latest: () => snapshot, staleAfterMs: 90_000 },
    tenants: () => tenants,
  });
  const round: RoundOptions = {
    collector,
    sources: [createSimSource(sim, topology)],
    parse: (text, host) => parseDcgmText(text, { defaultHost: host ?? undefined }),
    concurrency: 1,
    elapsedMs: () => performance.now(),
  };
  const held = createHeldSince();
  /** Telemetry for the verdict's three samples, then a poll of the simulated slurmrestd at t and the round at t. */
  async function pollAt(t: number) {
    await collectRound(round, t - 2 * TICK_MS);
    await collectRound(round, t - TICK_MS);
    sim.advance(t);
    const json = (endpoint: 'nodes' | 'jobs' | 'reservations'): unknown => JSON.parse(sim.slurmJson(endpoint));
    snapshot = slurmSnapshot({ nodes: json('nodes'), jobs: json('jobs'), reservations: json('reservations') }, t);
    await collectRound(round, t);
    trackHeld(held, collector.state, t);
    const seen = attributeTenants(collector.state, {
      nowMs: t,
      held,
      heldThresholdMs: 3_600_000,
      podCustomer: (pod) => (BOOK_SOLD.has(pod) ? 'Aurora Labs' : null),
      gpuMonthUsd: () => 1752,
    });
    return { seen, truth: sim.allocationTruth(), snapshot };
  }
  return { sim, total: topology.slotNode.length, pollAt };
}

/** What allocation decides alone: whose GPUs, and whether allocated at all. */
const allocationOf = (c: TenantClassCounts) => ({
  'internal busy + held': c.internal.busy + c.internal.held,
  'customer sold': c.customer.sold,
  idle: c.idle,
  orphaned: c.orphaned,
  down: c.down,
});
/**
 * Busy or held inside a job is told by the newest sample's compute (classify.ts): with the
 * three-sample vote a job changing phase on the poll's own tick read its old phase for a round
 * (measured 0.114 % of the site, one pod 0.13 %); with the newest sample, 0.000 %.
 */
const SPLIT_TOLERANCE = TOLERANCE;

describe('tenant classes against the simulator at Colossus', () => {
  it(
    'are within 0.1 % of the truth at every poll, busy and held per class and team, through a day and the rebound',
    { timeout: 600_000 },
    async () => {
      const { total, pollAt } = site();
      const start = Date.parse(PINNED_START);
      // Every 3 h over a day of the decline, then the rebound's first hours (its reservation active, its run starting).
      const polls = [...Array.from({ length: 9 }, (_, i) => start + i * 3 * 3_600_000), ...[0, 2, 6].map((h) => REBOUND + h * 3_600_000)];
      let reservationSeen = false;
      const worstByClass: Record<string, number> = {};
      for (const t of polls) {
        const { seen, truth, snapshot } = await pollAt(t);
        const at = new Date(t).toISOString();
        const want = allocationOf({ ...truth, unattributed: { busy: 0, held: 0 }, unknown: 0 });
        const got = allocationOf(seen.classes);
        for (const [name, n] of Object.entries(want)) {
          const diff = Math.abs(got[name as keyof typeof got] - n) / total;
          worstByClass[name] = Math.max(worstByClass[name] ?? 0, diff);
          expect(diff, `${name} at ${at}: seen ${got[name as keyof typeof got]}, truth ${n}`).toBeLessThanOrEqual(TOLERANCE);
        }
        const split = Math.abs(seen.classes.internal.busy - truth.internal.busy) / total;
        worstByClass['internal busy/held split'] = Math.max(worstByClass['internal busy/held split'] ?? 0, split);
        expect(split, `internal busy at ${at}: seen ${seen.classes.internal.busy}, truth ${truth.internal.busy}`).toBeLessThanOrEqual(
          SPLIT_TOLERANCE,
        );
        expect(seen.classes.unattributed, at).toEqual({ busy: 0, held: 0 });
        expect(seen.classes.unknown / total, at).toBeLessThanOrEqual(TOLERANCE);
        for (const [team, row] of Object.entries(truth.teams)) {
          const mine = seen.teams.find((x) => x.team === team);
          const allocated = Math.abs((mine?.busy ?? 0) + (mine?.held ?? 0) - row.busy - row.held) / total;
          worstByClass['team busy + held'] = Math.max(worstByClass['team busy + held'] ?? 0, allocated);
          expect(allocated, `${team} busy + held at ${at}`).toBeLessThanOrEqual(TOLERANCE);
          const teamSplit = Math.abs((mine?.held ?? 0) - row.held) / total;
          worstByClass['team busy/held split'] = Math.max(worstByClass['team busy/held split'] ?? 0, teamSplit);
          expect(teamSplit, `${team} held at ${at}`).toBeLessThanOrEqual(SPLIT_TOLERANCE);
        }
        // Pod 8 runs Aurora's jobs though the book does not sell it: sold by allocation, and cross-checked.
        expect(seen.crossChecks.customerOnUnsoldGpus, at).toBe(256);
        expect(seen.crossChecks.internalOnSoldGpus, at).toBe(0);
        expect(seen.customers.find((c) => c.customer === 'Aurora Labs')).toMatchObject({ gpus: 9 * 256, onUnsoldGpus: 256 });
        if (snapshot?.reservations.some((r) => r.name === 'pretrain-rebound' && t >= r.startMs && t < r.endMs)) reservationSeen = true;
      }
      expect(reservationSeen).toBe(true);
      const percents = Object.fromEntries(Object.entries(worstByClass).map(([k, v]) => [k, `${(v * 100).toFixed(3)} %`]));
      console.log(`tenant classes vs truth over ${polls.length} polls at Colossus, worst share of the site:`, percents);
    },
  );
});
