/**
 * Issue 8 acceptance: "Kill -9 Headroom 20 times at random moments during a push ingest of
 * 5,000 samples/s: every batch that got a 2xx is present after restart; none half-applied."
 *
 * Each run pushes 10 batches a second of 500 GPUs each and is killed with SIGKILL at a seeded
 * random moment, close to a push (see KILL_AFTER_MS); the next start on the same data dir is checked
 * against a model of what the server acknowledged. Batch `b` of every run writes the same 500
 * GPUs (group `b`) with readings stamped with its run and number, so after a restart each GPU
 * shows exactly one batch's readings and its sample count. For every batch of the run:
 * - all 500 GPUs show its readings (applied) or all still show what the group showed before
 *   (absent); anything in between is a half-applied batch;
 * - a batch that got a 2xx is applied, one refused with a 4xx/5xx is absent;
 * - samplesInWindow grew by exactly one for an applied batch (a batch replayed twice from the
 *   journal, or once from the journal on top of a snapshot that had it, shows as two);
 * - sending the batch again with its Idempotency-Key answers `replayed: true` (with the first
 *   answer's seq) exactly when it was applied: the journal's keys agree with the state.
 * Snapshots are taken every second (the shortest SNAPSHOT_INTERVAL_MS), so a restart loads a
 * recent snapshot plus the journal after it, and some kills come during a snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_SIZE } from '../../../server/src/domain/fleet/fleet-state.js';
import { tempDir } from '../helpers/harness.js';
import { freePort, killAll, startProcess, type HeadroomProcess } from '../helpers/process.js';
import { faultSeed, mapLimit, pushJson, readGpu, sleep, type GpuReading, type PushGpu, type PushOutcome } from './push-load.js';
import { seededRandom } from '../../support/seeded-random.js';

afterEach(killAll);

const KILLS = 20;
const BATCH_GPUS = 500;
/** One 500-sample batch every 100 ms: 5,000 samples/s. */
const BATCH_EVERY_MS = 100;
/** Pushes in flight at once at most (a real pusher fleet has a few connections open, not hundreds). */
const IN_FLIGHT = 8;
/**
 * A run is killed this long after its first push; if no push is in flight then, the kill waits for
 * the next one and comes up to KILL_JITTER_MS after it was sent, so kills land in every phase of a
 * push (not yet read, parsed, journalled, applied, answered).
 */
const KILL_AFTER_MS = { min: 150, max: 1_500 };
const KILL_JITTER_MS = 12;
/** Stamps are run × 100 + batch, so a run sends fewer than 100 batches. */
const MAX_BATCHES_PER_RUN = 90;
/** samplesInWindow counts at most this many. */
const WINDOW = DEFAULT_WINDOW_SIZE;
// The checks read every GPU of every batch: far more than the default per-token API rate limit.
const ENV = { BACKFILL_DAYS: '0', SNAPSHOT_INTERVAL_MS: '1000', API_RATE_LIMIT_PER_MIN: '1000000' };

interface SentBatch {
  run: number;
  group: number;
  stamp: number;
  key: string;
  gpus: PushGpu[];
  outcome: PushOutcome | null;
}

/** What the API should show for a group's GPUs: the last applied batch's stamp (null: never seen) and how many batches it got. */
interface GroupModel {
  stamp: number | null;
  samples: number;
}

type Verdict = 'applied' | 'absent' | 'half-applied';

const readingsOf = (stamp: number, i: number) => ({
  utilizationPercent: (stamp + i) % 101,
  powerWatts: 100 + ((stamp * 7 + i) % 600),
  memoryUsedMiB: stamp * 1000 + i,
});

function batchGpus(group: number, stamp: number): PushGpu[] {
  return Array.from({ length: BATCH_GPUS }, (_, i) => ({
    uuid: `GPU-kill9-g${group}-${i}`,
    host: `kill9-g${group}-n${Math.floor(i / 8)}`,
    index: i % 8,
    memoryTotalMiB: 81_559,
    ...readingsOf(stamp, i),
  }));
}

function shows(reading: GpuReading, model: GroupModel, i: number): boolean {
  if (model.stamp === null) return reading.status === 404;
  const expected = readingsOf(model.stamp, i);
  return (
    reading.status === 200 &&
    reading.powerWatts === expected.powerWatts &&
    reading.utilizationPercent === expected.utilizationPercent &&
    reading.memoryUsedMiB === expected.memoryUsedMiB &&
    reading.samplesInWindow === Math.min(WINDOW, model.samples)
  );
}

