import type { RoundStats } from '../../domain/fleet/collection-stats.js';
import { collectRound, type RoundOptions } from './collection-round.js';

export interface LoopOptions extends RoundOptions {
  /** Collection time now (simulated or wall), ms. */
  now: () => number;
  /** Collection interval in collection time, ms. */
  intervalMs: number;
  /** Collection time per wall second (SIM_SPEED; 1 for a real fleet). */
  speed: number;
  onRound?: (stats: RoundStats) => void;
  onError?: (error: unknown) => void;
}

/**
 * Runs a round at every interval boundary of collection time. A round that overruns its
 * interval makes the loop skip the boundaries it missed rather than queue them: the fleet is
 * always judged on fresh data.
 */
export function startCollectionLoop(opts: LoopOptions): { stop: () => Promise<void>; runNow: () => Promise<RoundStats> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<RoundStats> | null = null;
  let lastRoundT = -Infinity;

  const boundary = (): number => Math.floor(opts.now() / opts.intervalMs) * opts.intervalMs;

  async function round(): Promise<RoundStats> {
    const tMs = Math.max(boundary(), lastRoundT + opts.intervalMs);
    lastRoundT = tMs;
    return collectRound(opts, tMs);
  }

  function schedule(): void {
    if (stopped) return;
    const untilNext = (boundary() + opts.intervalMs - opts.now()) / opts.speed;
    timer = setTimeout(() => void fire(), Math.max(1, untilNext));
  }

  async function fire(): Promise<void> {
    if (stopped) return;
    if (!running) {
      running = round();
      try {
        opts.onRound?.(await running);
      } catch (error) {
        opts.onError?.(error);
      } finally {
        running = null;
      }
    }
    schedule();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running.catch(() => undefined);
    },
    async runNow() {
      while (running) await running.catch(() => undefined);
      running = round();
      try {
        return await running;
      } finally {
        running = null;
      }
    },
  };
}
