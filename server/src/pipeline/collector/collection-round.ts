import type { RoundStats, TargetOutcome } from '../../domain/fleet/collection-stats.js';
import type { IngestBatch } from '../../domain/fleet/readings.js';
import type { TelemetrySource, TelemetryTarget } from '../../domain/fleet/telemetry-source.js';
import type { Collector } from './fleet-collector.js';
import { createTimeSlicer, DEFAULT_SLICE_MS } from './time-slicer.js';

export type ParseExporterText = (text: string, host: string | null) => IngestBatch;

export interface RoundOptions {
  collector: Collector;
  sources: readonly TelemetrySource[];
  parse: ParseExporterText;
  /** How many targets are read at once (HTTP scrapes wait on the network). */
  concurrency: number;
  /** Wall-clock reader for durations only; collection times come from tMs. */
  elapsedMs: () => number;
  onTarget?: (outcome: TargetOutcome) => void;
  /**
   * Wall time of synchronous work between event-loop turns, ms (default DEFAULT_SLICE_MS), so the
   * API keeps answering during a round; tests lower it to 0 to count turns.
   */
  sliceMs?: number;
}

/**
 * One collection round at time tMs: read every target of every source, parse each as one
 * batch (a bad payload fails only its own target, whose GPUs then read unknown), apply, and
 * classify the fleet once at the end. The work yields to the event loop whenever a slice of
 * `sliceMs` is spent; the figures do not depend on where it yields.
 */
export async function collectRound(opts: RoundOptions, tMs: number): Promise<RoundStats> {
  const started = opts.elapsedMs();
  const slicer = createTimeSlicer({ budgetMs: opts.sliceMs ?? DEFAULT_SLICE_MS, elapsedMs: opts.elapsedMs });
  let failed = 0;
  let samples = 0;
  let targets = 0;
  for (const source of opts.sources) {
    source.prepare?.(tMs);
    const list = source.targets();
    targets += list.length;
    let next = 0;
    // One slicer shared by all workers: with the simulator's synchronous reads every `await` stays
    // in the microtask queue, so a yield taken by one worker alone let the others run the whole
    // round without the event loop ever turning (a Colossus round blocked requests for ~2 s).
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        // Checked right before taking a target, in the same microtask as the read: every worker
        // waiting on a turn resumes after it, and one that took a target without checking again
        // would make a slice of 256 targets (15–25 ms) whatever the budget.
        const turn = slicer.pause();
        if (turn) {
          await turn;
          continue;
        }
        const target = list[next++];
        if (!target) break;
        const outcome = await readTarget(opts, target, tMs);
        samples += outcome.samples;
        if (!outcome.ok) failed++;
        opts.onTarget?.(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, list.length) }, worker));
    const side = source.sideBatch?.();
    if (side) samples += opts.collector.ingestScraped(`${source.name}:side`, side, tMs);
  }
  await opts.collector.tickSliced(tMs, slicer);
  await opts.collector.writeHistory();
  return { tMs, targets, failed, samples, durationMs: opts.elapsedMs() - started, turns: slicer.turns };
}

async function readTarget(opts: RoundOptions, target: TelemetryTarget, tMs: number): Promise<TargetOutcome> {
  const started = opts.elapsedMs();
  try {
    // A synchronous read (the simulator) is parsed at once: awaiting it would let every worker
    // render its text before any is parsed, keeping `concurrency` texts and batches alive
    // across scavenges (they were promoted to old space by the megabyte each round).
    const read = target.read();
    const text = typeof read === 'string' ? read : await read;
    const batch = opts.parse(text, target.host);
    const samples = opts.collector.ingestScraped(target.id, batch, tMs);
    return { targetId: target.id, ok: true, samples, durationMs: opts.elapsedMs() - started, error: null };
  } catch (error) {
    opts.collector.targetFailed(target.id);
    const message = error instanceof Error ? error.message : String(error);
    return { targetId: target.id, ok: false, samples: 0, durationMs: opts.elapsedMs() - started, error: message };
  }
}