/** Pushes at 5,000 samples/s until the kill: `afterMs` in, or, when no push is in flight then, `jitterMs` after the next one is sent. */
async function ingestUntilKilled(proc: HeadroomProcess, run: number, seed: number, killAt: { afterMs: number; jitterMs: number }) {
  const sent: SentBatch[] = [];
  const latencyMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const started = performance.now();
  const sender = (async () => {
    for (let b = 0; b < MAX_BATCHES_PER_RUN; b++) {
      await sleep(started + b * BATCH_EVERY_MS - performance.now());
      while (!stopped && inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (stopped) return;
      const stamp = run * 100 + b + 1;
      const batch: SentBatch = { run, group: b, stamp, key: `kill9-${seed}-r${run}-b${b}`, gpus: batchGpus(b, stamp), outcome: null };
      sent.push(batch);
      const sentAt = performance.now();
      const push: Promise<void> = pushJson(proc.url, batch.gpus, batch.key).then((outcome) => {
        batch.outcome = outcome;
        if (outcome.kind === 'acked') latencyMs.push(performance.now() - sentAt);
        inFlight.delete(push);
      });
      inFlight.add(push);
    }
  })();
  await sleep(killAt.afterMs);
  if (inFlight.size === 0) {
    while (inFlight.size === 0 && sent.length < MAX_BATCHES_PER_RUN) await sleep(1);
    await sleep(killAt.jitterMs);
  }
  stopped = true;
  const inFlightAtKill = inFlight.size;
  const ingestMs = performance.now() - started;
  proc.child.kill('SIGKILL');
  await proc.exited;
  await sender;
  await Promise.all([...inFlight]);
  return { sent, inFlightAtKill, ingestMs, latencyMs };
}

function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

describe('kill -9 during push ingest', () => {
  it(
    'keeps every acknowledged batch and applies each batch whole or not at all, over 20 kills at 5,000 samples/s',
    async () => {
      const seed = faultSeed();
      console.log(`kill9-ingest: seed ${seed} (replay with FAULT_SEED=${seed})`);
      const random = seededRandom(seed);
      const dir = tempDir();
      const port = freePort();
      const groups = new Map<number, GroupModel>();
      const modelOf = (group: number): GroupModel => groups.get(group) ?? { stamp: null, samples: 0 };
      const problems: string[] = [];
      const figures = {
        acked: 0,
        refused: 0,
        cutApplied: 0,
        cutAbsent: 0,
        halfApplied: 0,
        samplesSent: 0,
        samplesChecked: 0,
        replaysChecked: 0,
        inFlightAtKill: [] as number[],
        killAfterMs: [] as number[],
        ingestMs: 0,
        restartMs: [] as number[],
        latencyMs: [] as number[],
        checkMs: 0,
        cutErrors: new Map<string, number>(),
      };

      let proc = await startProcess(dir, port, ENV);
      for (let run = 1; run <= KILLS; run++) {
        const killAt = {
          afterMs: Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min)),
          jitterMs: Math.floor(random() * KILL_JITTER_MS),
        };
        const { sent, inFlightAtKill, ingestMs, latencyMs } = await ingestUntilKilled(proc, run, seed, killAt);
        figures.killAfterMs.push(killAt.afterMs);
        figures.latencyMs.push(...latencyMs);
        figures.inFlightAtKill.push(inFlightAtKill);
        figures.ingestMs += ingestMs;
        figures.samplesSent += sent.length * BATCH_GPUS;

        const restartStarted = performance.now();
        proc = await startProcess(dir, port, ENV);
        figures.restartMs.push(Math.round(performance.now() - restartStarted));
        const url = proc.url;
        const checkStarted = performance.now();

        // Every GPU of every batch of the run, as the restarted server shows it.
        const verdicts = await mapLimit(sent, 4, async (batch): Promise<Verdict> => {
          const before = modelOf(batch.group);
          const after: GroupModel = { stamp: batch.stamp, samples: before.samples + 1 };
          const readings = await mapLimit(batch.gpus, 8, (gpu) => readGpu(url, gpu.uuid));
          figures.samplesChecked += readings.length;
          const applied = readings.filter((r, i) => shows(r, after, i)).length;
          const absent = readings.filter((r, i) => shows(r, before, i)).length;
          if (applied === BATCH_GPUS) return 'applied';
          if (absent === BATCH_GPUS) return 'absent';
          const odd = readings.findIndex((r, i) => !shows(r, after, i) && !shows(r, before, i));
          problems.push(
            `run ${run} batch ${batch.group} (${batch.outcome?.kind}) is neither whole nor absent: of its ${BATCH_GPUS} GPUs ${applied} show it, ${absent} the state before it` +
              (odd >= 0 ? `; GPU ${odd} shows ${JSON.stringify(readings[odd])}` : ''),
          );
          return 'half-applied';
        });

        await mapLimit(sent, 4, async (batch, b) => {
          const verdict = verdicts[b];
          const outcome = batch.outcome;
          const label = `run ${run} batch ${batch.group}`;
          if (outcome === null) throw new Error(`${label}: push never settled`);
          if (verdict === 'half-applied') {
            figures.halfApplied++;
            return;
          }
          if (outcome.kind === 'refused') {
            figures.refused++;
            if (verdict !== 'absent') problems.push(`${label} was refused with ${outcome.status} but is applied`);
            return;
          }
          if (outcome.kind === 'acked') {
            figures.acked++;
            if (verdict !== 'applied') problems.push(`${label} got ${outcome.status} (seq ${outcome.seq}) but is absent after restart`);
          } else {
            figures.cutErrors.set(outcome.error, (figures.cutErrors.get(outcome.error) ?? 0) + 1);
            if (verdict === 'applied') figures.cutApplied++;
            else figures.cutAbsent++;
          }
          // The journal's idempotency keys must agree with the state: replayed exactly when applied.
          const again = await pushJson(url, batch.gpus, batch.key);
          figures.replaysChecked++;
          if (again.kind !== 'acked') {
            problems.push(`${label}: sending it again answered ${again.kind === 'refused' ? again.status : again.error}`);
          } else if (again.replayed !== (verdict === 'applied')) {
            problems.push(`${label} (${outcome.kind}, ${verdict}) sent again answered replayed: ${again.replayed}`);
          } else if (outcome.kind === 'acked' && outcome.seq !== null && again.seq !== outcome.seq) {
            problems.push(`${label} sent again answered seq ${again.seq}, first answer was seq ${outcome.seq}`);
          }
        });
        figures.checkMs += performance.now() - checkStarted;
        // The model moves on: applied batches, and absent ones the resend above just applied.
        sent.forEach((batch, b) => {
          const before = modelOf(batch.group);
          const appliedNow = verdicts[b] === 'applied' || (verdicts[b] === 'absent' && batch.outcome?.kind === 'cut');
          if (appliedNow) groups.set(batch.group, { stamp: batch.stamp, samples: before.samples + 1 });
        });
      }

      const restart = quantiles(figures.restartMs);
      const latency = quantiles(figures.latencyMs);
      const cutBatches = figures.cutApplied + figures.cutAbsent;
      console.log(
        [
          `kill9-ingest: ${KILLS} kills (seed ${seed}), ${figures.samplesSent} samples pushed in ${(figures.ingestMs / 1000).toFixed(1)} s ` +
            `(${BATCH_GPUS}-sample batches every ${BATCH_EVERY_MS} ms, ≤ ${IN_FLIGHT} in flight); acked push latency ms p50 ${latency.p50}, p99 ${latency.p99}, max ${latency.max}`,
          `  paced at ${(BATCH_GPUS * 1000) / BATCH_EVERY_MS} samples/s; ${figures.acked * BATCH_GPUS} samples acknowledged`,
          `  batches acked ${figures.acked}, refused ${figures.refused}, cut off by the kill ${cutBatches} ` +
            `(${figures.cutApplied} had been stored, ${figures.cutAbsent} had not), half-applied ${figures.halfApplied}`,
          `  GPU samples checked after restart ${figures.samplesChecked}, idempotent resends checked ${figures.replaysChecked} (${(figures.checkMs / 1000).toFixed(1)} s of checking)`,
          `  kill after ms: ${figures.killAfterMs.join(' ')}`,
          `  pushes in flight at the kill: ${figures.inFlightAtKill.join(' ')}`,
          `  cut-off errors: ${[...figures.cutErrors].map(([code, n]) => `${code} ×${n}`).join(', ') || 'none'}`,
          `  restart to /readyz ms: p50 ${restart.p50}, max ${restart.max} (${figures.restartMs.join(' ')})`,
        ].join('\n'),
      );
      expect(problems).toEqual([]);
      // The test proves something only if batches were acknowledged and kills cut pushes off mid-flight.
      expect(figures.acked).toBeGreaterThan(KILLS);
      expect(cutBatches).toBeGreaterThanOrEqual(KILLS / 4);
    },
    // About 1.5 min on an idle two-core machine; the bound leaves room for a busy one.
    360_000,
  );
});
