/**
 * One Slurm poll at Colossus, side by side: the parse on the main thread (the baseline, as
 * before issue 18's worker) against the parse on the read thread (pipeline/scheduler/
 * slurm-read-thread.ts), both on the same answers, both followed by three rounds' apply (a 30 s
 * poll, 10 s rounds). Per poll: CPU of the whole process (both threads; process.cpuUsage) and the
 * longest main-thread block while it ran: the longest gap between two ticks of a 1 ms interval.
 * (perf_hooks' monitorEventLoopDelay read 0.2 s for a measured 2.6 s block here, so the gap is
 * timed directly.) A gap also counts time the OS ran something else: on a loaded machine both
 * paths read longer.
 */
import type { FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { applySchedulerSnapshot } from '../../../server/src/domain/scheduler/allocation.js';
import type { SchedulerSnapshot } from '../../../server/src/domain/scheduler/scheduler-snapshot.js';
import type { SlurmAnswerTexts } from '../../../server/src/pipeline/scheduler/slurm-read-protocol.js';
import { createSlurmReadThread } from '../../../server/src/pipeline/scheduler/slurm-read-thread.js';
import { snapshotOfTexts } from '../../../server/src/pipeline/scheduler/slurmrestd-client.js';

export interface PollFigures {
  cpuMs: number;
  blockMs: number;
}

const ROUNDS_PER_POLL = 3;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function measured(poll: () => Promise<SchedulerSnapshot>, state: FleetState): Promise<PollFigures> {
  let last = performance.now();
  let gapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 1);
  await turn();
  const cpu = process.cpuUsage();
  const snapshot = await poll();
  for (let r = 0; r < ROUNDS_PER_POLL; r++) {
    applySchedulerSnapshot(state, snapshot, snapshot.readAtMs, 90_000);
    await turn();
  }
  const used = process.cpuUsage(cpu);
  await turn();
  clearInterval(ticker);
  return { cpuMs: (used.user + used.system) / 1000, blockMs: gapMs };
}

/** Runs `rounds` polls per path after one warm-up, alternating which goes first. */
export async function schedulerPollSideBySide(texts: SlurmAnswerTexts, state: FleetState, rounds: number) {
  const thread = createSlurmReadThread({ deadlineMs: 120_000 });
  const inThread = (): Promise<PollFigures> =>
    measured(async () => {
      await turn();
      return snapshotOfTexts(texts, 1_000);
    }, state);
  const worker = (): Promise<PollFigures> => measured(() => thread.read({ kind: 'texts', texts }, 1_000), state);
  const kept = { inThread: [] as PollFigures[], worker: [] as PollFigures[] };
  try {
    for (let r = 0; r < rounds + 1; r++) {
      const pair = r % 2 === 0 ? [await worker(), await inThread()] : [await inThread(), await worker()].reverse();
      if (r === 0) continue;
      kept.worker.push(pair[0] as PollFigures);
      kept.inThread.push(pair[1] as PollFigures);
    }
  } finally {
    await thread.close();
  }
  return kept;
}
