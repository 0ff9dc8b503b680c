import type { IngestBatch } from '../domain/fleet/readings.js';
import type { TelemetrySource, TelemetryTarget } from '../domain/fleet/telemetry-source.js';
import type { Collector } from './fleet-collector.js';

export type ParseExporterText = (text: string, host: string | null) => IngestBatch;

export interface RoundStats {
  tMs: number;
  targets: number;
  failed: number;
  samples: number;
  durationMs: number;
}

export interface TargetOutcome {
  targetId: string;
  ok: boolean;
  samples: number;
  durationMs: number;
  error: string | null;
}

export interface RoundOptions {
  collector: Collector;
  sources: readonly TelemetrySource[];
  parse: ParseExporterText;
  /** How many targets are read at once (HTTP scrapes wait on the network). */
  concurrency: number;
  /** Wall-clock reader for durations only; collection times come from tMs. */
  elapsedMs: () => number;
  onTarget?: (outcome: TargetOutcome) => void;
}

/** Every this many targets a round yields to the event loop, so the API keeps answering. */
const YIELD_EVERY = 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One collection round at time tMs: read every target of every source, parse each as one
 * batch (a bad payload fails only its own target, whose GPUs then read unknown), apply, and
 * classify the fleet once at the end.
 */
export async function collectRound(opts: RoundOptions, tMs: number): Promise<RoundStats> {
  const started = opts.elapsedMs();
  let failed = 0;
  let samples = 0;
  let targets = 0;
  for (const source of opts.sources) {
    source.prepare?.(tMs);
    const list = source.targets();
    targets += list.length;
    let next = 0;
    let processed = 0;
    // One gate shared by all workers: with the simulator's synchronous reads every `await` stays
    // in the microtask queue, so a yield taken by one worker alone let the others run the whole
    // round without the event loop ever turning (a Colossus round blocked requests for ~2 s).
    let gate: Promise<void> | null = null;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const target = list[next++];
        if (!target) break;
        const outcome = await readTarget(opts, target, tMs);
        samples += outcome.samples;
        if (!outcome.ok) failed++;
        opts.onTarget?.(outcome);
        if (++processed % YIELD_EVERY === 0 && gate === null) {
          gate = yieldToLoop().then(() => {
            gate = null;
          });
        }
        if (gate) await gate;
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, list.length) }, worker));
    const side = source.sideBatch?.();
    if (side) samples += opts.collector.ingestScraped(`${source.name}:side`, side, tMs);
  }
  opts.collector.tick(tMs);
  await opts.collector.writeHistory();
  return { tMs, targets, failed, samples, durationMs: opts.elapsedMs() - started };
}

async function readTarget(opts: RoundOptions, target: TelemetryTarget, tMs: number): Promise<TargetOutcome> {
  const started = opts.elapsedMs();
  try {
    const text = await target.read();
    const batch = opts.parse(text, target.host);
    const samples = opts.collector.ingestScraped(target.id, batch, tMs);
    return { targetId: target.id, ok: true, samples, durationMs: opts.elapsedMs() - started, error: null };
  } catch (error) {
    opts.collector.targetFailed(target.id);
    const message = error instanceof Error ? error.message : String(error);
    return { targetId: target.id, ok: false, samples: 0, durationMs: opts.elapsedMs() - started, error: message };
  }
}
